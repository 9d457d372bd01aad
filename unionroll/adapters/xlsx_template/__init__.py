"""The Excel return template: one workbook per unit and period, written with xlsxwriter.

The layout is a contract with :mod:`unionroll.adapters.xlsx_return` and with any program
that fills templates in; docs/return-format.md describes it and the constants in
``layout`` are its single source. Rows are found by the ids in the 指标代码 column and
register columns by the id row, so a user inserting rows or moving columns does not break
reading.

Everything a user can type or that comes from user data is written with ``write_string``
and the workbook refuses to turn strings into formulas, numbers or links.

The package: ``layout`` (sheet names, columns, rows, metadata keys), ``text`` (dates,
drop-down labels and hints in Chinese), ``formats`` (cell formats), ``cells`` (drop-down
lists, number checks, pre-filled values), ``data_sheet`` (报表), ``register_sheet`` (the
registers), ``writer`` (:func:`write_template`, the instructions and metadata sheets),
``batch`` (:func:`write_templates` and :func:`template_filename`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unionroll.adapters.xlsx_template.layout import (
    COL_ID,
    COL_LABEL,
    COL_NO,
    COL_NOTE,
    COL_UNIT,
    COL_VALUE,
    COLUMN_HEADER_ROW,
    DATA_HEADERS,
    DATA_SHEET,
    DEFAULT_REGISTER_ROWS,
    FIRST_HEADER_FIELD_ROW,
    HEADER_FIELDS,
    HEADER_ID_TEXT,
    HEADER_LABEL_TEXT,
    HEADER_VALUE_TEXT,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    META_KEYS,
    META_SHEET,
    MONTHS,
    REG_FIRST_DATA_ROW,
    REG_ID_ROW,
    REG_LABEL_ROW,
    REG_TITLE_ROW,
    TEMPLATE_FORMAT,
    cell_name,
    meta_cell,
)
from unionroll.adapters.xlsx_template.text import (
    format_date_zh,
    indicator_list_label,
    list_indicators,
    type_hint,
)
from unionroll.core.lazy import lazy_names

if TYPE_CHECKING:
    from unionroll.adapters.xlsx_template.batch import (
        TemplateJob,
        template_filename,
        write_templates,
    )
    from unionroll.adapters.xlsx_template.writer import write_template

# The writing half (xlsxwriter) is imported when first asked for: reading a return needs
# only the layout, and a command that writes no template is spared xlsxwriter's import.
_WRITING = {
    "TemplateJob": "batch",
    "template_filename": "batch",
    "write_templates": "batch",
    "write_template": "writer",
}


__getattr__ = lazy_names(__name__, _WRITING)


__all__ = [
    "COLUMN_HEADER_ROW",
    "COL_ID",
    "COL_LABEL",
    "COL_NO",
    "COL_NOTE",
    "COL_UNIT",
    "COL_VALUE",
    "DATA_HEADERS",
    "DATA_SHEET",
    "DEFAULT_REGISTER_ROWS",
    "FIRST_HEADER_FIELD_ROW",
    "HEADER_FIELDS",
    "HEADER_ID_TEXT",
    "HEADER_LABEL_TEXT",
    "HEADER_VALUE_TEXT",
    "INSTRUCTIONS_SHEET",
    "LISTS_SHEET",
    "META_KEYS",
    "META_SHEET",
    "MONTHS",
    "REG_FIRST_DATA_ROW",
    "REG_ID_ROW",
    "REG_LABEL_ROW",
    "REG_TITLE_ROW",
    "TEMPLATE_FORMAT",
    "TemplateJob",
    "cell_name",
    "format_date_zh",
    "indicator_list_label",
    "list_indicators",
    "meta_cell",
    "template_filename",
    "type_hint",
    "write_template",
    "write_templates",
]
