"""Checks an .xlsx file before any native reader touches it.

A spreadsheet reader written in a fast native language can be crashed, or made to
allocate gigabytes, by a hostile file: a zip bomb, an XML entity bomb, or a sheet that
claims a cell at XFD1048576 (the reader then allocates the whole grid). Everything here
uses the standard library: the zip directory is checked before it is parsed, each member
is inflated at most to its declared size, and the first limit crossed stops the check,
so a hostile file is refused in milliseconds and in bounded memory.

It also tells the old and foreign formats people send instead of .xlsx (.xls, WPS .et,
password-protected workbooks, .xlsb, .ods, PDFs and text files named .xlsx) from each
other, so the user is told what to do.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

from unionroll.core.errors import SourceError
from unionroll.core.model import Location

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class Limits:
    """What a quarterly return may look like. A real one is ~150 KB unpacked."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_entries: int = 500
    max_total_uncompressed: int = 50 * 1024 * 1024
    max_ratio: int = 100  # uncompressed : compressed, for members above ratio_min_size
    ratio_min_size: int = 1024 * 1024
    max_row: int = 100_000
    max_col: int = 200
    max_cells: int = 4_000_000  # rows × columns of one sheet's used area (what a reader allocates)
    max_cell_count: int = 500_000  # cell elements in one sheet


DEFAULT_LIMITS = Limits()


@dataclass
class ArchiveInfo:
    """What the check learned on the way, for the reader."""

    data: bytes
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name → part name
    # part name → {cell reference → formula text}, for worksheet cells that hold a formula
    formulas: dict[str, dict[str, str]] = field(default_factory=dict)
    extents: dict[str, tuple[int, int]] = field(default_factory=dict)  # part → (rows, cols)


# Members never parsed as XML by a spreadsheet reader (unless a relationship says otherwise).
_BINARY_SUFFIXES = (
    ".bin",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".bmp",
    ".emf",
    ".wmf",
    ".tif",
    ".tiff",
    ".wdp",
)
_DTD_RE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
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


def _fail(message: str, code: str, where: Location) -> SourceError:
    return SourceError(message, location=where, code=code)


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


def check_file(path: Path, display_name: str, limits: Limits = DEFAULT_LIMITS) -> ArchiveInfo:
    """Read ``path`` and check it; raise :class:`SourceError` with a Chinese message when it
    is not an .xlsx workbook or is unsafe to open. Returns the file's bytes and what was
    learned about its sheets."""
    where = Location(file=display_name)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise _fail(
                f"文件太大（{size / 1024 / 1024:.1f} MB），不是一份报表。"
                f"报表文件一般不超过 1 MB，上限是 {limits.max_file_bytes // 1024 // 1024} MB。",
                "too_large",
                where,
            )
        with path.open("rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise _fail(f"无法打开文件：{exc.strerror or exc}", "unreadable", where) from None
    return check_bytes(data, display_name, suffix=path.suffix.lower(), limits=limits)


def check_bytes(
    data: bytes, display_name: str, *, suffix: str = ".xlsx", limits: Limits = DEFAULT_LIMITS
) -> ArchiveInfo:
    """As :func:`check_file`, for a file already in memory."""
    where = Location(file=display_name)
    if len(data) > limits.max_file_bytes:
        raise _fail("文件太大，不是一份报表。", "too_large", where)
    if not data:
        raise _fail("文件是空的（0 字节），请重新保存后再报送。", "empty", where)
    if data.startswith(OLE_MAGIC):
        raise _ole_error(data, suffix, where)
    if not data.startswith(ZIP_MAGIC):
        raise _not_a_workbook(data, suffix, where)
    entries = _declared_entries(data)
    if entries is not None and entries > limits.max_entries:
        raise _too_many_parts(entries, where)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError):
        raise _fail(
            "文件已损坏或不完整（可能没有下载或复制完整），无法打开。"
            "请在 Excel/WPS 中打开确认无误后重新保存，再报送。",
            "corrupt",
            where,
        ) from None
    with zf:
        info = ArchiveInfo(data=data)
        _check_entries(zf, limits, where)
        _classify(zf, where)
        _scan_members(zf, info, limits, where)
    return info


def _ole_error(data: bytes, suffix: str, where: Location) -> SourceError:
    # Both Excel and WPS write a password-protected .xlsx as an OLE compound file holding the
    # EncryptionInfo and EncryptedPackage streams; the stream names are stored in UTF-16.
    if _ENCRYPTION_INFO in data or _ENCRYPTED_PACKAGE in data:
        return _fail(
            "文件设置了打开密码（已加密），无法读取。请在 Excel/WPS 中打开，"
            "取消“用密码进行加密”（文件 → 信息 → 保护工作簿）后保存为 .xlsx，再报送。",
            "encrypted",
            where,
        )
    if suffix == ".et" or suffix == ".ett":
        return _fail(
            "这是 WPS 表格格式（.et）的文件，无法读取。请在 Excel/WPS 中另存为 .xlsx"
            "（“文件 → 另存为 → Excel 工作簿（*.xlsx）”）后再报送。",
            "wps_et",
            where,
        )
    return _fail(
        "这是旧版 Excel 97-2003 格式（.xls）的文件，无法读取。请在 Excel/WPS 中另存为 .xlsx"
        "（“文件 → 另存为 → Excel 工作簿（*.xlsx）”）后再报送。",
        "old_xls",
        where,
    )


def _not_a_workbook(data: bytes, suffix: str, where: Location) -> SourceError:
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        kind = "PDF 文件"
    elif head[:200].lower().lstrip(b"\xef\xbb\xbf").startswith((b"<!doctype html", b"<html")):
        kind = "网页（HTML）文件"
    elif head.startswith(b"{\\rtf"):
        kind = "RTF 文档"
    elif data.startswith(EMPTY_ZIP_MAGIC):
        kind = "空的压缩包"
    else:
        kind = "其他格式的文件"
    named = "，虽然文件名是 .xlsx" if suffix in (".xlsx", ".xlsm") else ""
    return _fail(
        f"这不是 Excel 工作簿（.xlsx），而是{kind}{named}。请报送下发的报表模板"
        "（在 Excel/WPS 中填写后直接保存为 .xlsx），不要只改文件的扩展名。",
        "not_xlsx",
        where,
    )


def _declared_entries(data: bytes) -> int | None:
    """The entry count in the end-of-central-directory record, read before zipfile builds an
    object per entry (which for a crafted directory of 300,000 entries takes seconds).
    None when there is no such record (zipfile then reports the file as damaged)."""
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if eocd < 0 or eocd + 22 > len(data):
        return None
    (count,) = struct.unpack("<H", data[eocd + 10 : eocd + 12])
    if count != 0xFFFF:
        return count
    # ZIP64: the real count is in the ZIP64 end record, found through its locator.
    loc = eocd - 20
    if loc < 0 or data[loc : loc + 4] != b"PK\x06\x07":
        return count
    (offset,) = struct.unpack("<Q", data[loc + 8 : loc + 16])
    if data[offset : offset + 4] != b"PK\x06\x06":
        return count
    (total,) = struct.unpack("<Q", data[offset + 32 : offset + 40])
    return total


def _too_many_parts(count: int, where: Location) -> SourceError:
    return _fail(
        f"文件中的部件太多（{count} 个），不是一份正常的报表，已拒收。", "too_many_parts", where
    )


def _check_entries(zf: zipfile.ZipFile, limits: Limits, where: Location) -> None:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise _too_many_parts(len(infos), where)
    total = 0
    names: set[str] = set()
    for zi in infos:
        key = zi.filename.lower()
        # Two members of one name: different readers would pick different ones.
        if key in names:
            raise _fail("文件的压缩结构异常（部件重名），已拒收。", "hostile", where)
        names.add(key)
        if zi.flag_bits & 0x1:
            raise _fail(
                "文件中有加密的部件，无法读取。请取消密码后另存为 .xlsx 再报送。",
                "encrypted",
                where,
            )
        total += zi.file_size
        if total > limits.max_total_uncompressed:
            raise _bomb(where)
        if zi.file_size > limits.ratio_min_size and zi.file_size > limits.max_ratio * max(
            zi.compress_size, 1
        ):
            raise _bomb(where)


def _bomb(where: Location) -> SourceError:
    return _fail(
        "文件解压后的内容异常庞大（疑似“压缩炸弹”），不是一份正常的报表，已拒收。",
        "hostile",
        where,
    )


def _classify(zf: zipfile.ZipFile, where: Location) -> None:
    names = {n.lower() for n in zf.namelist()}
    if "xl/workbook.xml" in names:
        return
    if "xl/workbook.bin" in names:
        raise _fail(
            "这是 Excel 二进制工作簿（.xlsb），无法读取。请在 Excel/WPS 中另存为 .xlsx 后再报送。",
            "xlsb",
            where,
        )
    if "mimetype" in names and "content.xml" in names:
        raise _fail(
            "这是 OpenDocument 表格（.ods），无法读取。请另存为 Excel 工作簿（.xlsx）后再报送。",
            "ods",
            where,
        )
    if "word/document.xml" in names:
        raise _fail("这是 Word 文档，不是报表。请报送 Excel 报表模板（.xlsx）。", "not_xlsx", where)
    raise _fail(
        "这是一个压缩文件，但不是 Excel 工作簿（.xlsx）。请报送下发的报表模板。", "not_xlsx", where
    )


def _corrupt(where: Location) -> SourceError:
    return _fail(
        "文件已损坏或不完整（可能没有下载或复制完整），无法打开。"
        "请在 Excel/WPS 中打开确认无误后重新保存，再报送。",
        "corrupt",
        where,
    )


def _read_member(data: bytes, zi: zipfile.ZipInfo, budget: int, where: Location) -> bytes:
    """Inflate one member straight from the archive bytes, never past its declared size or
    the budget, and check its CRC. (zipfile's own reader does the same, several times slower.)"""
    off = zi.header_offset
    header = data[off : off + 30]
    if len(header) < 30 or not header.startswith(ZIP_MAGIC):
        raise _corrupt(where)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = off + 30 + name_len + extra_len
    raw = memoryview(data)[start : start + zi.compress_size]
    if len(raw) < zi.compress_size:
        raise _corrupt(where)
    cap = min(zi.file_size, budget)
    if zi.compress_type == zipfile.ZIP_STORED:
        out = bytes(raw)
    elif zi.compress_type == zipfile.ZIP_DEFLATED:
        try:
            # max_length bounds the memory whatever the compressed stream claims.
            out = zlib.decompressobj(-15).decompress(raw, cap + 1)
        except zlib.error:
            raise _corrupt(where) from None
    else:
        raise _fail(
            "文件使用了不支持的压缩方式，无法读取。请在 Excel/WPS 中重新保存为 .xlsx 后再报送。",
            "corrupt",
            where,
        )
    if len(out) > cap:
        raise _bomb(where)
    if len(out) != zi.file_size or zlib.crc32(out) != zi.CRC:
        raise _corrupt(where)
    return out


def _workbook_parts(zf: zipfile.ZipFile, read: dict[str, bytes]) -> tuple[dict[str, str], set[str]]:
    """Sheet name → part, and every part the workbook relates to (read as XML by readers)."""
    by_lower = {n.lower(): n for n in zf.namelist()}
    wb_name = by_lower["xl/workbook.xml"]
    rels_name = by_lower.get("xl/_rels/workbook.xml.rels")
    targets: dict[str, str] = {}
    related: set[str] = set()
    if rels_name and rels_name in read:
        root = ElementTree.fromstring(read[rels_name])
        for rel in root:
            rid, target = rel.get("Id"), rel.get("Target")
            if not rid or not target or rel.get("TargetMode") == "External":
                continue
            part = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
            part = by_lower.get(part.lower(), part)
            targets[rid] = part
            related.add(part)
    sheets: dict[str, str] = {}
    root = ElementTree.fromstring(read[wb_name])
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        name = el.get("name")
        rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        if name is not None and rid in targets:
            sheets[name] = targets[rid]
    return sheets, related


def _scan_members(zf: zipfile.ZipFile, info: ArchiveInfo, limits: Limits, where: Location) -> None:
    budget = limits.max_total_uncompressed
    read: dict[str, bytes] = {}
    infos = zf.infolist()
    # The workbook's own parts first: they say which other parts are sheets.
    first = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
    ordered = sorted(infos, key=lambda zi: zi.filename.lower() not in first)
    related: set[str] = set()
    for zi in ordered:
        name = zi.filename
        if zi.is_dir():
            continue
        if name.lower().endswith(_BINARY_SUFFIXES) and name not in related:
            continue
        blob = _read_member(info.data, zi, budget, where)
        budget -= len(blob)
        _check_xml_text(blob, where)
        if name.lower() in first:
            read[name] = blob
            if len(read) == sum(1 for n in zf.namelist() if n.lower() in first):
                try:
                    info.sheets, related = _workbook_parts(zf, read)
                except (ElementTree.ParseError, LookupError):  # LookupError: a bad encoding
                    raise _fail(
                        "文件已损坏（工作簿结构无法识别），无法打开。请在 Excel/WPS 中重新保存为"
                        " .xlsx 后再报送。",
                        "corrupt",
                        where,
                    ) from None
            continue
        if name in info.sheets.values() or "sheet" in name.lower() or b"sheetData" in blob:
            _check_sheet(name, blob, info, limits, where)


def _check_xml_text(blob: bytes, where: Location) -> None:
    head = blob[:64]
    # Readers may decode UTF-16 parts that a byte scan would not see into; xlsx is UTF-8.
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise _fail("文件中有无法识别的内容编码，不是一份正常的报表，已拒收。", "hostile", where)
    # "<!" only starts comments, CDATA and DTDs; the regex runs only when it is there.
    # (Looking for the one byte "!" first is several times faster, and it is rare.)
    if b"!" in blob and b"<!" in blob and _DTD_RE.search(blob):
        raise _fail(
            "文件中含有 XML 文档类型定义（DTD/实体），可能是恶意构造的文件，已拒收。"
            "请在 Excel/WPS 中另存为 .xlsx 后再报送。",
            "hostile",
            where,
        )


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
    max_row, max_col = _dimension(blob, sheet_where, limits)
    flat = _flatten(blob)
    # Every r="B7"-like attribute anywhere bounds the grid: text that merely looks like one
    # makes the check stricter, and a second r on one cell (the reader takes the last)
    # cannot hide.
    refs = _ANY_REF_RE.findall(flat)
    if refs:
        cols, rows = zip(*refs, strict=True)
        letters = set(cols)
        if any(len(c) > 3 for c in letters):
            raise _absurd(sheet_where, next(c for c in letters if len(c) > 3).decode(), limits)
        max_col = max(max_col, *map(_col_number, letters))
        max_row = max(max_row, max(map(int, set(rows))))
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
    if max_row * max_col > limits.max_cells:
        raise _fail(
            f"工作表的已用区域过大（{max_row} 行 × {max_col} 列），不是一份正常的报表，已拒收。"
            "请删除多余的行和列后重新保存。",
            "hostile",
            sheet_where,
        )
    info.extents[name] = (max_row, max_col)
    if (_PLAIN_FORMULA_TAG_RE if standard else _FORMULA_TAG_RE).search(flat):
        formulas = {}
        for col_letters, row_digits, text in _FORMULA_CELL_RE.findall(blob):
            formula = _xml_unescape(text.decode("utf-8", "replace")) if text else ""
            ref = f"{col_letters.decode().upper()}{int(row_digits)}"
            formulas[ref] = "=" + formula if formula else "=（公式）"
        info.formulas[name] = formulas


def _flatten(blob: bytes) -> bytes:
    """The sheet with tabs and line breaks as spaces, for the scans. Most writers put none
    after the XML declaration (and the line break that follows it), and then the sheet is
    scanned as it is, without a copy."""
    body = 0
    if blob.startswith(b"<?xml"):
        end = blob.find(b"?>")
        if end > 0 and not any(blob.find(ws, 0, end) >= 0 for ws in (b"\t", b"\n", b"\r")):
            body = end + 2
            while blob[body : body + 1] in (b"\r", b"\n", b" ", b"\t") and body < len(blob):
                body += 1
    if (
        body
        and blob[body : body + 1] == b"<"
        and not any(blob.find(ws, body) >= 0 for ws in (b"\t", b"\n", b"\r"))
    ):
        return blob
    return blob.translate(_WHITESPACE_TO_SPACE)


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
