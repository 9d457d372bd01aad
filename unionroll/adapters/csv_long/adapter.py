"""The adapter plugin: which files it takes (``sniff``) and reading them (``read``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from unionroll.adapters.csv_long.header import choose_delimiter
from unionroll.adapters.csv_long.reader import NAME, _Reader
from unionroll.adapters.csv_long.text import _decode_head_line, _read_text
from unionroll.core.contracts import Adapter, ReadContext
from unionroll.core.hookspecs import hookimpl
from unionroll.core.model import ReturnData
from unionroll.core.zh import UTF16_BOMS


class CsvLongAdapter(Adapter):
    """Many returns in one CSV table, one value per row; see the module docstring."""

    name: ClassVar[str] = NAME
    description: ClassVar[str] = "CSV 长表（每行一个数值，一个文件可含多个单位、多个期间）"
    extensions: ClassVar[tuple[str, ...]] = (".csv", ".tsv", ".txt")

    def sniff(self, path: Path, head: bytes) -> bool:
        """A text file whose first line names unit, period, indicator and value columns."""
        if b"\x00" in head and not head.startswith(UTF16_BOMS):
            return False
        line = _decode_head_line(head).rstrip("\r")
        return not choose_delimiter(line)[1].missing

    def read(self, path: Path, context: ReadContext) -> list[ReturnData]:
        display = context.display_name or path.name
        text = _read_text(path, display, context.content)
        return _Reader(path, display, context).read(text)


@hookimpl
def register_adapters() -> list[Adapter]:
    return [CsvLongAdapter()]
