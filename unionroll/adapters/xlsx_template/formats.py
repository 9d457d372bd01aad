"""The cell formats of a template workbook."""

from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook


class _Formats:
    """Cell formats, created once per workbook."""

    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
        boxed = {**base, "border": 1, "border_color": "#A6A6A6"}
        entry = {**boxed, "locked": False, "bg_color": "#FFF2CC"}

        def fmt(props: dict[str, Any], **kw: Any) -> Any:
            return wb.add_format({**props, **kw})

        self.title = fmt(base, bold=True, font_size=16, align="center")
        self.head_label = fmt(boxed, bold=True, bg_color="#F2F2F2")
        self.head_value = fmt(boxed, bold=True, num_format="@")
        self.note = fmt(base, font_size=9, font_color="#595959", text_wrap=True)
        self.col_header = fmt(boxed, bold=True, align="center", bg_color="#D9D9D9", text_wrap=True)
        self.section = fmt(boxed, bold=True, bg_color="#DDEBF7")
        self.label = fmt(boxed, text_wrap=True)
        self.center = fmt(boxed, align="center")
        self.hint = fmt(boxed, font_size=9, font_color="#595959", text_wrap=True)
        self.id = fmt(boxed, font_size=8, font_color="#808080", num_format="@")
        self.in_int = fmt(entry, num_format="0")
        self.in_money = fmt(entry, num_format="0.00")
        self.in_decimal = fmt(entry, num_format="General")
        self.in_text = fmt(entry, num_format="@", text_wrap=True)
        self.instr_title = fmt(base, bold=True, font_size=14)
        self.instr = fmt(base, text_wrap=True, valign="top")
        self.plain = fmt({}, num_format="@")

    def entry_for(self, value_type: str) -> Any:
        return {
            "int": self.in_int,
            "month": self.in_int,
            "money": self.in_money,
            "decimal": self.in_decimal,
            "number": self.in_decimal,
        }.get(value_type, self.in_text)
