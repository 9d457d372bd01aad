"""Reading a submitted file's bytes within a size limit, as the built-in adapters do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from unionroll.core.errors import SourceError
from unionroll.core.model import Location


def read_limited(
    path: Path,
    display: str,
    max_bytes: int,
    too_large: Callable[[int], str],
    content: bytes | None = None,
) -> bytes:
    """The bytes of ``path``, named ``display`` in messages: ``content`` when the caller
    has them already (``ReadContext.content``), else read from the file. Over
    ``max_bytes`` (also when the file grew after its size was read) it is refused with
    ``too_large(size)`` as the message (code ``too_large``); a file that cannot be opened
    with code ``unreadable``."""
    where = Location(file=display)
    if content is not None:
        if len(content) > max_bytes:
            raise SourceError(too_large(len(content)), location=where, code="too_large")
        return content
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError(too_large(size), location=where, code="too_large")
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise SourceError(
            f"无法打开文件（{exc.strerror or exc}）", location=where, code="unreadable"
        ) from None
    if len(data) > max_bytes:
        raise SourceError(too_large(len(data)), location=where, code="too_large")
    return data
