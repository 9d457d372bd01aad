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
    tmp = path.with_name(part_name(path.name))
    data = text.encode("utf-8")
    try:
        fh = tmp.open("wb")
    except FileNotFoundError:  # the folder's first file (asking every time costs a call)
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = tmp.open("wb")
    with fh:
        fh.write(data[: len(data) // 2])
        if fault:
            fh.flush()
            faults.point(f"{fault}_write")
        fh.write(data[len(data) // 2 :])
    if fault:
        faults.point(f"{fault}_rename")
    tmp.replace(path)
    return path


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
