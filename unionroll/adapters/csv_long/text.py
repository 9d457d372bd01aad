"""The file's bytes to text: the size limit, then UTF-8, GB18030 or UTF-16 with a BOM."""

from __future__ import annotations

from pathlib import Path

from unionroll.adapters.reading import read_limited
from unionroll.core.errors import SourceError
from unionroll.core.model import Location
from unionroll.core.zh import UTF16_BOMS, decode_office_text

MAX_BYTES = 200 * 1024 * 1024  # a province's quarter (20,000 units × 45 rows) is ~40 MB


def _decode_head_line(head: bytes) -> str:
    if head.startswith(UTF16_BOMS):
        text = head.decode("utf-16", errors="ignore")
        return text.split("\n", 1)[0]
    line = head.split(b"\n", 1)[0]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return line.decode(encoding)
        except UnicodeDecodeError:
            continue
    return line.decode("utf-8", errors="replace")


def _read_text(path: Path, display: str, content: bytes | None = None) -> str:
    where = Location(file=display)
    data = read_limited(path, display, MAX_BYTES, _too_large, content)
    text = decode_office_text(data)
    if text is not None:
        return text
    raise SourceError(
        "无法识别文件的文字编码（既不是 UTF-8，也不是 GBK/GB18030）。"
        "请在 Excel 或 WPS 中“另存为”CSV（UTF-8）后重新提交",
        location=where,
        code="bad_encoding",
    )


def _too_large(size: int) -> str:
    return (
        f"文件太大（{size / 1024 / 1024:.1f} MB），超过 CSV 文件 "
        f"{MAX_BYTES // 1024 // 1024} MB 的上限，未读取。请分成几个文件提交"
    )
