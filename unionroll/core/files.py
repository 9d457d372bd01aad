"""Writing files the user keeps: names safe on every system, never half-written."""

from __future__ import annotations

import re
from pathlib import Path

# Characters Windows, macOS or a zip archive refuse in a file name, and white space.
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\s]+')


def safe_name(text: str) -> str:
    """``text`` usable as (part of) a file name: unsafe runs become one underscore."""
    return _UNSAFE_IN_NAME.sub("_", text)


def write_text_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 text through a ``.part`` file, so an interrupted run never leaves a
    half-written file under the final name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
