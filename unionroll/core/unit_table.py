"""Reading a unit list (单位名单) from a spreadsheet or CSV file into plain rows.

This module only reads and normalizes: it finds the header row, maps the column names a
county office actually writes (``代码``, ``单位名称``, ``上级单位代码（县级留空）`` ...) to
fields, and turns cells into text. Whether the rows make a sound hierarchy is checked in
:mod:`unionroll.core.unit_check`.

Row numbers are the ones the user sees in Excel or WPS: the first row of the sheet (or the
first line of the CSV) is row 1.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unionroll.core.errors import ImportRejected, RowProblem, SourceError, UsageError
from unionroll.core.zh import decode_office_text

FIELDS = ("code", "name", "level", "parent_code", "active_from", "active_to")
REQUIRED = ("code", "name", "level", "parent_code")
FIELD_LABELS = {
    "code": "代码",
    "name": "名称",
    "level": "层级",
    "parent_code": "上级代码",
    "active_from": "启用日期",
    "active_to": "撤销日期",
}

# Keys are normalized by _header_key: NFKC, lower case, no spaces/underscores/hyphens,
# no "*" marks and no parenthesized notes.
_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "unitcode", "代码", "单位代码", "编码", "单位编码"),
    "name": ("name", "unitname", "名称", "单位名称"),
    "level": ("level", "unitlevel", "层级", "单位层级", "级别"),
    "parent_code": (
        "parentcode",
        "parent",
        "上级代码",
        "上级单位代码",
        "上级编码",
        "上级单位编码",
    ),
    "active_from": ("activefrom", "启用日期", "成立日期"),
    "active_to": ("activeto", "撤销日期", "停用日期"),
}
_HEADER_TO_FIELD = {alias: f for f, aliases in _HEADER_ALIASES.items() for alias in aliases}

# A title line above the header ("某某县教育工会基层单位名单") is common; look a few rows down.
_HEADER_SEARCH_ROWS = 10

_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class UnitRow:
    """One data row as read. Text fields are stripped ("" when empty); dates stay raw."""

    row: int
    code: str
    name: str
    level: str
    parent_code: str
    active_from: Any = None
    active_to: Any = None


@dataclass
class UnitTable:
    """The rows of a unit list, with where its header was and which columns it had."""

    source: str
    header_row: int
    columns: dict[str, str]  # field -> the header text as written in the file
    rows: list[UnitRow] = field(default_factory=list)
    sheet: str | None = None  # the worksheet read, for workbooks

    def has(self, field_name: str) -> bool:
        return field_name in self.columns


def read_unit_file(path: str | Path) -> UnitTable:
    """Read a unit list from .xlsx/.xls/.ods (first sheet) or .csv (UTF-8 or GBK).

    Raises UsageError when the file is missing or of a type that is not a table,
    SourceError when it cannot be read, ImportRejected when it has no usable header.
    """
    path = Path(path)
    if not path.exists():
        raise UsageError(f"找不到文件 {path}")
    if path.is_dir():
        raise UsageError(f"{path} 是文件夹，请指定单位名单文件（.xlsx 或 .csv）。")
    data = path.read_bytes()
    if not data.strip():
        raise ImportRejected(f"单位名单 {path.name} 是空的，没有表头也没有数据。", [])
    suffix = path.suffix.lower()
    # The content decides, not the name: a workbook renamed to .csv is still a workbook.
    sheet = None
    if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)) or suffix in _SPREADSHEET_SUFFIXES:
        grid, sheet = _read_workbook(path)
    elif suffix in _TEXT_SUFFIXES or not suffix:
        grid = _read_text(data, path.name)
    else:
        raise UsageError(
            f"不支持的文件类型 {path.suffix}：单位名单请用 Excel（.xlsx）或 CSV（.csv）文件。"
        )
    return table_from_grid(grid, path.name, sheet=sheet)


def table_from_grid(grid: list[list[Any]], source: str, *, sheet: str | None = None) -> UnitTable:
    """Turn a grid of cells (first row = spreadsheet row 1) into a UnitTable."""
    header_index = _find_header(grid)
    if header_index is None:
        first = next((i for i, r in enumerate(grid) if any(_text(c) for c in r)), None)
        if first is None:
            what = f"{source} 的第一个工作表“{sheet}”" if sheet else f"{source} "
            raise ImportRejected(f"单位名单 {what}是空的，没有表头也没有数据。", [])
        missing = "、".join(FIELD_LABELS[f] for f in REQUIRED)
        raise ImportRejected(
            f"单位名单 {source} 找不到表头，未导入任何单位：",
            [RowProblem(first + 1, f"缺少必需的列：{missing}。{_accepted_headers_hint()}")],
        )
    header_row = header_index + 1
    columns, positions, problems = _map_header(grid[header_index], header_row)
    missing = [f for f in REQUIRED if f not in positions]
    if missing:
        names = "、".join(FIELD_LABELS[f] for f in missing)
        hint = _accepted_headers_hint()
        problems.append(RowProblem(header_row, f"缺少必需的列：{names}。{hint}"))
    if problems:
        raise ImportRejected(f"单位名单 {source} 的表头有问题，未导入任何单位：", problems)

    rows: list[UnitRow] = []
    for index in range(header_index + 1, len(grid)):
        cells = grid[index]

        def cell(name: str, cells: list[Any] = cells) -> Any:
            pos = positions.get(name)
            return cells[pos] if pos is not None and pos < len(cells) else None

        if not any(_text(c) for c in cells):
            continue  # blank lines between blocks are harmless
        rows.append(
            UnitRow(
                row=index + 1,
                code=code_text(cell("code")),
                name=_text(cell("name")),
                level=unicodedata.normalize("NFKC", _text(cell("level"))).strip(),
                parent_code=code_text(cell("parent_code")),
                active_from=_blank_to_none(cell("active_from")),
                active_to=_blank_to_none(cell("active_to")),
            )
        )
    if not rows:
        raise ImportRejected(
            f"单位名单 {source} 只有表头（第 {header_row} 行），没有单位数据，未导入任何单位。", []
        )
    return UnitTable(source=source, header_row=header_row, columns=columns, rows=rows, sheet=sheet)


def code_text(value: Any) -> str:
    """A unit code as text: Excel numbers (1001.0) lose their ".0", full-width digits become
    ASCII, surrounding spaces go."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    # "1001.0" in a CSV comes from a tool that read the code as a number; it is still 1001.
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".", 1)[0]
    return text


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


# --- internals -----------------------------------------------------------------------


def _read_workbook(path: Path) -> tuple[list[list[Any]], str]:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        try:
            if not workbook.sheet_names:
                raise SourceError(f"Excel 文件 {path.name} 中没有工作表。")
            sheet = workbook.get_sheet_by_index(0)
            return sheet.to_python(skip_empty_area=False), sheet.name
        finally:
            workbook.close()
    except SourceError:
        raise
    except python_calamine.PasswordError:
        raise SourceError(
            f"Excel 文件 {path.name} 设置了打开密码，无法读取。请取消密码后另存再导入。"
        ) from None
    except Exception as exc:  # calamine raises several unrelated types for corrupt files
        raise SourceError(
            f"无法读取 Excel 文件 {path.name}（文件可能已损坏或不是 Excel 文件）：{exc}"
        ) from None


def _read_text(data: bytes, name: str) -> list[list[Any]]:
    text = _decode(data, name)
    first_line = text.split("\n", 1)[0]
    # Excel's "Unicode 文本" and some WPS exports are tab-separated.
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise SourceError(f"CSV 文件 {name} 格式有误：{exc}") from None


def _decode(data: bytes, name: str) -> str:
    text = decode_office_text(data)
    if text is not None:
        return text
    raise SourceError(
        f"无法识别 CSV 文件 {name} 的文字编码（既不是 UTF-8 也不是 GBK）。"
        "请在 Excel 中“另存为”CSV 或 xlsx 后重新导入。"
    )


def _header_key(value: Any) -> str:
    text = unicodedata.normalize("NFKC", _text(value)).lower()
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)  # notes like （县级留空）
    return re.sub(r"[\s_\-*:：]", "", text)


def _find_header(grid: list[list[Any]]) -> int | None:
    seen = 0
    for index, cells in enumerate(grid):
        if not any(_text(c) for c in cells):
            continue
        if any(_header_key(c) in _HEADER_TO_FIELD for c in cells):
            return index
        seen += 1
        if seen >= _HEADER_SEARCH_ROWS:
            break
    return None


def _map_header(
    cells: list[Any], header_row: int
) -> tuple[dict[str, str], dict[str, int], list[RowProblem]]:
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    problems: list[RowProblem] = []
    for pos, cell in enumerate(cells):
        name = _HEADER_TO_FIELD.get(_header_key(cell))
        if name is None:
            continue  # extra columns (序号, 备注, 上级名称 ...) are allowed and ignored
        if name in positions:
            problems.append(
                RowProblem(
                    header_row,
                    f"“{FIELD_LABELS[name]}”列出现了两次（第 {column_letter(positions[name])} 列"
                    f"“{columns[name]}”和第 {column_letter(pos)} 列“{_text(cell)}”），请只保留一列",
                )
            )
            continue
        positions[name] = pos
        columns[name] = _text(cell)
    return columns, positions, problems


def _accepted_headers_hint() -> str:
    return (
        "表头可写：代码（或 单位代码、code）、名称（或 单位名称、name）、层级（或 level）、"
        "上级代码（或 上级单位代码、parent_code），可选 启用日期、撤销日期"
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _blank_to_none(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value.strip() if isinstance(value, str) else value
