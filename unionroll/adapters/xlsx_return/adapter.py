"""The adapter plugin: which files it takes (``sniff``) and reading them (``read``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from unionroll.adapters import xlsx_safety
from unionroll.adapters.xlsx_return.reader import NAME, _Reader
from unionroll.core.contracts import Adapter, ReadContext
from unionroll.core.hookspecs import hookimpl
from unionroll.core.model import ReturnData

_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlt", ".et", ".ett")
_SNIFF_TAIL = 128 * 1024  # a return's central directory is a few KiB


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
        if context.content is None:
            info = xlsx_safety.check_file(path, name)
        else:  # the bytes ingest read, checksummed and keeps a copy of
            info = xlsx_safety.check_bytes(context.content, name, suffix=path.suffix.lower())
        return [_Reader(path, name, info, context).read()]


@hookimpl
def register_adapters() -> list[Adapter]:
    return [XlsxReturnAdapter()]
