"""Bytes to text: the size limit, the encodings accepted, and a file's head decoded for sniffing."""

from __future__ import annotations

from unionroll.core.errors import SourceError
from unionroll.core.model import Location
from unionroll.core.zh import UTF16_BOMS

MAX_BYTES = 20 * 1024 * 1024  # a quarterly return is a few KiB; anything this big is not one

_UTF8_BOM = b"\xef\xbb\xbf"


def _decode_head(head: bytes) -> str:
    if head.startswith(_UTF8_BOM):
        head = head[len(_UTF8_BOM) :]
    elif head.startswith(UTF16_BOMS):
        return head.decode("utf-16", errors="ignore")
    for encoding in ("utf-8", "gb18030"):
        for cut in range(4):  # the head may end inside a multi-byte character
            try:
                return head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
    return head.decode("utf-8", errors="replace")


def _too_large(size: int) -> str:
    return (
        f"文件太大（{size / 1024 / 1024:.1f} MB），超过 JSON 报表 "
        f"{MAX_BYTES // 1024 // 1024} MB 的上限，未读取。一份报表的 JSON 文件通常只有几 KB，"
        "请确认选对了文件"
    )


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(data: bytes, display: str) -> str:
    if data.startswith(UTF16_BOMS):
        raise SourceError(
            "文件是 UTF-16（Unicode）编码，JSON 报表必须用 UTF-8 编码保存。"
            "请在记事本中“另存为”，编码选择 UTF-8 后重新提交",
            location=Location(file=display),
            code="not_utf8",
        )
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        try:
            data.decode("gb18030")
            guess = "看起来是 GBK（GB2312/GB18030）编码"
        except UnicodeDecodeError:
            guess = "无法识别其编码"
        raise SourceError(
            f"文件不是 UTF-8 编码（{guess}）。JSON 报表必须用 UTF-8 编码保存，"
            "请在记事本中“另存为”，编码选择 UTF-8 后重新提交",
            location=Location(file=display, line=line),
            code="not_utf8",
        ) from None
