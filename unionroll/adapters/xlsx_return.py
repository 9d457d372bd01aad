"""Built-in adapter ``xlsx-return``: reads a filled-in Excel return template.

The layout is described in docs/return-format.md and written by
:mod:`unionroll.adapters.xlsx_template`. Unit, period, form and template id come from the
hidden ``_meta`` sheet; indicator values from the 报表 sheet, found by the id in its
指标代码 column; register rows from one sheet per register, columns found by the row of
column ids. Inserted rows and moved columns therefore still read right.

The archive is checked by :mod:`unionroll.adapters.xlsx_safety` before python-calamine
reads it; calamine never evaluates formulas and gives a formula cell's cached value, and
the formulas themselves are found in the sheet XML so validation can warn about them.

Blank input cells produce no :class:`RawValue` (validation treats a missing value as not
reported); blank register cells are ``None``. Values are passed on raw: numbers as floats,
text as typed, dates as ``datetime``/``date``.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import Any, ClassVar

from python_calamine import CalamineError, CalamineWorkbook
from xlsxwriter.utility import xl_rowcol_to_cell

from unionroll.adapters import xlsx_safety
from unionroll.adapters.xlsx_template import (
    COL_ID,
    COL_LABEL,
    COL_VALUE,
    DATA_SHEET,
    HEADER_ID_TEXT,
    HEADER_LABEL_TEXT,
    HEADER_VALUE_TEXT,
    META_SHEET,
    TEMPLATE_FORMAT,
)
from unionroll.core.contracts import Adapter, ReadContext
from unionroll.core.errors import PeriodError, SourceError
from unionroll.core.forms import FormDefinition, Register
from unionroll.core.hookspecs import hookimpl
from unionroll.core.model import Finding, Location, RawRegisterRow, RawValue, ReturnData
from unionroll.core.periods import Period

NAME = "xlsx-return"
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlt", ".et", ".ett")
_HEADER_SCAN_ROWS = 60  # where to look for the data sheet's column header row
_ID_ROW_SCAN_ROWS = 20  # where to look for a register sheet's row of column ids
_REQUIRED_META = ("form_id", "form_version", "unit_code", "period")
_YES = {"是", "yes", "true", "1", "y"}
_SNIFF_TAIL = 128 * 1024  # a return's central directory is a few KiB

Cell = Any  # what calamine gives: str, float, int, bool, date, datetime, time, timedelta


class XlsxReturnAdapter(Adapter):
    name = NAME
    description = "Excel 报表模板（.xlsx），由 unionroll template 生成"
    extensions = (".xlsx", ".xlsm")

    priority: ClassVar[int] = 0

    def sniff(self, path: Path, head: bytes) -> bool:
        suffix = path.suffix.lower()
        if head.startswith(xlsx_safety.OLE_MAGIC):
            # Old .xls, WPS .et and password-protected workbooks: claim them to say what to do.
            return suffix in _SPREADSHEET_SUFFIXES
        if suffix in _SPREADSHEET_SUFFIXES:
            return True  # even when it is not a workbook inside: read() says what it is
        if not head.startswith(xlsx_safety.ZIP_MAGIC):
            return False
        # A zip of another name: look for the workbook part in its central directory, at the
        # end of the file, without parsing a directory that may be hostile.
        try:
            with path.open("rb") as fh:
                fh.seek(0, 2)
                fh.seek(max(0, fh.tell() - _SNIFF_TAIL))
                tail = fh.read(_SNIFF_TAIL)
        except OSError:
            return False
        return b"xl/workbook.xml" in tail.lower()

    def read(self, path: Path, context: ReadContext) -> list[ReturnData]:
        name = context.display_name or path.name
        info = xlsx_safety.check_file(path, name)
        return [_Reader(path, name, info, context).read()]


@hookimpl
def register_adapters() -> list[Adapter]:
    return [XlsxReturnAdapter()]


# --- reading ------------------------------------------------------------------------------


def _norm_text(value: Any) -> str:
    """Text for comparing labels: full-width forms folded, all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def _key(value: Cell) -> str:
    """A code or id as text: numbers that Excel turned into floats become integers again."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    return str(value)


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(rows: list[list[Cell]], r: int, c: int) -> Cell:
    if r < len(rows) and c < len(rows[r]):
        return rows[r][c]
    return None


def _raw(value: Cell) -> Any:
    """A cell as read, blank text as None. Dates stay dates: validation refuses them where
    numbers belong, with the date in its message."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


class _Reader:
    def __init__(
        self, path: Path, display: str, info: xlsx_safety.ArchiveInfo, context: ReadContext
    ) -> None:
        self.path = path
        self.display = display
        self.info = info
        self.context = context
        self.findings: list[Finding] = []

    def loc(self, sheet: str, r: int, c: int) -> Location:
        return Location(file=self.display, sheet=sheet, cell=xl_rowcol_to_cell(r, c))

    def fail(self, message: str, code: str, location: Location | None = None) -> SourceError:
        return SourceError(message, code=code, location=location or Location(file=self.display))

    def rows(self, wb: CalamineWorkbook, sheet: str) -> list[list[Cell]]:
        try:
            return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except CalamineError as exc:
            raise self.fail(
                f"工作表“{sheet}”已损坏，无法读取（{exc}）。"
                "请在 Excel/WPS 中重新保存为 .xlsx 后再报送。",
                "corrupt",
                Location(file=self.display, sheet=sheet),
            ) from None

    def formula(self, sheet: str, ref: str) -> str | None:
        part = self.info.sheets.get(sheet)
        return self.info.formulas.get(part, {}).get(ref) if part else None

    def read(self) -> ReturnData:
        try:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(self.info.data))
        except CalamineError as exc:
            raise self.fail(
                f"文件已损坏，无法读取（{exc}）。"
                "请在 Excel/WPS 中打开确认无误后重新保存为 .xlsx，再报送。",
                "corrupt",
            ) from None
        with wb:
            names = wb.sheet_names
            if META_SHEET not in names:
                raise self.fail(
                    f"文件中缺少隐藏的模板信息工作表“{META_SHEET}”，无法确定是哪个单位、哪个期间的报表。"
                    "这通常是因为把内容复制到了新建的工作簿，或删除了隐藏的工作表。"
                    "请重新下载本单位的报表模板，在模板中填写后再报送。",
                    "meta_missing",
                )
            meta, meta_cells = self.read_meta(self.rows(wb, META_SHEET))
            data = self.return_data(meta, meta_cells)
            form = self.form_for(data)
            if DATA_SHEET not in names:
                visible = "、".join(f"“{n}”" for n in names if not n.startswith("_"))
                raise self.fail(
                    f"找不到工作表“{DATA_SHEET}”（现有工作表：{visible}）。"
                    f"请不要修改工作表名称：把填写指标的工作表改回“{DATA_SHEET}”后再报送。",
                    "data_sheet_missing",
                )
            self.read_data_sheet(self.rows(wb, DATA_SHEET), data, form, meta, meta_cells)
            for reg in form.registers if form else self.context.form.registers:
                if reg.name not in names:
                    self.findings.append(
                        Finding(
                            "warning",
                            "register_sheet_missing",
                            f"找不到工作表“{reg.name}”，未读取{reg.name}。"
                            "如有内容，请使用原模板填写，不要修改或删除工作表。",
                            location=Location(file=self.display),
                        )
                    )
                    continue
                data.registers.extend(self.read_register(self.rows(wb, reg.name), reg, form))
        data.findings.extend(self.findings)
        return data

    # --- metadata ---------------------------------------------------------------------

    def read_meta(self, rows: list[list[Cell]]) -> tuple[dict[str, str], dict[str, Location]]:
        meta: dict[str, str] = {}
        cells: dict[str, Location] = {}
        for r, row in enumerate(rows):
            if not row:
                continue
            key = _key(row[0])
            if not key or key in meta or key == "key":
                continue
            meta[key] = _key(row[1]) if len(row) > 1 else ""
            cells[key] = self.loc(META_SHEET, r, 1)
        missing = [k for k in _REQUIRED_META if not meta.get(k)]
        if missing:
            raise self.fail(
                f"隐藏的模板信息工作表“{META_SHEET}”不完整（缺少 {'、'.join(missing)}），"
                "模板可能被改动过。请重新下载本单位的报表模板，在模板中填写后再报送。",
                "meta_incomplete",
                Location(file=self.display, sheet=META_SHEET),
            )
        fmt = meta.get("template_format", "1")
        try:
            fmt_no = int(float(fmt))
        except (ValueError, OverflowError):
            fmt_no = TEMPLATE_FORMAT + 1
        if fmt_no > TEMPLATE_FORMAT:
            raise self.fail(
                f"这份模板的格式版本（{fmt}）比本程序能读的新（{TEMPLATE_FORMAT}），"
                "请升级 unionroll 后再导入。",
                "template_too_new",
                cells.get("template_format"),
            )
        return meta, cells

    def return_data(self, meta: dict[str, str], cells: dict[str, Location]) -> ReturnData:
        try:
            version = int(float(meta["form_version"]))
        except (ValueError, OverflowError):
            raise self.fail(
                f"模板信息中的报表版本“{meta['form_version']}”无法识别，模板可能被改动过。"
                "请重新下载本单位的报表模板。",
                "meta_incomplete",
                cells["form_version"],
            ) from None
        return ReturnData(
            source=self.path,
            adapter=NAME,
            unit_code=meta["unit_code"],
            period=meta["period"],
            form_id=meta["form_id"],
            form_version=version,
            consolidated=meta.get("consolidated", "").strip().lower() in _YES,
            template_id=meta.get("template_id") or None,
            unit_location=cells["unit_code"],
            period_location=cells["period"],
            form_location=cells["form_version"],
        )

    def form_for(self, data: ReturnData) -> FormDefinition | None:
        """The form the template was made from, when it is known; None for a foreign one
        (values are still read by id, for validation to reject with the right message)."""
        key = f"{data.form_id}@{data.form_version}"
        if key in self.context.forms:
            return self.context.forms[key]
        form = self.context.form
        if form.id == data.form_id and form.version == data.form_version:
            return form
        return None

    # --- the data sheet ---------------------------------------------------------------

    def read_data_sheet(
        self,
        rows: list[list[Cell]],
        data: ReturnData,
        form: FormDefinition | None,
        meta: dict[str, str],
        meta_cells: dict[str, Location],
    ) -> None:
        id_col, value_col, label_col = COL_ID, COL_VALUE, COL_LABEL
        for r in range(min(len(rows), _HEADER_SCAN_ROWS)):
            texts = [_key(v) for v in rows[r]]
            if HEADER_ID_TEXT in texts:
                id_col = texts.index(HEADER_ID_TEXT)
                value_col = (
                    texts.index(HEADER_VALUE_TEXT) if HEADER_VALUE_TEXT in texts else value_col
                )
                label_col = (
                    texts.index(HEADER_LABEL_TEXT) if HEADER_LABEL_TEXT in texts else label_col
                )
                break
        known = {ind.id: ind for ind in form.indicators} if form else {}
        shown: dict[str, tuple[str, Location]] = {}
        for r, row in enumerate(rows):
            if id_col >= len(row):
                continue
            key = _key(row[id_col])
            if not key or key == HEADER_ID_TEXT:
                continue
            value = row[value_col] if value_col < len(row) else None
            where = self.loc(DATA_SHEET, r, value_col)
            if key.startswith("_"):
                shown.setdefault(key, (_key(value), where))
                continue
            has_value = not _blank(value)
            formula = self.formula(DATA_SHEET, where.cell or "")
            ind = known.get(key)
            if ind is not None:
                label = _cell(rows, r, label_col)
                if _norm_text(label or "") != _norm_text(ind.label):
                    self.findings.append(
                        self.label_finding(key, ind.label, label, r, label_col, has_value)
                    )
            # A blank cell is not reported and is left out; a formula that left no value
            # is kept (raw None) so validation can say why the cell counts as blank.
            # Rows of one id given twice are all passed on: validation judges them.
            data.input_cells.setdefault(key, where)
            if has_value or formula is not None:
                data.values.append(
                    RawValue(indicator_id=key, raw=_raw(value), location=where, formula=formula)
                )
        # An indicator whose row is gone (its id cell changed or deleted) still has a
        # place to be named: the data sheet it belongs on.
        sheet_only = Location(file=self.display, sheet=DATA_SHEET)
        for ind_id in known:
            data.input_cells.setdefault(ind_id, sheet_only)
        self.check_shown(shown, meta, meta_cells)

    def label_finding(
        self, key: str, expected: str, found: Cell, r: int, c: int, has_value: bool
    ) -> Finding:
        found_text = _key(found)
        return Finding(
            "error" if has_value else "warning",
            "label_changed",
            f"第 {r + 1} 行的指标名称是“{found_text}”，与指标代码 {key} 的名称“{expected}”不一致。"
            "可能是修改了指标名称，或移动了行、填错了行。请使用原模板，不要修改指标名称和指标代码，"
            "并核对该行的数值。",
            location=self.loc(DATA_SHEET, r, c),
            indicator_id=key,
            label=expected,
            found=found_text,
            expected=expected,
        )

    def check_shown(
        self,
        shown: dict[str, tuple[str, Location]],
        meta: dict[str, str],
        meta_cells: dict[str, Location],
    ) -> None:
        """The unit and period shown on the data sheet must be the ones the template was
        made for: a mismatch means someone edited them or copied another unit's template."""
        if "_unit_code" in shown:
            text, where = shown["_unit_code"]
            if text != meta["unit_code"]:
                self.findings.append(
                    self.mismatch(
                        "unit_mismatch",
                        "单位代码",
                        text,
                        where,
                        meta["unit_code"],
                        meta_cells["unit_code"],
                    )
                )
        for key in ("_period", "_period_label"):
            if key not in shown:
                continue
            text, where = shown[key]
            if not _same_period(text, meta["period"]):
                self.findings.append(
                    self.mismatch(
                        "period_mismatch",
                        "报表期间",
                        text,
                        where,
                        meta["period"],
                        meta_cells["period"],
                    )
                )
        if "_unit_name" in shown and meta.get("unit_name"):
            text, where = shown["_unit_name"]
            if _norm_text(text) != _norm_text(meta["unit_name"]):
                finding = self.mismatch(
                    "unit_name_mismatch",
                    "单位名称",
                    text,
                    where,
                    meta["unit_name"],
                    meta_cells["unit_name"],
                )
                finding.severity = "warning"
                self.findings.append(finding)

    def mismatch(
        self, code: str, what: str, shown: str, where: Location, recorded: str, meta_where: Location
    ) -> Finding:
        return Finding(
            "error",
            code,
            f"报表上的{what}“{shown}”（{where.sheet}!{where.cell}）与模板中记录的{what}"
            f"“{recorded}”（隐藏工作表 {meta_where.sheet}!{meta_where.cell}）不一致。"
            "可能是改动了表头，或使用了其他单位、其他期间的模板。请用本单位本期的模板重新填报。",
            location=where,
            found=shown,
            expected=recorded,
        )

    # --- register sheets ----------------------------------------------------------------

    def read_register(
        self, rows: list[list[Cell]], reg: Register, form: FormDefinition | None
    ) -> list[RawRegisterRow]:
        col_ids = {col.id for col in reg.columns}
        best_row, best = -1, {}
        for r in range(min(len(rows), _ID_ROW_SCAN_ROWS)):
            found: dict[int, str] = {}
            for c, v in enumerate(rows[r]):
                cid = _key(v)
                if cid in col_ids and cid not in found.values():
                    found[c] = cid
            if len(found) > len(best):
                best_row, best = r, found
        if best_row < 0:
            self.findings.append(
                Finding(
                    "error",
                    "register_ids_missing",
                    f"工作表“{reg.name}”中找不到列代码行（表头下面灰色小字的一行），无法读取该表。"
                    "请使用原模板，不要删除表头。",
                    location=Location(file=self.display, sheet=reg.name),
                )
            )
            return []
        missing = [col.label for col in reg.columns if col.id not in best.values()]
        if missing:
            self.findings.append(
                Finding(
                    "warning",
                    "register_column_missing",
                    f"工作表“{reg.name}”中缺少这些列：{'、'.join(missing)}。请使用原模板，不要删除列。",
                    location=Location(file=self.display, sheet=reg.name, line=best_row + 1),
                )
            )
        indicator_ids = _indicator_lookup(form or self.context.form)
        part = self.info.sheets.get(reg.name)
        formulas = self.info.formulas.get(part, {}) if part else {}
        out: list[RawRegisterRow] = []
        for r in range(best_row + 1, len(rows)):
            row = rows[r]
            cells: dict[str, Any] = {}
            locations: dict[str, Location] = {}
            empty = True
            for c, cid in best.items():
                value = _raw(row[c]) if c < len(row) else None
                if value is not None:
                    empty = False
                    if reg.column(cid).type == "indicator" and isinstance(value, str):
                        value = indicator_ids.get(_norm_text(value), value)
                cells[cid] = value
                locations[cid] = self.loc(reg.name, r, c)
            if empty:
                continue
            for cid, where in locations.items():
                if where.cell in formulas and cells[cid] is not None:
                    self.findings.append(
                        Finding(
                            "warning",
                            "formula",
                            f"单元格中是公式 {formulas[where.cell]}，"
                            f"已按其计算结果“{cells[cid]}”读取。"
                            "请直接填写内容，不要用公式。",
                            location=where,
                            found=cells[cid],
                        )
                    )
            out.append(
                RawRegisterRow(
                    register=reg.id,
                    row_no=r + 1,
                    cells=cells,
                    locations=locations,
                    location=Location(file=self.display, sheet=reg.name, line=r + 1),
                )
            )
        return out


_LOOKUPS: dict[int, tuple[FormDefinition, dict[str, str]]] = {}


def _indicator_lookup(form: FormDefinition) -> dict[str, str]:
    """Normalised label or id → id, for the 对应指标 column (which shows labels).

    Cached by the form object's identity: a form is immutable, and hashing one (every
    section and indicator) would cost more than building the lookup.
    """
    cached = _LOOKUPS.get(id(form))
    if cached is not None and cached[0] is form:
        return cached[1]
    lookup: dict[str, str] = {}
    for ind in form.indicators:
        lookup.setdefault(_norm_text(ind.label), ind.id)
    for ind in form.indicators:
        lookup[_norm_text(ind.id)] = ind.id
    if len(_LOOKUPS) > 16:
        _LOOKUPS.clear()
    _LOOKUPS[id(form)] = (form, lookup)
    return lookup


def _same_period(shown: str, recorded: str) -> bool:
    if _norm_text(shown) == _norm_text(recorded):
        return True
    try:
        return Period.parse(shown) == Period.parse(recorded)
    except PeriodError:
        return False
