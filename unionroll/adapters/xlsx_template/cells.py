"""What goes into entry cells: drop-down lists, number checks and pre-filled values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from unionroll.adapters.xlsx_template.formats import _Formats
from unionroll.adapters.xlsx_template.layout import LISTS_SHEET
from unionroll.adapters.xlsx_template.text import _num

# Excel limits: a list validation's inline source is at most 255 characters.
_INLINE_LIST_MAX = 250


class _CellsMixin:
    """Validations for the writer's sheets; long lists go on the hidden lists sheet."""

    f: _Formats
    lists: Worksheet
    _list_cols: dict[tuple[str, ...], str]

    def _list_source(self, values: Sequence[str], title: str) -> str | list[str]:
        """An inline list when it fits Excel's limit, else a range on the lists sheet."""
        if sum(len(v) + 1 for v in values) <= _INLINE_LIST_MAX and not any(
            "," in v or '"' in v for v in values
        ):
            return list(values)
        key = tuple(values)
        if key not in self._list_cols:
            col = len(self._list_cols)
            self.lists.write_string(0, col, title, self.f.plain)
            for i, v in enumerate(values, start=1):
                self.lists.write_string(i, col, v, self.f.plain)
            letter = xl_col_to_name(col)
            self._list_cols[key] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        return self._list_cols[key]

    def _validate_list(
        self,
        ws: Worksheet,
        rng: tuple[int, int, int, int],
        values: Sequence[str],
        title: str,
        message: str,
    ) -> None:
        source = self._list_source(values, title)
        ws.data_validation(
            *rng,
            {
                "validate": "list",
                "source": source,
                "input_title": title[:32],
                "input_message": message[:255],
                "error_title": "请从下拉列表中选择",
                "error_message": ("只能填写：" + "、".join(values))[:255]
                if isinstance(source, list)
                else "只能填写下拉列表中的内容。",
                "error_type": "stop",
            },
        )

    def _validate_number(
        self,
        ws: Worksheet,
        rng: tuple[int, int, int, int],
        *,
        whole: bool,
        minimum: float,
        maximum: float,
        title: str,
        message: str,
    ) -> None:
        kind = "整数" if whole else "数字"
        ws.data_validation(
            *rng,
            {
                "validate": "integer" if whole else "decimal",
                "criteria": "between",
                "minimum": minimum,
                "maximum": maximum,
                "input_title": title[:32],
                "input_message": message[:255],
                "error_title": f"请填写{kind}",
                "error_message": f"这里只能填写 {_num(minimum)} 到 {_num(maximum)} 之间的{kind}。"
                "不要填写文字或单位。",
                "error_type": "stop",
            },
        )


def _write_value(ws: Worksheet, row: int, col: int, value: Any, fmt: Any) -> None:
    """A pre-filled value: numbers as numbers, everything else as literal text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        ws.write_string(row, col, str(value), fmt)
    else:
        ws.write_number(row, col, value, fmt)
