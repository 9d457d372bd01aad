"""Writing files the user keeps: names safe on every system, never half-written."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from unionroll.core import faults

# Characters Windows, macOS or a zip archive refuse in a file name, and white space.
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\s]+')
# A file being written: NAME.<pid>-<thread>.part
_PART = re.compile(r"\.(\d+)-\d+\.part$")


def safe_name(text: str) -> str:
    """``text`` usable as (part of) a file name: unsafe runs become one underscore."""
    return _UNSAFE_IN_NAME.sub("_", text)


def part_name(name: str) -> str:
    """The name a file is written under before it is renamed to ``name``: its own for
    each process and thread, so two commands writing the same file never mix bytes."""
    return f"{name}.{os.getpid()}-{threading.get_ident()}.part"


def write_text_atomic(path: Path, text: str, *, fault: str | None = None) -> Path:
    """Write UTF-8 text through a ``.part`` file, so an interrupted run never leaves a
    half-written file under the final name. ``fault``: the prefix of the fault points
    (:mod:`unionroll.core.faults`) passed while writing."""
    write_bytes_atomic(path, text.encode("utf-8"), fault=fault)
    return path


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def write_bytes_atomic(path: str | Path, data: bytes, *, fault: str | None = None) -> None:
    """Write ``data`` through a ``.part`` file beside ``path``, then rename it to ``path``
    (its folder is made when missing). ``fault`` as for :func:`write_text_atomic`.

    In the operating system's own calls, without a buffered file object: an ingest keeps
    a copy of every file it reads and a receipt for every return, so this runs thousands
    of times a run."""
    path = os.fspath(path)
    tmp = part_name(path)  # in the same folder
    try:
        fd = os.open(tmp, _NEW_FILE, 0o666)
    except FileNotFoundError:  # the folder's first file (asking every time costs a call)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(tmp, _NEW_FILE, 0o666)
    view = memoryview(data)
    try:
        half = len(view) // 2
        _write_all(fd, view[:half])
        if fault:
            faults.point(f"{fault}_write")
        _write_all(fd, view[half:])
    except OSError:  # the disk full, say: no part file left behind by a running command
        os.close(fd)
        os.unlink(tmp)
        raise
    os.close(fd)
    if fault:
        faults.point(f"{fault}_rename")
    os.replace(tmp, path)


def _write_all(fd: int, view: memoryview) -> None:
    while view:
        view = view[os.write(fd, view) :]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_parts(folder: Path) -> list[Path]:
    """``.part`` files under ``folder`` left by a process that is no longer running (a
    command killed while writing); those of running commands are still being written."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.rglob("*.part"):
        match = _PART.search(path.name)
        if match is None or not _alive(int(match.group(1))):
            found.append(path)
    return sorted(found)


def sweep_stale_parts(folder: Path) -> int:
    """Remove the stale ``.part`` files under ``folder``; returns how many."""
    removed = 0
    for path in stale_parts(folder):
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:  # another command swept it first
            pass
    return removed
