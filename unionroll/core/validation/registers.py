"""The register rows of a return (awards, events, highlights, problems, priorities)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from unionroll.core.forms import FormDefinition, Register, RegisterColumn, per_form
from unionroll.core.model import (
    CheckedRegisterRow,
    Location,
    RawRegisterRow,
)
from unionroll.core.values import (
    Parsed,
    ParseError,
    column_reader,
    format_number,
    is_award_level_column,
    is_blank,
    show,
)

if TYPE_CHECKING:
    from unionroll.core.validation.run import Run


class RegisterChecks:
    """The register checks of a validation run (mixed into ``Run``)."""

    # --- registers ----------------------------------------------------------------------

    def check_registers(self, form: FormDefinition) -> None:
        plans = _plans(form)
        warned: set[tuple[str, str]] = set()  # (register, column) said once a return
        unknown: dict[str, tuple[int, Location | None]] = {}
        for row in self.data.registers:
            plan = plans.get(row.register)
            if plan is None:
                if any(not is_blank(v) for v in row.cells.values()):
                    self.anything_entered = True
                    count, where = unknown.get(row.register, (0, row.location))
                    unknown[row.register] = (count + 1, where)
                continue
            checked = plan.check(row, self, warned)
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


@per_form
def _plans(form: FormDefinition) -> dict[str, _RegisterPlan]:
    """Each register's plan, by register id: made once per form."""
    return {reg.id: _RegisterPlan(reg, form) for reg in form.registers}


class _RegisterPlan:
    """A register's columns with their parsing functions, bound once per form. Holds
    nothing of the return being checked."""

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

    def check(
        self, row: RawRegisterRow, run: Run, warned: set[tuple[str, str]]
    ) -> CheckedRegisterRow | None:
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
        if not self.column_ids.issuperset(cells):  # a column the register does not have
            for key, raw in cells.items():
                if key not in self.column_ids and (reg.id, key) not in warned:
                    if is_blank(raw):
                        continue
                    warned.add((reg.id, key))
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
