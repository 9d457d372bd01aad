"""The validation engine: ReturnData in, CheckedReturn with located Chinese findings out.

:func:`validate` is pure: it is given the form(s), the unit roll and today's date, and it
touches no database and no file. It checks, in order: the form and its version, the unit,
the period, every value, the form's cross-field rules, the register rows, emptiness, and
then the extra validators that plugins register. Every problem becomes a
:class:`~unionroll.core.model.Finding` with a stable ``code``, a message naming the
indicator's Chinese label, what was found and what was expected, and the cell it came from.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from unionroll.core.contracts import Validator
from unionroll.core.errors import PeriodError
from unionroll.core.forms import FormDefinition, Indicator, Register, RegisterColumn
from unionroll.core.model import (
    CheckedRegisterRow,
    CheckedReturn,
    Finding,
    Location,
    RawRegisterRow,
    RawValue,
    ReturnData,
    Severity,
    UnitInfo,
)
from unionroll.core.periods import Period
from unionroll.core.values import (
    NOT_REPORTED_MARKS,
    ZERO_WORDS,
    Note,
    Parsed,
    ParseError,
    column_reader,
    format_number,
    is_award_level_column,
    is_blank,
    normalize,
    read_indicator_value,
    show,
)

# Used when the caller does not pass the workspace's own level names.
DEFAULT_LEVEL_NAMES = {"county": "县", "township": "学区/乡镇", "school": "学校"}


def validate(
    data: ReturnData,
    *,
    form: FormDefinition,
    forms: Mapping[str, FormDefinition],
    units: Mapping[str, UnitInfo],
    today: date,
    validators: Sequence[Validator] = (),
    level_names: Mapping[str, str] | None = None,
) -> CheckedReturn:
    """Check one return against the workspace's form and unit roll.

    ``form``: the workspace's form; ``forms``: every registered form by ``id@version``, so
    a return made from an older template is read with its own version. ``units``: unit
    code → :class:`UnitInfo`. ``level_names``: level id → Chinese name for messages.
    ``validators`` run last; one that raises becomes a warning, never a crash.

    ``CheckedReturn.unit_code`` is the code as written (normalised), even when unknown;
    ``period`` is the canonical code (``2025Q1``), or None when it could not be read.
    """
    return _Run(data, form, forms, units, today, level_names or DEFAULT_LEVEL_NAMES).run(validators)


def _says_nothing(raw: Any) -> bool:
    """A written stand-in for "nothing here": a dash, a slash, 无."""
    return isinstance(raw, str) and normalize(raw) in _NOTHING


_NOTHING = NOT_REPORTED_MARKS | ZERO_WORDS


def _date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class _Run:
    def __init__(
        self,
        data: ReturnData,
        form: FormDefinition,
        forms: Mapping[str, FormDefinition],
        units: Mapping[str, UnitInfo],
        today: date,
        level_names: Mapping[str, str],
    ) -> None:
        self.data = data
        self.form = form
        self.forms = forms
        self.units = units
        self.today = today
        self.level_names = level_names
        self.findings: list[Finding] = list(data.findings)
        self.values: dict[str, float | str | None] = {}
        self.value_locations: dict[str, Location] = {}
        self.rows: list[CheckedRegisterRow] = []
        self.anything_entered = False
        self.unit_code: str | None = None

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        location: Location | None = None,
        *,
        indicator: Indicator | None = None,
        found: Any = None,
        expected: str | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                severity=severity,
                code=code,
                message=message,
                location=location,
                indicator_id=indicator.id if indicator else None,
                label=indicator.label if indicator else None,
                found=found,
                expected=expected,
            )
        )

    def level_name(self, level: str) -> str:
        return self.level_names.get(level, level)

    # --- the whole run ------------------------------------------------------------------

    def run(self, validators: Sequence[Validator]) -> CheckedReturn:
        used, form_ok = self.choose_form()
        unit = self.check_unit(used)
        period = self.check_period(used, unit)
        if form_ok:
            self.check_values(used, unit)
            self.check_rules(used)
            self.check_registers(used)
            if not self.anything_entered:
                self.add(
                    "error",
                    "empty_return",
                    "报表是空的：没有填写任何指标，也没有填写任何登记表（获奖、活动等）",
                )
        checked = CheckedReturn(
            data=self.data,
            unit_code=self.unit_code,
            period=period.code if period else None,
            form_id=used.id,
            form_version=used.version,
            values=self.values,
            value_locations=self.value_locations,
            registers=self.rows,
            findings=self.findings,
        )
        _run_validators(checked, used, validators)
        return checked

    # --- form ---------------------------------------------------------------------------

    def choose_form(self) -> tuple[FormDefinition, bool]:
        form, data = self.form, self.data
        form_id = str(data.form_id).strip() if data.form_id is not None else ""
        if form_id and form_id != form.id:
            self.add(
                "error",
                "form_mismatch",
                f"这份报表使用的是报表“{form_id}”，本工作区收取的是“{form.title}”（{form.id}），"
                "请使用本工作区下发的模板填报",
                data.form_location,
                found=form_id,
                expected=form.id,
            )
            return form, False
        if data.form_version is None:
            return form, True
        version: Any = data.form_version
        with contextlib.suppress(ValueError):
            version = int(show(version))  # a sheet may hand over "1" or 1.0
        if version == form.version:
            return form, True
        candidate = self.forms.get(f"{form.id}@{version}")
        if candidate is not None:
            return candidate, True
        known = sorted({f.version for f in self.forms.values() if f.id == form.id} | {form.version})
        self.add(
            "error",
            "unknown_form_version",
            f"报表“{form.title}”没有第 {version} 版（已知的版本：{'、'.join(map(str, known))}），"
            "请使用本工作区下发的模板填报",
            data.form_location,
            found=version,
            expected="、".join(map(str, known)),
        )
        return form, False

    # --- unit ---------------------------------------------------------------------------

    def check_unit(self, form: FormDefinition) -> UnitInfo | None:
        raw = self.data.unit_code
        where = self.data.unit_location
        code = normalize(show(raw, limit=200)) if raw is not None else ""
        if not code:
            self.add("error", "unit_missing", "报表没有填写单位代码", where, expected="单位代码")
            return None
        self.unit_code = code
        unit = self.units.get(code) or self.units.get(str(raw))
        if unit is None:
            self.add(
                "error",
                "unknown_unit",
                f"单位代码“{code}”不在本工作区的单位名册中，请核对代码或先导入该单位",
                where,
                found=code,
                expected="单位名册中的单位代码",
            )
            return None
        self.unit_code = unit.code
        if unit.level not in form.levels:
            allowed = "、".join(self.level_name(lv) for lv in form.levels)
            self.add(
                "error",
                "level_not_in_form",
                f"单位“{unit.name}”属于{self.level_name(unit.level)}层级，"
                f"报表“{form.title}”只由{allowed}填报",
                where,
                found=unit.level,
                expected=allowed,
            )
        return unit

    # --- period -------------------------------------------------------------------------

    def check_period(self, form: FormDefinition, unit: UnitInfo | None) -> Period | None:
        raw = self.data.period
        where = self.data.period_location
        if raw is None or is_blank(raw):
            self.add("error", "period_missing", "报表没有填写报送期间", where, expected="如 2025Q1")
            return None
        try:
            period = Period.parse(raw if isinstance(raw, str | Period) else show(raw))
        except PeriodError as exc:
            self.add("error", "bad_period", exc.message, where, found=raw)
            return None
        if period.type != form.period_type:
            self.add(
                "error",
                "wrong_period_type",
                f"报表“{form.title}”按{form.period_type.label_zh}报送，"
                f"填写的期间“{show(raw)}”是{period.type.label_zh}（{period.label_zh}）",
                where,
                found=show(raw),
                expected=form.period_type.label_zh,
            )
        elif period.start > self.today:
            self.add(
                "error",
                "future_period",
                f"报送期间{period.label_zh}尚未开始（今天是{_date_zh(self.today)}）",
                where,
                found=period.code,
            )
        elif period.end > self.today:
            self.add(
                "warning",
                "period_not_ended",
                f"报送了尚未结束的期间：{period.label_zh}到{_date_zh(period.end)}才结束",
                where,
                found=period.code,
            )
        if unit is not None and not unit.is_open_during(period.start, period.end):
            if unit.active_from and unit.active_from > period.end:
                self.add(
                    "error",
                    "unit_not_yet_open",
                    f"单位“{unit.name}”自{_date_zh(unit.active_from)}起才设立，"
                    f"{period.label_zh}时尚未设立，不能报送该期间的报表",
                    self.data.unit_location,
                    found=unit.code,
                )
            else:
                self.add(
                    "error",
                    "unit_closed",
                    f"单位“{unit.name}”已于{_date_zh(unit.active_to)}撤销（停用），"
                    f"不能报送{period.label_zh}的报表",
                    self.data.unit_location,
                    found=unit.code,
                )
        return period

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
            if level is not None and not any(ind.applies_to(lv) for lv in covered):
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
            else:  # pragma: no cover - forms.py refuses other kinds when loading
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

    # --- registers ----------------------------------------------------------------------

    def check_registers(self, form: FormDefinition) -> None:
        plans = {reg.id: _RegisterPlan(reg, form) for reg in form.registers}
        unknown: dict[str, tuple[int, Location | None]] = {}
        for row in self.data.registers:
            plan = plans.get(row.register)
            if plan is None:
                if any(not is_blank(v) for v in row.cells.values()):
                    self.anything_entered = True
                    count, where = unknown.get(row.register, (0, row.location))
                    unknown[row.register] = (count + 1, where)
                continue
            checked = plan.check(row, self)
            if checked is not None:
                self.anything_entered = True
                self.rows.append(checked)
        for reg_id, (count, where) in unknown.items():
            names = "、".join(reg.name for reg in form.registers)
            self.add(
                "error",
                "unknown_register",
                f"报表“{form.title}”没有登记表“{reg_id}”，其中 {count} 条记录无法录入"
                f"（本报表的登记表：{names}）",
                where,
                found=reg_id,
                expected=names,
            )


class _RegisterPlan:
    """A register's columns with their parsing functions, bound once per validation."""

    def __init__(self, register: Register, form: FormDefinition) -> None:
        self.register = register
        self.columns: list[tuple[RegisterColumn, Callable[[Any], Parsed]]] = [
            (col, column_reader(col, form)) for col in register.columns
        ]
        self.column_ids = {col.id for col in register.columns}
        self.category_col = next((c.id for c in register.columns if c.type == "category"), None)
        self.month_col = next((c.id for c in register.columns if c.type == "month"), None)
        self.level_col = next((c.id for c in register.columns if is_award_level_column(c)), None)
        indicator_cols = [c for c in register.columns if c.type == "indicator"]
        self.indicator_col = indicator_cols[0] if len(indicator_cols) == 1 else None
        self.target_cols = [c for c in register.columns if c.type == "number"]
        self.warned_columns: set[str] = set()

    def check(self, row: RawRegisterRow, run: _Run) -> CheckedRegisterRow | None:
        cells = row.cells
        if all(is_blank(v) for v in cells.values()):
            return None  # an empty row in the template: nothing was entered
        reg = self.register
        where_row = f"{reg.name}第 {row.row_no} 条记录"
        data: dict[str, Any] = {}
        for col, read in self.columns:
            raw = cells.get(col.id)
            where = row.locations.get(col.id) or row.location
            try:
                parsed = read(raw)
            except ParseError as exc:
                run.add(
                    "error",
                    exc.code,
                    f"{where_row}的“{col.label}”填写的“{show(raw)}”{exc.reason}",
                    where,
                    found=raw,
                    expected=exc.expected,
                )
                continue
            if parsed.note is not None:
                run.note(parsed.note, f"{where_row}的“{col.label}”填写的“{show(raw)}”", where)
            if parsed.value is None:
                if col.required:
                    run.add(
                        "error",
                        "register_required_missing",
                        f"{where_row}缺少“{col.label}”（必填）",
                        where,
                        expected=col.label,
                    )
                continue
            data[col.id] = parsed.value
        if len(cells) > len(self.column_ids):
            for key, raw in cells.items():
                if key not in self.column_ids and key not in self.warned_columns:
                    if is_blank(raw):
                        continue
                    self.warned_columns.add(key)
                    run.add(
                        "warning",
                        "unknown_column",
                        f"{reg.name}没有“{key}”这一列，该列内容未录入",
                        row.locations.get(key) or row.location,
                        found=raw,
                    )
        if self.indicator_col is not None and self.indicator_col.id not in data:
            for col in self.target_cols:
                if col.id in data:
                    run.add(
                        "warning",
                        "target_without_indicator",
                        f"{where_row}填写了“{col.label}”（{format_number(float(data[col.id]))}），"
                        f"但没有填写“{self.indicator_col.label}”，该目标值无法与完成情况对照",
                        row.locations.get(self.indicator_col.id) or row.location,
                        found=data[col.id],
                    )
        return CheckedRegisterRow(
            register=reg.id,
            row_no=row.row_no,
            category=data.get(self.category_col) if self.category_col else None,
            level=data.get(self.level_col) if self.level_col else None,
            month=data.get(self.month_col) if self.month_col else None,
            data=data,
            location=row.location,
        )


# --- extra validators ------------------------------------------------------------------


def _run_validators(
    checked: CheckedReturn, form: FormDefinition, validators: Sequence[Validator]
) -> None:
    for validator in validators:
        name = getattr(validator, "name", "") or type(validator).__name__
        try:
            extra = list(validator.check(checked, form) or [])
            wrong = next((f for f in extra if not isinstance(f, Finding)), None)
            if wrong is not None:
                raise TypeError(f"check() 返回了 {type(wrong).__name__}，应为 Finding")
        except Exception as exc:  # a broken plugin must not take the whole ingest down
            checked.findings.append(
                Finding(
                    severity="warning",
                    code="validator_failed",
                    message=f"附加检查“{name}”运行出错，已跳过（{type(exc).__name__}：{exc}）",
                )
            )
            continue
        checked.findings.extend(extra)
