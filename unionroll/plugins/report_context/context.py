"""The building of the context: figure views, sections with their register rows, summary_context."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from datetime import date
from typing import Any

from unionroll.core.forms import FormDefinition, Indicator
from unionroll.core.periods import Period
from unionroll.core.rollup_types import Figure, RegisterEntry, RollupResult
from unionroll.core.zh import date_zh, format_number, format_percent, format_quantity
from unionroll.plugins.report_context.views import (
    AwardView,
    EventView,
    FigureView,
    SectionView,
    TextView,
    _level_rank,
)
from unionroll.plugins.report_plans import plan_sections, target_rows


def _norm(text: str) -> str:
    """The same words with other spacing, width or closing punctuation are the same text."""
    return "".join(unicodedata.normalize("NFKC", text).split()).rstrip("。．.；;，,！!")


def _unit_name(entry: RegisterEntry) -> str:
    return entry.unit.name


def figure_view(ind: Indicator, fig: Figure, form: FormDefinition) -> FigureView:
    view = FigureView(
        id=ind.id,
        label=ind.label,
        unit=ind.unit,
        agg=ind.agg,
        value=fig.value,
        reported=fig.reported,
        expected=fig.expected,
        yes=fig.yes,
        answered=fig.answered,
        share=fig.share,
        numerator=fig.numerator,
        denominator=fig.denominator,
    )
    if fig.counts:
        view.counts = sorted(fig.counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if ind.agg == "ratio" and ind.numerator and ind.denominator:
        num, den = form.indicator(ind.numerator), form.indicator(ind.denominator)
        view.numerator_label, view.denominator_label = num.label, den.label
        view.numerator_unit = num.unit
    return view


def _section_views(rollup: RollupResult) -> list[SectionView]:
    form = rollup.form
    root = rollup.root
    figures = root.figures
    regs = root.registers
    by_cat: dict[str, dict[str, list[RegisterEntry]]] = defaultdict(lambda: defaultdict(list))
    for register in ("awards", "events", "highlights", "problems"):
        for entry in regs[register]:
            by_cat[entry.category or ""][register].append(entry)
    sections = []
    for sec in form.sections:
        views = {
            ind.id: figure_view(ind, figures[ind.id], form)
            for ind in sec.indicators
            if ind.id in figures
        }
        rows = by_cat.get(sec.id, {})
        awards = [
            AwardView(
                holder=str(e.data.get("holder", "")),
                holder_type=str(e.data.get("holder_type", "")),
                title=str(e.data.get("title", "")),
                level=e.level or str(e.data.get("level", "")),
                body=str(e.data.get("body") or ""),
                month=e.month,
                reporters=[r.unit.name for r in e.reporters] or [_unit_name(e)],
            )
            for e in rows.get("awards", [])
        ]
        awards.sort(key=lambda a: (_level_rank(a.level), a.month or 0, a.holder))
        events = [
            EventView(
                name=str(e.data.get("name", "")),
                month=e.month,
                role=str(e.data.get("role") or ""),
                participants=e.data.get("participants"),
                unit=_unit_name(e),
                unit_level=e.unit.level,
            )
            for e in rows.get("events", [])
        ]
        # Events a township or the county ran come first, then the best attended.
        levels = list(rollup.level_names)
        events.sort(
            key=lambda ev: (
                levels.index(ev.unit_level) if ev.unit_level in levels else 99,
                ev.role != "主办",
                -(float(ev.participants) if isinstance(ev.participants, int | float) else 0),
                ev.month or 0,
            )
        )
        sections.append(
            SectionView(
                id=sec.id,
                name=sec.name,
                figures=views,
                awards=awards,
                events=events,
                highlights=_texts(rows.get("highlights", [])),
                problems=_texts(rows.get("problems", [])),
            )
        )
    return sections


def _texts(entries: list[RegisterEntry]) -> list[TextView]:
    """The same text reported by several units is said once, with all of them."""
    grouped: dict[str, TextView] = {}
    for e in entries:
        text = str(e.data.get("text") or "").strip()
        if not text:
            continue
        view = grouped.setdefault(_norm(text), TextView(text, []))
        if _unit_name(e) not in view.units:
            view.units.append(_unit_name(e))
    return sorted(grouped.values(), key=lambda v: -len(v.units))


def summary_context(
    rollup: RollupResult,
    *,
    org: str,
    today: date | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The context of the county summary and the priorities templates."""
    period: Period = rollup.period
    root = rollup.root
    sections = _section_views(rollup)
    profile = sections[0] if sections and rollup.form.sections[0].id == "profile" else None
    next_period = period.next()
    rows, unmeasurable = target_rows(rollup)
    context: dict[str, Any] = {
        "org": org,
        "unit": root,
        "scope": root.level_name,
        "period": period,
        "next_period": next_period,
        "today": date_zh(today or date.today()),
        "completeness": root.completeness,
        "sections": sections,
        "work_sections": [s for s in sections if s is not profile],
        "profile": profile,
        "figures": {v.id: v for s in sections for v in s.figure_list},
        "problems": [p for s in sections for p in s.problems]
        + _texts([e for e in root.registers["problems"] if not e.category]),
        "plans": plan_sections(rollup),
        "targets": list(root.targets),
        "target_rows": rows,
        "targets_unmeasurable": unmeasurable,
        "overlaps": rollup.overlaps,
        "awards_total": sum(len(s.awards) for s in sections),
        "fmt": format_number,
        "qty": format_quantity,
        "pct": format_percent,
    }
    if extra:
        context.update(extra)
    return context
