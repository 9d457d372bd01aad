"""The data sheet (报表): the unit/period block, the indicator rows and their entry cells."""

from __future__ import annotations

from typing import Any

from xlsxwriter.worksheet import Worksheet

from unionroll.adapters.xlsx_template.cells import _CellsMixin, _write_value
from unionroll.adapters.xlsx_template.layout import (
    COL_ID,
    COL_LABEL,
    COL_NO,
    COL_NOTE,
    COL_UNIT,
    COL_VALUE,
    COLUMN_HEADER_ROW,
    DATA_HEADERS,
    FIRST_HEADER_FIELD_ROW,
    HEADER_FIELDS,
)
from unionroll.adapters.xlsx_template.text import _num, format_date_zh, type_hint
from unionroll.core.forms import DEFAULT_MAX, FormDefinition, Indicator
from unionroll.core.model import UnitInfo
from unionroll.core.periods import Period
from unionroll.core.zh import cn_number


class _DataSheetMixin(_CellsMixin):
    """The data sheet part of the template writer (``writer._TemplateWriter``)."""

    form: FormDefinition
    unit: UnitInfo
    period: Period
    level_name: str
    consolidated: bool
    deadline: Any
    indicators: list[Indicator]
    values: dict[str, Any]

    def _data_sheet(self, ws: Worksheet) -> None:
        f = self.f
        ws.set_column(COL_NO, COL_NO, 6)
        ws.set_column(COL_LABEL, COL_LABEL, 34)
        ws.set_column(COL_UNIT, COL_UNIT, 8)
        ws.set_column(COL_VALUE, COL_VALUE, 22)
        ws.set_column(COL_NOTE, COL_NOTE, 34)
        ws.set_column(COL_ID, COL_ID, 18)
        ws.merge_range(
            0,
            COL_NO,
            0,
            COL_ID,
            f"{self.form.title}（{self.period.label_zh}"
            + ("，本单位及下属单位合并报送" if self.consolidated else "")
            + "）",
            f.title,
        )
        ws.set_row(0, 30)
        values = {
            "_unit_name": self.unit.name,
            "_unit_code": self.unit.code,
            "_unit_level": self.level_name,
            "_period_label": self.period.label_zh,
            "_period": self.period.code,
            "_deadline": format_date_zh(self.deadline),
        }
        for i, (key, label) in enumerate(HEADER_FIELDS):
            row = FIRST_HEADER_FIELD_ROW + i
            ws.merge_range(row, COL_NO, row, COL_UNIT, label, f.head_label)
            ws.write_string(row, COL_VALUE, values[key], f.head_value)
            ws.write_blank(row, COL_NOTE, None, f.hint)
            ws.write_string(row, COL_ID, key, f.id)
        note_row = COLUMN_HEADER_ROW - 1
        ws.merge_range(
            note_row,
            COL_NO,
            note_row,
            COL_ID,
            "请在黄色单元格中填写。没有发生的填 0，空着表示“未填报”。"
            "填写前请先阅读“填表说明”工作表；不要修改工作表名称、指标名称和指标代码。",
            f.note,
        )
        ws.set_row(note_row, 30)
        for col, text in enumerate(DATA_HEADERS):
            ws.write_string(COLUMN_HEADER_ROW, col, text, f.col_header)

        rules = self._rule_hints()
        row = COLUMN_HEADER_ROW + 1
        number = 0
        section_no = 0
        for section in self.form.sections:
            inds = [ind for ind in section.indicators if ind in self.indicators]
            if not inds:
                continue
            section_no += 1
            ws.merge_range(
                row, COL_NO, row, COL_NOTE, f"{cn_number(section_no)}、{section.name}", f.section
            )
            ws.write_blank(row, COL_ID, None, f.id)
            row += 1
            for ind in inds:
                number += 1
                ws.write_number(row, COL_NO, number, f.center)
                ws.write_string(row, COL_LABEL, ind.label, f.label)
                ws.write_string(row, COL_UNIT, ind.unit, f.center)
                hint = ind.help or type_hint(ind)
                extra = rules.get(ind.id)
                note = "；".join(p for p in (("必填" if ind.required else ""), hint, extra) if p)
                ws.write_string(row, COL_NOTE, note, f.hint)
                ws.write_string(row, COL_ID, ind.id, f.id)
                self._input_cell(ws, row, ind)
                row += 1

        ws.freeze_panes(COLUMN_HEADER_ROW + 1, 0)
        ws.repeat_rows(COLUMN_HEADER_ROW)
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.protect("", {"format_columns": True, "format_rows": True})

    def _input_cell(self, ws: Worksheet, row: int, ind: Indicator) -> None:
        f = self.f
        rng = (row, COL_VALUE, row, COL_VALUE)
        title = ind.label
        if ind.type in ("int", "money", "decimal"):
            fmt = f.entry_for(ind.type)
            ws.write_blank(row, COL_VALUE, None, fmt)
            lo = ind.min if ind.min is not None else 0
            hi = ind.max if ind.max is not None else DEFAULT_MAX
            unit = f"（单位：{ind.unit}）" if ind.unit else ""
            if ind.type == "int":
                msg = f"填 {_num(lo)} 到 {_num(hi)} 之间的整数{unit}。"
            elif ind.type == "money":
                msg = f"填金额，单位：元，最多两位小数，不小于 {_num(lo)}。不要写“万元”。"
            else:
                msg = f"填 {_num(lo)} 到 {_num(hi)} 之间的数字{unit}。"
            msg += "没有发生的填 0，空着表示未填报。"
            self._validate_number(
                ws, rng, whole=ind.type == "int", minimum=lo, maximum=hi, title=title, message=msg
            )
        elif ind.type == "bool":
            ws.write_blank(row, COL_VALUE, None, f.in_text)
            self._validate_list(ws, rng, ("是", "否"), title, "从下拉列表选择“是”或“否”。")
        elif ind.type == "choice":
            ws.write_blank(row, COL_VALUE, None, f.in_text)
            self._validate_list(
                ws, rng, ind.options, title, "从下拉列表选择：" + "、".join(ind.options) + "。"
            )
        else:
            ws.write_blank(row, COL_VALUE, None, f.in_text)
            ws.data_validation(
                *rng,
                {
                    "validate": "any",
                    "input_title": title[:32],
                    "input_message": "填写文字。",
                },
            )
        if self.values.get(ind.id) is not None:
            fmt = f.entry_for(ind.type) if ind.type in ("int", "money", "decimal") else f.in_text
            _write_value(ws, row, COL_VALUE, self.values[ind.id], fmt)

    def _rule_hints(self) -> dict[str, str]:
        hints: dict[str, list[str]] = {}
        for rule in self.form.rules:
            if rule.kind != "le" or not self.form.has_indicator(rule.other):
                continue
            other = self.form.indicator(rule.other)
            if other not in self.indicators:
                continue
            word = "一般不大于" if rule.severity == "warning" else "不大于"
            hints.setdefault(rule.indicator, []).append(f"{word}“{other.label}”")
        return {k: "，".join(v) for k, v in hints.items()}
