"""The next period's plan, arranged for the wording templates.

One item per plan text: the same plan typed by many units (with other quotes, widths,
spacing or closing punctuation) is one item, in the top unit's own wording when it has
the plan too. A target of this period that was not met is said once per plan, with the
units that fell short named or counted and their shortfalls added up; the figures of each
unit belong in the table of targets (:func:`target_rows`), not in the list.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from unionroll.core.rollup_types import RollupResult, TargetCheck
from unionroll.core.zh import format_quantity

PLAN_COPY_LIMIT = 3  # up to this many units short of a target are named, more are counted


@dataclass
class MissedTarget:
    """The units short of the same planned target: 柳河镇学区工会等6个学区……合计尚差."""

    text: str
    indicator: str | None
    label: str
    unit_of_measure: str
    checks: list[TargetCheck]
    level_name: str = ""  # 学区 when all the units are of one level, else ""

    @property
    def n(self) -> int:
        return len(self.checks)

    @property
    def names(self) -> list[str]:
        return [c.unit.name for c in self.checks]

    @property
    def named(self) -> bool:
        """Few enough to name them all."""
        return self.n <= PLAN_COPY_LIMIT

    @property
    def gap(self) -> float:
        return sum(c.gap or 0 for c in self.checks)

    @property
    def gap_text(self) -> str:
        return format_quantity(self.gap, self.unit_of_measure)

    @property
    def target_text(self) -> str:
        return format_quantity(sum(c.target or 0 for c in self.checks), self.unit_of_measure)


@dataclass
class PlanItem:
    """One item of the next period's plan."""

    category: str
    text: str
    units: list[str]
    own: bool = False  # the top unit has this plan: the wording is its own
    indicator: str | None = None
    label: str = ""
    target: float | None = None  # the units' targets added up (not the top unit's)
    unit_of_measure: str = ""
    month: int | None = None
    missed: MissedTarget | None = None  # this period's targets of the same plan not met
    target_units: int = 0  # how many of the units set the summed target
    own_target: float | None = None
    top_unit: str = ""

    @property
    def target_text(self) -> str:
        return "" if self.target is None else format_quantity(self.target, self.unit_of_measure)

    @property
    def own_target_text(self) -> str:
        if self.own_target is None:
            return ""
        return format_quantity(self.own_target, self.unit_of_measure)

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def other_units(self) -> int:
        """The units besides the top one that have this plan."""
        return sum(1 for u in self.units if u != self.top_unit)


@dataclass
class PlanSection:
    id: str
    name: str
    items: list[PlanItem] = field(default_factory=list)


@dataclass
class TargetRow:
    """A row of the table of this period's targets."""

    unit: str
    text: str
    label: str
    target: str
    actual: str
    gap: str
    status: str
    met: bool


def plan_key(text: str) -> str:
    """What makes two plan texts the same plan: the words, without punctuation, symbols,
    spacing or width (组织“山城之夏”文艺展演。 = 组织"山城之夏"文艺展演)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PSZC")


def plan_sections(rollup: RollupResult) -> list[PlanSection]:
    """This period's plans for the next one, merged per plan text, with this period's
    missed targets attached to the plan they belong to (or as items of their own)."""
    form = rollup.form
    root = rollup.root
    sections = {sec.id: PlanSection(sec.id, sec.name) for sec in form.sections}
    other = PlanSection("", "其他")
    items: dict[str, PlanItem] = {}
    entries = sorted(root.registers["priorities"], key=lambda e: e.unit.code != root.code)
    for e in entries:
        text = str(e.data.get("text") or "").strip()
        if not text:
            continue
        own = e.unit.code == root.code
        item = items.get(plan_key(text) or text)
        if item is None:
            item = items[plan_key(text) or text] = PlanItem(
                category=e.category or "", text=text, units=[], own=own, top_unit=root.name
            )
        if e.unit.name not in item.units:
            item.units.append(e.unit.name)
        indicator = e.data.get("indicator") or None
        target = e.data.get("target")
        ind = form.indicator(indicator) if indicator and form.has_indicator(indicator) else None
        if ind is None or not isinstance(target, int | float) or isinstance(target, bool):
            continue
        if item.indicator not in (None, ind.id):
            continue  # a second indicator for the same plan: its targets are not mixed in
        item.indicator, item.label, item.unit_of_measure = ind.id, ind.label, ind.unit
        item.month = item.month or e.month
        if own:
            if item.own_target is None:
                item.own_target = float(target)
        elif ind.agg != "ratio":  # a sum of percentages means nothing
            item.target = (item.target or 0) + float(target)
            item.target_units += 1
    for missed in missed_targets(rollup):
        key = plan_key(missed.text) or missed.text
        item = items.get(key)
        if item is None:
            category = missed.checks[0].category or ""
            item = items[key] = PlanItem(
                category=category, text=missed.text, units=[], top_unit=root.name
            )
            item.indicator, item.label = missed.indicator, missed.label
            item.unit_of_measure = missed.unit_of_measure
        item.missed = missed
    ordered = sorted(
        items.values(), key=lambda i: (not i.own, i.missed is None and i.n_units == 0, -i.n_units)
    )
    for item in ordered:
        sections.get(item.category, other).items.append(item)
    result = [s for s in sections.values() if s.items]
    if other.items:
        result.append(other)
    return result


def missed_targets(rollup: RollupResult) -> list[MissedTarget]:
    """This period's targets not met, one per plan text and indicator."""
    form = rollup.form
    groups: dict[tuple[str, str | None], MissedTarget] = {}
    for check in rollup.root.targets:
        if check.status != "not_met":
            continue
        ind = form.indicator(check.indicator_id) if check.indicator_id else None
        key = (plan_key(check.text) or check.text, check.indicator_id)
        group = groups.get(key)
        if group is None:
            group = groups[key] = MissedTarget(
                text=check.text,
                indicator=check.indicator_id,
                label=ind.label if ind else "",
                unit_of_measure=ind.unit if ind else "",
                checks=[],
            )
        group.checks.append(check)
    for group in groups.values():
        group.checks.sort(key=lambda c: -(c.gap or 0))  # the largest shortfall is named first
        levels = {c.unit.level for c in group.checks}
        if len(levels) == 1:
            group.level_name = rollup.level_names.get(levels.pop(), "")
    return list(groups.values())


def target_rows(rollup: RollupResult) -> tuple[list[TargetRow], int]:
    """The measurable targets of this period, the shortfalls first (largest first), and
    how many plans had nothing to measure them by."""
    form = rollup.form
    rows: list[tuple[float, TargetRow]] = []
    unmeasurable = 0
    for check in rollup.root.targets:
        if check.status not in ("met", "not_met"):
            unmeasurable += 1
            continue
        ind = form.indicator(check.indicator_id) if check.indicator_id else None
        unit = ind.unit if ind else ""
        met = check.status == "met"
        rows.append(
            (
                0.0 if met else -(check.gap or 0),
                TargetRow(
                    unit=check.unit.name,
                    text=check.text,
                    label=ind.label if ind else "",
                    target=format_quantity(check.target, unit),
                    actual=format_quantity(check.actual, unit),
                    gap="—" if met else format_quantity(check.gap, unit),
                    status=check.status_zh,
                    met=met,
                ),
            )
        )
    rows.sort(key=lambda r: (r[1].met, r[0]))
    return [r for _, r in rows], unmeasurable
