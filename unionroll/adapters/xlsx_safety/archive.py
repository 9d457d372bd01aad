"""The zip archive: its directory checked before it is parsed, each member inflated at
most to its declared size, the workbook's sheets found, every XML part checked for
DTDs, and each worksheet handed to :mod:`.sheets`."""

from __future__ import annotations

import functools
import posixpath
import re
import struct
import zipfile
import zlib
from xml.etree import ElementTree

from unionroll.adapters.xlsx_safety.kinds import ZIP_MAGIC
from unionroll.adapters.xlsx_safety.limits import (
    ArchiveInfo,
    Limits,
    _bomb,
    _corrupt,
    _fail,
    _too_many_parts,
)
from unionroll.adapters.xlsx_safety.memo import CHECKED, MAX_REMEMBERED_BYTES, Passed
from unionroll.adapters.xlsx_safety.sheets import _check_sheet
from unionroll.core.model import Location

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


def _compressed(data: bytes, zi: zipfile.ZipInfo, where: Location) -> memoryview:
    """A member's compressed bytes, found through its local header."""
    off = zi.header_offset
    header = data[off : off + 30]
    if len(header) < 30 or not header.startswith(ZIP_MAGIC):
        raise _corrupt(where)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = off + 30 + name_len + extra_len
    raw = memoryview(data)[start : start + zi.compress_size]
    if len(raw) < zi.compress_size:
        raise _corrupt(where)
    return raw


def _inflate(raw: memoryview, zi: zipfile.ZipInfo, budget: int, where: Location) -> bytes:
    """Inflate one member straight from the archive bytes, never past its declared size or
    the budget, and check its CRC. (zipfile's own reader does the same, several times slower.)"""
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
    names = tuple(zf.namelist())
    by_lower = {n.lower(): n for n in names}
    rels_name = by_lower.get("xl/_rels/workbook.xml.rels")
    rels = read.get(rels_name) if rels_name else None
    workbook = read[by_lower["xl/workbook.xml"]]
    small = len(workbook) + len(rels or b"") <= MAX_REMEMBERED_BYTES
    sheets, related = (_remembered_parts if small else _parts_of)(names, rels, workbook)
    return dict(sheets), set(related)


def _parts_of(
    names: tuple[str, ...], rels: bytes | None, workbook: bytes
) -> tuple[dict[str, str], frozenset[str]]:
    by_lower = {n.lower(): n for n in names}
    targets: dict[str, str] = {}
    related: set[str] = set()
    if rels is not None:
        root = ElementTree.fromstring(rels)
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
    root = ElementTree.fromstring(workbook)
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        name = el.get("name")
        rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        if name is not None and rid in targets:
            sheets[name] = targets[rid]
    return sheets, frozenset(related)


# Returns from one template list the same parts and relate them the same way: parsed once
# (workbooks small enough to be remembered; their results are copied before use).
_remembered_parts = functools.lru_cache(maxsize=64)(_parts_of)


def _scan_members(zf: zipfile.ZipFile, info: ArchiveInfo, limits: Limits, where: Location) -> None:
    budget = limits.max_total_uncompressed
    read: dict[str, bytes] = {}
    infos = zf.infolist()
    # The workbook's own parts first: they say which other parts are sheets.
    first = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
    n_first = sum(1 for n in zf.namelist() if n.lower() in first)
    ordered = sorted(infos, key=lambda zi: zi.filename.lower() not in first)
    related: set[str] = set()
    for zi in ordered:
        name = zi.filename
        if zi.is_dir():
            continue
        if name.lower().endswith(_BINARY_SUFFIXES) and name not in related:
            continue
        raw = _compressed(info.data, zi, where)
        is_first = name.lower() in first
        # A member byte for byte like one checked before (the styles, the theme, an empty
        # register sheet of the same template) passed every check then and passes now.
        # (A member over the budget is inflated, to be refused.)
        key = None
        if zi.file_size <= min(MAX_REMEMBERED_BYTES, budget):
            in_sheets = is_first or name in info.sheets.values()
            key = (name, zi.CRC, zi.file_size, zi.compress_type, in_sheets, limits, bytes(raw))
        known = CHECKED.get(key) if key is not None else None
        if known is None:
            known = _check_member(zi, raw, is_first, info, budget, limits, where)
            if key is not None:
                CHECKED.put(key, known)
        elif known.extent is not None:
            info.extents[name] = known.extent
            if known.formulas is not None:
                info.formulas[name] = dict(known.formulas)
        budget -= zi.file_size
        if is_first:
            read[name] = known.part
            if len(read) == n_first:
                info.sheets, related = _workbook(zf, read, where)


def _check_member(
    zi: zipfile.ZipInfo,
    raw: memoryview,
    is_first: bool,
    info: ArchiveInfo,
    budget: int,
    limits: Limits,
    where: Location,
) -> Passed:
    """Inflate and check one member; a worksheet's extent and formulas go into ``info``."""
    name = zi.filename
    blob = _inflate(raw, zi, budget, where)
    _check_xml_text(blob, where)
    if is_first:
        return Passed(part=blob)
    if name in info.sheets.values() or "sheet" in name.lower() or b"sheetData" in blob:
        _check_sheet(name, blob, info, limits, where)
        formulas = info.formulas.get(name)
        return Passed(
            extent=info.extents[name], formulas=None if formulas is None else dict(formulas)
        )
    return Passed()


def _workbook(
    zf: zipfile.ZipFile, read: dict[str, bytes], where: Location
) -> tuple[dict[str, str], set[str]]:
    try:
        return _workbook_parts(zf, read)
    except (ElementTree.ParseError, LookupError):  # LookupError: a bad encoding
        raise _fail(
            "文件已损坏（工作簿结构无法识别），无法打开。请在 Excel/WPS 中重新保存为"
            " .xlsx 后再报送。",
            "corrupt",
            where,
        ) from None


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
