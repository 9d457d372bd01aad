"""The adapter class JsonReturnAdapter (sniff and read) and its registration."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from unionroll.adapters.json_return.common import NAME, SNIFF_KEYS, _type_zh
from unionroll.adapters.json_return.decoding import MAX_BYTES, _decode, _decode_head, _too_large
from unionroll.adapters.json_return.parsing import _parse, top_level_keys
from unionroll.adapters.json_return.reader import _Reader
from unionroll.adapters.reading import read_limited
from unionroll.core.contracts import Adapter, ReadContext
from unionroll.core.errors import SourceError
from unionroll.core.hookspecs import hookimpl
from unionroll.core.model import Location, ReturnData


class JsonReturnAdapter(Adapter):
    """One return per JSON file; see the module docstring for the shape."""

    name: ClassVar[str] = NAME
    description: ClassVar[str] = "JSON 格式的报表（每个文件一份报表，UTF-8 编码）"
    extensions: ClassVar[tuple[str, ...]] = (".json",)

    def sniff(self, path: Path, head: bytes) -> bool:
        """A JSON object whose first 8 KiB show a top-level ``values`` or ``unit`` key."""
        text = _decode_head(head).lstrip("\ufeff \t\r\n")
        if not text.startswith("{"):
            return False
        return bool(top_level_keys(text) & SNIFF_KEYS)

    def read(self, path: Path, context: ReadContext) -> list[ReturnData]:
        display = context.display_name or path.name
        raw = read_limited(path, display, MAX_BYTES, _too_large, context.content)
        doc = _parse(_decode(raw, display), display)
        if not isinstance(doc, dict):
            raise SourceError(
                f"文件内容应为一个 JSON 对象（以 {{ 开头），实际是{_type_zh(doc)}",
                location=Location(file=display),
                code="not_object",
            )
        return [_Reader(doc, path, display, context).build()]


@hookimpl
def register_adapters() -> list[Adapter]:
    return [JsonReturnAdapter()]
