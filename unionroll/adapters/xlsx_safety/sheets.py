"""Bounding the grid a reader would allocate for one worksheet, and finding the cells
that hold a formula: a few fast scans of its cell table for a sheet written as every writer
writes one, an exact XML parse for any other."""

from __future__ import annotations

import functools
import re
from xml.parsers import expat

from unionroll.adapters.xlsx_safety.limits import ArchiveInfo, Limits, _corrupt, _fail
from unionroll.adapters.xlsx_safety.memo import MAX_REMEMBERED_BYTES, SCANNED, Passed
from unionroll.core.errors import SourceError
from unionroll.core.model import Location

# Worksheet scanning. Every writer (Excel, WPS, LibreOffice, xlsxwriter, openpyxl) writes a
# cell as <c r="B7" ...> with r first; such a sheet is checked with a few fast scans. Any
# other spelling (a namespace prefix, an r attribute spelled otherwise, a cell without one)
# goes to an exact XML parse. Scans run on a copy whose tabs and line breaks are spaces.
_WHITESPACE_TO_SPACE = bytes.maketrans(b"\t\n\r", b"   ")
_ANY_REF_RE = re.compile(rb' r="([A-Z]+)([0-9]+)"')  # every such attribute, cell or not
_ROW_REF_RE = re.compile(rb'<row r="([0-9]+)"')
_CELL_TAG_RE = re.compile(rb"<c[ />]")
_IRREGULAR_CELL_RE = re.compile(rb'<c(?:[/>]| (?!r="))')  # a cell tag not <c r="...
_PREFIXED_RE = re.compile(rb":(?:c|row|f|worksheet|sheetData)[\s/>]")  # as in <x:c>
_DIMENSION_RE = re.compile(rb"dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_FORMULA_TAG_RE = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")
_PLAIN_FORMULA_TAG_RE = re.compile(rb"<f[ />]")
# <f> is the first child of <c> in the schema, so a cell with a formula reads <c ...><f ...>.
_FORMULA_CELL_RE = re.compile(
    rb"<(?:[\w.-]+:)?c\s[^>]*?\br\s*=\s*[\"']\$?([A-Za-z]+)\$?([0-9]+)[\"'][^>]*>\s*"
    rb"<(?:[\w.-]+:)?f(?:\s[^>]*)?(?:/>|>([^<]*)<)"
)
_REF_RE = re.compile(r"^\$?([A-Za-z]{1,10})\$?([0-9]{1,10})$")
_VALUE_TEXT_RE = re.compile(rb"<v>[^<]*</v>")  # a cell's value, written as every writer does
# A reader takes cells only from the sheet's cell table, <sheetData> (its local name, with
# any prefix) up to the first </sheetData>; what follows it (drop-down lists with their
# prompts, merged areas, page set-up) is most of a template's sheet and is not scanned.
_CELL_TABLE_END_RE = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")


def col_number(letters: bytes | str) -> int:
    """1-based column number of column letters (A → 1, AA → 27)."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


@functools.lru_cache(maxsize=4096)
def _col_number(letters: bytes) -> int:
    """:func:`col_number`, remembered: a sheet names the same few columns again and again."""
    return col_number(letters)


class _TooBig(Exception):
    def __init__(self, what: str) -> None:
        self.what = what


class _TooMany(Exception):
    def __init__(self, count: int) -> None:
        self.count = count


def _check_sheet(
    name: str, blob: bytes, info: ArchiveInfo, limits: Limits, where: Location
) -> None:
    """Bound the grid a reader would allocate for this worksheet, and note its formulas."""
    sheet_where = Location(file=where.file, sheet=_sheet_name(info, name))
    dim_row, dim_col = _dimension(blob, sheet_where, limits)
    # The scans below look at the tags, never at a cell's value (<v>text</v>, no tag in
    # it): a cell table that differs from one scanned before only in its values has the
    # same extent and formulas, as every return from one template filled in full has.
    table = _VALUE_TEXT_RE.sub(b"<v/>", _cell_table(blob))
    key = (table, limits) if len(table) <= MAX_REMEMBERED_BYTES else None
    known = SCANNED.get(key) if key is not None else None
    if known is None:
        known, standard = _scan_table(table, blob, limits, sheet_where, where)
        if key is not None and standard:  # an exact parse read all of ``blob``: not kept
            SCANNED.put(key, known)
    rows, cols = known.extent or (0, 0)  # always there: _scan_table sets it
    max_row, max_col = max(dim_row, rows), max(dim_col, cols)
    if max_row * max_col > limits.max_cells:
        raise _fail(
            f"工作表的已用区域过大（{max_row} 行 × {max_col} 列），不是一份正常的报表，已拒收。"
            "请删除多余的行和列后重新保存。",
            "hostile",
            sheet_where,
        )
    info.extents[name] = (max_row, max_col)
    if known.formulas is not None:
        info.formulas[name] = dict(known.formulas)


def _scan_table(
    table: bytes, blob: bytes, limits: Limits, sheet_where: Location, where: Location
) -> tuple[Passed, bool]:
    """The extent of the cells in ``table`` and their formulas, and whether the table is
    written as every writer writes one (else ``blob`` was parsed exactly)."""
    flat = _flatten(table)
    max_row = max_col = 0
    # Every r="B7"-like attribute anywhere in the cell table bounds the grid: text that
    # merely looks like one (in an inline string; values were left out by _check_sheet,
    # a reader never takes one for a position) makes the check stricter, and a second r
    # on one cell (the reader takes the last) cannot hide.
    refs = _ANY_REF_RE.findall(flat)
    if refs:
        cols, rows = zip(*refs, strict=True)
        letters = set(cols)
        if any(len(c) > 3 for c in letters):
            raise _absurd(sheet_where, next(c for c in letters if len(c) > 3).decode(), limits)
        max_col = max(map(_col_number, letters))
        max_row = max(map(int, set(rows)))
        if max_row > limits.max_row or max_col > limits.max_col:
            worst = next(
                (c + r).decode()
                for c, r in refs
                if int(r) > limits.max_row or col_number(c) > limits.max_col
            )
            raise _absurd(sheet_where, worst, limits)
    row_refs = _ROW_REF_RE.findall(flat)
    if row_refs and max(map(int, row_refs)) > limits.max_row:
        raise _absurd(sheet_where, f"第 {max(map(int, row_refs))} 行", limits)
    # Every cell starts <c r="... (none without a reference), or the cells are counted
    # one by one.
    irregular = _IRREGULAR_CELL_RE.search(flat) is not None
    n_cells = len(_CELL_TAG_RE.findall(flat)) if irregular else flat.count(b'<c r="')
    if n_cells > limits.max_cell_count:
        raise _too_many(sheet_where, n_cells)
    standard = (
        not irregular
        # every r attribute is r="B7" or a row's r="7" (no r='B7', r = "B7", r="b7"): each
        # of those found above is one " r=", so there is no other
        and flat.count(b" r=") == len(refs) + len(row_refs)
        and b" r " not in flat
        and _PREFIXED_RE.search(flat) is None
    )
    if not standard:
        try:
            row, col = _exact_extent(blob, limits)
        except _TooBig as exc:
            raise _absurd(sheet_where, exc.what, limits) from None
        except _TooMany as exc:
            raise _too_many(sheet_where, exc.count) from None
        except (expat.ExpatError, LookupError):  # LookupError: a bad encoding declared
            raise _corrupt(where) from None
        max_row, max_col = max(max_row, row), max(max_col, col)
    formulas = None
    if (_PLAIN_FORMULA_TAG_RE if standard else _FORMULA_TAG_RE).search(flat):
        formulas = {}
        for col_letters, row_digits, text in _FORMULA_CELL_RE.findall(table):
            formula = _xml_unescape(text.decode("utf-8", "replace")) if text else ""
            ref = f"{col_letters.decode().upper()}{int(row_digits)}"
            formulas[ref] = "=" + formula if formula else "=（公式）"
    return Passed(extent=(max_row, max_col), formulas=formulas), standard


def _cell_table(blob: bytes) -> bytes:
    """The part of the sheet a reader takes cells from: from the tag where "sheetData"
    first appears to the end of the last </sheetData> after it. Where there is no such
    closing tag (a sheet cut short, or no cell table at all), to the end of the sheet:
    cells out of bounds can never be left outside what is scanned."""
    first = blob.find(b"sheetData")
    if first < 0:
        return blob
    last = blob.rfind(b"sheetData")
    end = _CELL_TABLE_END_RE.match(blob, max(blob.rfind(b"</", first, last), first))
    start = max(blob.rfind(b"<", 0, first), 0)
    if end is None or end.end() <= last:
        return blob[start:]
    return blob[start : end.end()]


def _flatten(table: bytes) -> bytes:
    """The cell table with tabs and line breaks as spaces, for the scans; as it is (no
    copy) when it has none, as most writers write it."""
    if b"\n" in table or b"\r" in table or b"\t" in table:
        return table.translate(_WHITESPACE_TO_SPACE)
    return table


def _exact_extent(blob: bytes, limits: Limits) -> tuple[int, int]:
    """Where a reader would put every cell, cell by cell as it would: a cell without a
    reference follows the previous one, a row without one follows the previous row.
    Stops at the first cell out of bounds. Only unusual files come here."""
    state = {"row": 0, "col": 0, "max_row": 0, "max_col": 0, "cells": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit(":", 1)[-1]
        if local == "row":
            r = attrs.get("r")
            state["row"] = int(r) if r and r.isdigit() else state["row"] + 1
            state["col"] = 0
        elif local == "c":
            state["cells"] += 1
            if state["cells"] > limits.max_cell_count:
                raise _TooMany(state["cells"])
            ref = attrs.get("r")
            m = _REF_RE.match(ref) if ref else None
            if m:
                state["col"], state["row"] = col_number(m.group(1)), int(m.group(2))
            elif ref:
                raise _TooBig(ref)
            else:
                state["col"] += 1
            if state["row"] > limits.max_row or state["col"] > limits.max_col:
                raise _TooBig(f"第 {state['row']} 行、第 {state['col']} 列")
            state["max_row"] = max(state["max_row"], state["row"])
            state["max_col"] = max(state["max_col"], state["col"])

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.Parse(blob, True)
    return state["max_row"], state["max_col"]


def _too_many(where: Location, n: int) -> SourceError:
    return _fail(f"工作表中的单元格太多（{n} 个），不是一份正常的报表，已拒收。", "hostile", where)


def _dimension(blob: bytes, where: Location, limits: Limits) -> tuple[int, int]:
    """The extent the sheet declares; readers may size their grid from it."""
    max_row = max_col = 0
    m = _DIMENSION_RE.search(blob)
    if not m:
        return 0, 0
    ref_text = m.group(1).decode("ascii", "replace")
    for ref in ref_text.split(":"):
        rm = _REF_RE.match(ref.strip())
        if rm:
            max_col = max(max_col, col_number(rm.group(1)))
            max_row = max(max_row, int(rm.group(2)))
        elif ref.strip():
            raise _absurd(where, ref.strip(), limits)
    if max_row > limits.max_row or max_col > limits.max_col:
        raise _absurd(where, ref_text, limits)
    return max_row, max_col


def _absurd(where: Location, ref: str, limits: Limits) -> SourceError:
    return _fail(
        f"工作表中有位置异常的单元格（{ref}），超出报表的合理范围"
        f"（最多 {limits.max_row} 行、{limits.max_col} 列），可能是恶意构造的文件，已拒收。",
        "hostile",
        where,
    )


def _sheet_name(info: ArchiveInfo, part: str) -> str | None:
    for name, p in info.sheets.items():
        if p == part:
            return name
    return None


def _xml_unescape(text: str) -> str:
    if "&" not in text:
        return text
    import html

    return html.unescape(text)
