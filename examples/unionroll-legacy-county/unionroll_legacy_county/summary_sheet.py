"""Adapter ``legacy-summary``: the county's old 汇总表, one row per school and one column
per indicator, read into one standard return per school.

The layout counties have kept for years::

    清河县教育工会2025年第一季度工作情况汇总表                      <- title: the period
    序号 | 单位代码 | 学校名称     | 在职教职工（人） | 走访慰问困难教职工（人次） | ...
    1    | S11      | 城关第一小学 | 85               | 6                          | ...
    合计 |          |              | 728              | 87                         | ...  <- skipped

The header row is found by its unit column (单位代码 or 学校名称) and at least a few
headers from the mapping (mapping.toml, plus ``[adapters.legacy-summary]`` of the
workspace config). Cells are passed on raw; validation parses "2.5万元", "—" or 是/否.
A column in 万元 (``scale = 10000``) is converted to 元 when its cell is a number.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from unionroll.core.contracts import Adapter, ReadContext
from unionroll.core.errors import SourceError
from unionroll.core.forms import FormDefinition
from unionroll.core.model import Finding, Location, RawValue, ReturnData
from unionroll_legacy_county.mapping import Column, ColumnMapping, load_mapping, normalize

NAME = "legacy-summary"
MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED = 200 * 1024 * 1024  # a zip that unpacks to more than this is not a summary
HEADER_SCAN_ROWS = 15
_ZIP_MAGIC = b"PK\x03\x04"
_PERIOD = re.compile(r"(\d{4})年(第?[一二三四1-4]季度)")
_PERIOD_CODE = re.compile(r"(\d{4})Q([1-4])", re.IGNORECASE)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    return f"{column_letter(col)}{row + 1}"


@dataclass
class Layout:
    """Where things are on one sheet (0-based rows and columns)."""

    sheet: str
    header_row: int
    code_col: int | None
    name_col: int | None
    columns: dict[int, Column]
    headers: list[str]
    unread: list[int] = field(default_factory=list)  # non-empty headers not in the mapping


def find_layout(sheet: str, rows: list[list[Any]], mapping: ColumnMapping) -> Layout | None:
    """The sheet's header row and columns, or None when it is not a legacy summary."""
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        headers = [normalize(c) if c is not None else "" for c in row]
        code_col = next((i for i, h in enumerate(headers) if h in mapping.unit_code_headers), None)
        name_col = next((i for i, h in enumerate(headers) if h in mapping.unit_name_headers), None)
        columns = {i: mapping.columns[h] for i, h in enumerate(headers) if h in mapping.columns}
        if (code_col is None and name_col is None) or len(columns) < mapping.min_columns:
            continue
        known = {code_col, name_col, *columns}
        unread = [
            i
            for i, h in enumerate(headers)
            if h and i not in known and h not in mapping.ignore_headers
        ]
        return Layout(sheet, r, code_col, name_col, columns, [str(c or "") for c in row], unread)
    return None


def _check_archive(path: Path, display: str) -> None:
    """Refuse what is too big to be a summary before a native reader unpacks it."""
    where = Location(file=display)
    if path.stat().st_size > MAX_BYTES:
        raise SourceError(f"文件超过 {MAX_BYTES // 1024 // 1024} MB，不是汇总表", location=where)
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(f"文件已损坏，无法打开（{exc}）", location=where) from None
    if unpacked > MAX_UNPACKED:
        raise SourceError("文件解压后过大，不是汇总表", location=where, code="too_large")


def _open(path: Path, display: str) -> tuple[list[str], list[tuple[str, list[list[Any]]]]]:
    """Every sheet name, and the visible sheets with their rows (hidden ones are not data)."""
    _check_archive(path, display)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        meta = wb.sheets_metadata
        visible = [m.name for m in meta if m.visible == SheetVisibleEnum.Visible]
        sheets = [(n, wb.get_sheet_by_name(n).to_python(skip_empty_area=False)) for n in visible]
        return [m.name for m in meta], sheets
    except CalamineError as exc:
        raise SourceError(f"无法读取工作簿（{exc}）", location=Location(file=display)) from None


def _period_text(*texts: str) -> str | None:
    for text in texts:
        plain = normalize(text)
        if m := _PERIOD.search(plain):
            return f"{m.group(1)}年{m.group(2)}"
        if m := _PERIOD_CODE.search(plain):
            return f"{m.group(1)}Q{m.group(2)}"
    return None


def _code(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number comes back as 101.0
    text = str(value).strip()
    return text or None


def _scaled(raw: Any, scale: float) -> Any:
    if scale == 1:
        return raw
    number: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = float(raw)
    elif isinstance(raw, str):
        try:
            number = float(unicodedata.normalize("NFKC", raw).replace(",", "").strip())
        except ValueError:
            number = None
    return raw if number is None else round(number * scale, 2)


class _SheetReader:
    def __init__(
        self,
        path: Path,
        display: str,
        layout: Layout,
        rows: list[list[Any]],
        mapping: ColumnMapping,
        form: FormDefinition,
    ) -> None:
        self.path = path
        self.display = display
        self.layout = layout
        self.rows = rows
        self.mapping = mapping
        self.form = form

    def loc(self, row: int | None = None, col: int | None = None) -> Location:
        cell = cell_name(row, col) if row is not None and col is not None else None
        return Location(file=self.display, sheet=self.layout.sheet, cell=cell)

    def sheet_findings(self) -> list[Finding]:
        """Columns that are not read: said once, on the sheet's first return."""
        lay = self.layout
        findings = []
        for i in lay.unread:
            findings.append(
                Finding(
                    "warning",
                    "unmapped_column",
                    f"第 {column_letter(i)} 列“{lay.headers[i]}”不在对照表中，未读取。"
                    "如需读取，请在 unionroll.toml 的 [adapters.legacy-summary.columns] 中补充",
                    self.loc(lay.header_row, i),
                )
            )
        for i, column in lay.columns.items():
            if not self.form.has_indicator(column.indicator):
                findings.append(
                    Finding(
                        "warning",
                        "unknown_indicator",
                        f"第 {column_letter(i)} 列“{lay.headers[i]}”对应的指标 "
                        f"{column.indicator} 不在本县报表中，未读取",
                        self.loc(lay.header_row, i),
                    )
                )
        return findings

    def check_columns(self) -> None:
        seen: dict[str, int] = {}
        for i, column in sorted(self.layout.columns.items()):
            if column.indicator in seen:
                first = seen[column.indicator]
                raise SourceError(
                    f"工作表“{self.layout.sheet}”的第 {column_letter(first)} 列"
                    f"“{self.layout.headers[first]}”和第 {column_letter(i)} 列"
                    f"“{self.layout.headers[i]}”是同一个指标，请删去其中一列",
                    location=self.loc(self.layout.header_row, i),
                    code="duplicate_columns",
                )
            seen[column.indicator] = i

    def read(self, period: str | None, period_location: Location | None) -> list[ReturnData]:
        self.check_columns()
        lay = self.layout
        returns = []
        for r in range(lay.header_row + 1, len(self.rows)):
            row = self.rows[r]
            if not any(c is not None and str(c).strip() for c in row):
                continue
            first = next(normalize(c) for c in row if c is not None and str(c).strip())
            if first in self.mapping.total_rows:
                continue
            returns.append(self.row(r, row, period, period_location))
        if returns:
            returns[0].findings[:0] = self.sheet_findings()
        return returns

    def row(
        self, r: int, row: list[Any], period: str | None, period_location: Location | None
    ) -> ReturnData:
        lay = self.layout

        def cell(col: int | None) -> Any:
            return row[col] if col is not None and col < len(row) else None

        findings: list[Finding] = []
        code = _code(cell(lay.code_col))
        unit_col = lay.code_col if code else lay.name_col
        name = _code(cell(lay.name_col))
        if code is None and name is not None:
            code = self.mapping.units.get(normalize(name))
            if code is None:
                findings.append(
                    Finding(
                        "error",
                        "unit_not_mapped",
                        f"“{name}”没有单位代码：表中没有单位代码列，unionroll.toml 的 "
                        "[adapters.legacy-summary.units] 中也没有写这个单位的代码",
                        self.loc(r, lay.name_col),
                    )
                )
        values = []
        for col, column in sorted(lay.columns.items()):
            raw = cell(col)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            if not self.form.has_indicator(column.indicator):
                continue
            values.append(RawValue(column.indicator, _scaled(raw, column.scale), self.loc(r, col)))
        return ReturnData(
            source=self.path,
            adapter=NAME,
            unit_code=code,
            period=period,
            values=values,
            locator=f"工作表“{lay.sheet}”第 {r + 1} 行",
            unit_location=self.loc(r, unit_col),
            period_location=period_location,
            findings=findings,
        )


class LegacySummaryAdapter(Adapter):
    """One sheet, one row per school, one column per indicator; see the module docstring."""

    name: ClassVar[str] = NAME
    description: ClassVar[str] = "旧版汇总表（.xlsx，每所学校一行、每个指标一列）"
    extensions: ClassVar[tuple[str, ...]] = (".xlsx",)
    priority: ClassVar[int] = 10  # ahead of xlsx-return, which claims every .xlsx

    def sniff(self, path: Path, head: bytes) -> bool:
        if not head.startswith(_ZIP_MAGIC):
            return False
        try:
            names, sheets = _open(path, path.name)
        except SourceError:
            return False  # not ours to explain: the standard reader says what is wrong
        if "_meta" in names:
            return False  # a standard return template
        mapping = load_mapping()
        return any(find_layout(name, rows, mapping) for name, rows in sheets)

    def read(self, path: Path, context: ReadContext) -> list[ReturnData]:
        display = context.display_name or path.name
        mapping = load_mapping(getattr(context, "settings", None))
        returns: list[ReturnData] = []
        for sheet, rows in _open(path, display)[1]:
            layout = find_layout(sheet, rows, mapping)
            if layout is None:
                continue
            title = " ".join(str(c) for row in rows[: layout.header_row] for c in row if c)
            period = _period_text(title, sheet, Path(display).stem)
            where = Location(file=display, sheet=sheet, cell=cell_name(0, 0))
            if period is None:
                raise SourceError(
                    f"工作表“{sheet}”的标题中没有写明期间。请在表格标题中写上期间，"
                    "如“2025年第一季度”，或在文件名中写上",
                    location=where,
                    code="no_period",
                )
            reader = _SheetReader(path, display, layout, rows, mapping, context.form)
            returns.extend(reader.read(period, where))
        if not returns:
            raise SourceError(
                "没有找到汇总表：需要一行表头，含“单位代码”或“学校名称”列和各项指标列",
                location=Location(file=display),
                code="no_table",
            )
        return returns
