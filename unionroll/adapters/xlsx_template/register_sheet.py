"""The register sheets: one per register, a column per register column, rows to fill in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xlsxwriter.worksheet import Worksheet

from unionroll.adapters.xlsx_template.cells import _CellsMixin, _write_value
from unionroll.adapters.xlsx_template.layout import (
    MONTHS,
    REG_FIRST_DATA_ROW,
    REG_ID_ROW,
    REG_LABEL_ROW,
    REG_TITLE_ROW,
)
from unionroll.adapters.xlsx_template.text import indicator_list_label, list_indicators
from unionroll.core.forms import DEFAULT_MAX, FormDefinition, Register, RegisterColumn
from unionroll.core.model import UnitInfo


class _RegisterSheetMixin(_CellsMixin):
    """The register sheets part of the template writer (``writer._TemplateWriter``)."""

    form: FormDefinition
    unit: UnitInfo
    register_rows: int
    registers: dict[str, list[Mapping[str, Any]]]

    def _register_sheet(self, ws: Worksheet, reg: Register) -> None:
        f = self.f
        ncols = len(reg.columns)
        last_col = max(ncols - 1, 0)
        title = f"{reg.name}（每行填写一项，没有可以不填；行数不够时可插入行）"
        if ncols > 1:
            ws.merge_range(REG_TITLE_ROW, 0, REG_TITLE_ROW, last_col, title, f.head_label)
        else:
            ws.write_string(REG_TITLE_ROW, 0, title, f.head_label)
        ws.set_row(REG_TITLE_ROW, 24)
        first = REG_FIRST_DATA_ROW
        last = REG_FIRST_DATA_ROW + self.register_rows - 1
        for col, column in enumerate(reg.columns):
            label = column.label + ("（必填）" if column.required else "")
            ws.write_string(REG_LABEL_ROW, col, label, f.col_header)
            ws.write_string(REG_ID_ROW, col, column.id, f.id)
            if column.type == "text" and (column.max_length or 0) > 200:
                width = 50
            elif column.type in ("text", "indicator"):
                width = 26
            else:
                width = 12
            width = max(width, 2 * len(label) + 2)  # a CJK character is two widths wide
            # A column format, not styled blank cells: rows people insert or add below
            # look and behave the same, and the file stays small and quick to read.
            ws.set_column(col, col, width, f.entry_for(column.type))
            self._register_validation(ws, (first, col, last, col), reg, column)
        for n, row in enumerate(self.registers.get(reg.id, [])):
            for col, column in enumerate(reg.columns):
                value = row.get(column.id)
                if column.type == "indicator" and value and self.form.has_indicator(value):
                    value = indicator_list_label(self.form.indicator(value))
                if value is not None:
                    _write_value(ws, first + n, col, value, f.entry_for(column.type))
        ws.set_row(REG_LABEL_ROW, 30)
        ws.freeze_panes(REG_FIRST_DATA_ROW, 0)
        ws.repeat_rows(REG_LABEL_ROW, REG_ID_ROW)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.protect(
            "",
            {"format_columns": True, "format_rows": True, "insert_rows": True, "delete_rows": True},
        )

    def _register_validation(
        self, ws: Worksheet, rng: tuple[int, int, int, int], reg: Register, col: RegisterColumn
    ) -> None:
        title = col.label
        if col.type == "choice":
            self._validate_list(
                ws, rng, col.options, title, "从下拉列表选择：" + "、".join(col.options) + "。"
            )
        elif col.type == "category":
            self._validate_list(
                ws, rng, self.form.category_names(), "工作类别", "从下拉列表选择工作类别。"
            )
        elif col.type == "indicator":
            labels = [indicator_list_label(i) for i in list_indicators(self.form, self.unit.level)]
            if labels:
                self._validate_list(
                    ws, rng, labels, "对应指标", "可不填。从下拉列表选择计划对应的报表指标。"
                )
        elif col.type == "month":
            self._validate_list(ws, rng, MONTHS, title, "从下拉列表选择月份（1 到 12）。")
        elif col.type in ("int", "number"):
            self._validate_number(
                ws,
                rng,
                whole=col.type == "int",
                minimum=0,
                maximum=DEFAULT_MAX,
                title=title,
                message="填数字，不要写单位。" if col.type == "number" else "填整数，不要写单位。",
            )
        elif col.max_length:
            ws.data_validation(
                *rng,
                {
                    "validate": "length",
                    "criteria": "<=",
                    "value": col.max_length,
                    "input_title": title[:32],
                    "input_message": f"填写文字，不超过 {col.max_length} 个字。",
                    "error_title": "文字太长",
                    "error_message": f"这里最多填写 {col.max_length} 个字。",
                    "error_type": "stop",
                },
            )
