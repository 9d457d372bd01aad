"""Telling an .xlsx workbook from what people send instead: old .xls, WPS .et, a
password-protected workbook, .xlsb, .ods, a Word document, a PDF or a web page."""

from __future__ import annotations

import zipfile

from unionroll.adapters.xlsx_safety.limits import _fail
from unionroll.core.errors import SourceError
from unionroll.core.model import Location

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


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
