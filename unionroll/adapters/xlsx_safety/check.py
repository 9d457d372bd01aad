"""The entry points: :func:`check_file` and :func:`check_bytes`."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from unionroll.adapters.xlsx_safety.archive import _check_entries, _declared_entries, _scan_members
from unionroll.adapters.xlsx_safety.kinds import (
    OLE_MAGIC,
    ZIP_MAGIC,
    _classify,
    _not_a_workbook,
    _ole_error,
)
from unionroll.adapters.xlsx_safety.limits import (
    DEFAULT_LIMITS,
    ArchiveInfo,
    Limits,
    _corrupt,
    _fail,
    _too_many_parts,
)
from unionroll.core.errors import SourceError
from unionroll.core.model import Location


def check_file(path: Path, display_name: str, limits: Limits = DEFAULT_LIMITS) -> ArchiveInfo:
    """Read ``path`` and check it; raise :class:`SourceError` with a Chinese message when it
    is not an .xlsx workbook or is unsafe to open. Returns the file's bytes and what was
    learned about its sheets."""
    where = Location(file=display_name)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise _too_large(size, limits, where)
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
        raise _too_large(len(data), limits, where)
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
        raise _corrupt(where) from None
    with zf:
        info = ArchiveInfo(data=data)
        _check_entries(zf, limits, where)
        _classify(zf, where)
        _scan_members(zf, info, limits, where)
    return info


def _too_large(size: int, limits: Limits, where: Location) -> SourceError:
    return _fail(
        f"文件太大（{size / 1024 / 1024:.1f} MB），不是一份报表。"
        f"报表文件一般不超过 1 MB，上限是 {limits.max_file_bytes // 1024 // 1024} MB。",
        "too_large",
        where,
    )
