"""The indicator values of a return, and the form's cross-field rules."""

from __future__ import annotations

from typing import Any

from unionroll.core.forms import FormDefinition, Indicator
from unionroll.core.model import (
    Location,
    RawValue,
    UnitInfo,
)
from unionroll.core.values import (
    NOT_REPORTED_MARKS,
    ZERO_WORDS,
    Note,
    ParseError,
    format_number,
    is_blank,
    normalize,
    read_indicator_value,
    show,
)


def _says_nothing(raw: Any) -> bool:
    """A written stand-in for "nothing here": a dash, a slash, 无."""
    return isinstance(raw, str) and normalize(raw) in _NOTHING


_NOTHING = NOT_REPORTED_MARKS | ZERO_WORDS


class FigureChecks:
    """The value and rule checks of a validation run (mixed into ``Run``)."""

    # --- values -------------------------------------------------------------------------

    def check_values(self, form: FormDefinition, unit: UnitInfo | None) -> None:
        indicators = {ind.id: ind for ind in form.indicators}
        level = unit.level if unit is not None and unit.level in form.levels else None
        # A consolidated return speaks for the unit's whole area, so it may carry what the
        # levels below it report (a township's return for its schools' head-counts).
        covered = {level}
        if level is not None and self.data.consolidated:
            covered = set(form.levels[form.levels.index(level) :])
        failed: set[str] = set()
        blank_at: dict[str, Location] = {}
        raws: dict[str, Any] = {}
        for rv in self.data.values:
            blank = is_blank(rv.raw)
            ind = indicators.get(rv.indicator_id)
            if ind is None:
                if not blank:
                    self.anything_entered = True
                    self.add(
                        "error",
                        "unknown_indicator",
                        f"报表“{form.title}”没有指标“{rv.indicator_id}”，"
                        f"填写的“{show(rv.raw)}”无法录入",
                        rv.location,
                        found=rv.raw,
                        expected="本报表的指标",
                    )
                continue
            if ind.is_derived:
                # A formula here is the template's own live ratio; only a typed value is news.
                if not blank and rv.formula is None and not _says_nothing(rv.raw):
                    self.add(
                        "warning",
                        "derived_entered",
                        f"“{ind.label}”由系统根据填报数据自动计算，填写的“{show(rv.raw)}”已忽略",
                        rv.location,
                        indicator=ind,
                        found=rv.raw,
                        expected="留空（自动计算，已忽略）",
                    )
                continue
            if rv.formula is not None:
                self.formula_note(ind, rv, blank)
            if blank:
                blank_at.setdefault(ind.id, rv.location)
                continue
            if level is not None and covered.isdisjoint(ind.levels):  # not for these levels
                if _says_nothing(rv.raw):
                    continue  # “/” or “无” in a cell that is not theirs: exactly right
                self.anything_entered = True
                failed.add(ind.id)
                who = "、".join(self.level_name(lv) for lv in ind.levels)
                self.add(
                    "error",
                    "not_for_level",
                    f"“{ind.label}”只由{who}填报，{self.level_name(level)}的报表应留空"
                    f"（填写的是“{show(rv.raw)}”）",
                    rv.location,
                    indicator=ind,
                    found=rv.raw,
                    expected="留空",
                )
                continue
            try:
                parsed = read_indicator_value(ind, rv.raw)
            except ParseError as exc:
                self.anything_entered = True
                failed.add(ind.id)
                self.add(
                    "error",
                    exc.code,
                    f"“{ind.label}”填写的“{show(rv.raw)}”{exc.reason}",
                    rv.location,
                    indicator=ind,
                    found=rv.raw,
                    expected=exc.expected,
                )
                continue
            if parsed.note is not None:
                self.note(parsed.note, f"“{ind.label}”填写的“{show(rv.raw)}”", rv.location, ind, rv)
            if parsed.value is None:
                blank_at.setdefault(ind.id, rv.location)
                continue
            if ind.id in self.values:
                if self.values[ind.id] != parsed.value:
                    failed.add(ind.id)
                    first = self.value_locations[ind.id]
                    self.add(
                        "error",
                        "duplicate_indicator",
                        f"“{ind.label}”填写了两次且不一致：{first.short}为“{show(raws[ind.id])}”，"
                        f"此处为“{show(rv.raw)}”",
                        rv.location,
                        indicator=ind,
                        found=rv.raw,
                        expected=f"与 {first.short} 一致",
                    )
                continue
            self.anything_entered = True
            self.values[ind.id] = parsed.value
            self.value_locations[ind.id] = rv.location
            raws[ind.id] = rv.raw
        if level is None:
            return  # without a known level there is no saying what is required
        for ind in form.indicators:
            if (
                ind.required
                and not ind.is_derived
                and ind.applies_to(level)
                and ind.id not in self.values
                and ind.id not in failed
            ):
                self.add(
                    "error",
                    "required_missing",
                    f"“{ind.label}”是必填项，未填写",
                    blank_at.get(ind.id) or self.data.input_cells.get(ind.id),
                    indicator=ind,
                    expected=f"填写{ind.label_with_unit}",
                )

    def formula_note(self, ind: Indicator, rv: RawValue, blank: bool) -> None:
        if blank:
            self.add(
                "warning",
                "formula_without_value",
                f"“{ind.label}”单元格含公式（{show(rv.formula)}）但没有计算结果，视为未填写；"
                "请在 Excel 或 WPS 中打开并保存后再报送，或直接填写数字",
                rv.location,
                indicator=ind,
                found=rv.formula,
            )
        else:
            self.add(
                "warning",
                "formula",
                f"“{ind.label}”单元格含公式（{show(rv.formula)}），已取其计算结果“{show(rv.raw)}”",
                rv.location,
                indicator=ind,
                found=rv.raw,
            )

    def note(
        self,
        note: Note,
        what: str,
        location: Location | None,
        ind: Indicator | None = None,
        rv: RawValue | None = None,
    ) -> None:
        self.add(
            "warning",
            note.code,
            f"{what}{note.reason}",
            location,
            indicator=ind,
            found=rv.raw if rv else None,
        )

    # --- rules --------------------------------------------------------------------------

    def check_rules(self, form: FormDefinition) -> None:
        values = self.values
        for rule in form.rules:
            a, b = values.get(rule.indicator), values.get(rule.other)
            if not isinstance(a, float) or not isinstance(b, float):
                continue  # a side not reported (or not a number): nothing to compare
            ind, other = form.indicator(rule.indicator), form.indicator(rule.other)
            fa, fb = format_number(a), format_number(b)
            if rule.kind == "le":
                if a <= b + 1e-9:
                    continue
                default = f"{ind.label}（{fa}）不应大于{other.label}（{fb}）"
                expected = f"不大于{other.label}（{fb}）"
            elif rule.kind == "positive_requires_positive":
                if not (a > 0 and b <= 0):
                    continue
                default = (
                    f"{ind.label}为 {fa}，但{other.label}为 {fb}：前者大于 0 时，后者也应大于 0"
                )
                expected = f"{other.label}大于 0"
            else:  # pragma: no cover - core/forms/checker.py refuses other kinds
                continue
            message = (
                f"{rule.message}（{ind.label}：{fa}，{other.label}：{fb}）"
                if rule.message
                else default
            )
            self.add(
                "error" if rule.severity == "error" else "warning",
                f"rule_{rule.kind}",
                message,
                self.value_locations.get(rule.indicator),
                indicator=ind,
                found=a,
                expected=expected,
            )
