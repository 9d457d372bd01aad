"""The template's layout: sheet names, columns, rows and metadata keys.

The layout is a contract with :mod:`unionroll.adapters.xlsx_return` and with any program
that fills templates in; docs/return-format.md describes it and the constants here are its
single source.
"""

from __future__ import annotations

import functools

from unionroll.core.unit_table import column_letter

# --- the layout (documented in docs/return-format.md; change both together) -------------

TEMPLATE_FORMAT = 1  # bump when the layout changes in a way a reader must know about

DATA_SHEET = "报表"
INSTRUCTIONS_SHEET = "填表说明"
LISTS_SHEET = "_lists"
META_SHEET = "_meta"

# Data sheet columns (0-based), found by their header text when reading.
COL_NO, COL_LABEL, COL_UNIT, COL_VALUE, COL_NOTE, COL_ID = range(6)
DATA_HEADERS = ("序号", "指标", "单位", "填报值", "说明", "指标代码")
HEADER_ID_TEXT = DATA_HEADERS[COL_ID]
HEADER_VALUE_TEXT = DATA_HEADERS[COL_VALUE]
HEADER_LABEL_TEXT = DATA_HEADERS[COL_LABEL]

# The unit/period block at the top of the data sheet: (key in the id column, label).
# Keys start with "_" so they can never clash with an indicator id.
HEADER_FIELDS: tuple[tuple[str, str], ...] = (
    ("_unit_name", "填报单位"),
    ("_unit_code", "单位代码"),
    ("_unit_level", "单位层级"),
    ("_period_label", "报表期间"),
    ("_period", "期间代码"),
    ("_deadline", "报送截止日期"),
)
FIRST_HEADER_FIELD_ROW = 1  # 0-based: row 2 in Excel
COLUMN_HEADER_ROW = FIRST_HEADER_FIELD_ROW + len(HEADER_FIELDS) + 1  # row 9 in Excel

# Register sheets (0-based rows): a title, the Chinese labels, the column ids, then data.
REG_TITLE_ROW, REG_LABEL_ROW, REG_ID_ROW, REG_FIRST_DATA_ROW = 0, 1, 2, 3
DEFAULT_REGISTER_ROWS = 200

META_KEYS = (
    "template_format",
    "form_id",
    "form_version",
    "form_title",
    "unit_code",
    "unit_name",
    "unit_level",
    "unit_level_name",
    "period",
    "period_label",
    "deadline",
    "template_id",
    "generated_at",
    "generator",
)

MONTHS = tuple(str(m) for m in range(1, 13))


@functools.lru_cache(maxsize=65536)
def cell_name(row: int, col: int) -> str:
    """A cell's name in A1 notation from its 0-based row and column (row 6, column 1: B7),
    as xlsxwriter names it; a reader of returns is spared importing xlsxwriter for it. The
    same few hundred cells are named in every return, hence remembered."""
    return f"{column_letter(col)}{row + 1}"


def meta_cell(key: str) -> str:
    """Where the template writes a metadata key (A1 notation of its value cell)."""
    return cell_name(META_KEYS.index(key) + 1, 1)
