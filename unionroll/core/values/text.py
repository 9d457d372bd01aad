"""What every reader shares: the error and note types, Unicode and blank handling, how a
value is shown back to the sender, and plain text cells."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, NamedTuple

from unionroll.core.errors import UnionrollError


class ParseError(UnionrollError):
    """A cell that cannot be read as the value its indicator or column expects.

    ``reason`` completes the sentence “填写的“…”<reason>”, e.g. ``不能为负数``;
    ``code`` is a stable identifier for findings; ``expected`` says what belongs there.
    """

    def __init__(self, reason: str, *, code: str = "invalid", expected: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.expected = expected


@dataclass(frozen=True, slots=True)
class Note:
    """Something a reader assumed while reading a value: becomes a warning finding."""

    code: str
    reason: str


class Parsed(NamedTuple):
    value: Any
    note: Note | None = None


# --- shared text handling --------------------------------------------------------------

_INVISIBLE = str.maketrans({"\u200b": None, "\ufeff": None, "\u2212": "-", "\u2010": "-"})


def nfkc(text: str) -> str:
    """NFKC (full-width digits and punctuation become ASCII), invisible characters dropped."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE)


def normalize(text: str) -> str:
    """:func:`nfkc` and no whitespace at all."""
    # str.split() with no argument splits on every Unicode space, the ideographic one too.
    return "".join(nfkc(text).split())


def is_blank(raw: Any) -> bool:
    """True for what means "nothing was entered": None, an empty or all-space string."""
    if raw is None:
        return True
    if isinstance(raw, str):
        text = raw.strip()
        return not text or (not text.isascii() and not normalize(text))
    return False


def show(raw: Any, limit: int = 40) -> str:
    """A cell value as the user would recognise it in a message."""
    if isinstance(raw, bool):
        text = "TRUE" if raw else "FALSE"
    elif isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        text = str(int(raw))
    elif isinstance(raw, datetime):
        text = raw.date().isoformat() if raw.time() == time() else raw.isoformat(" ")
    elif isinstance(raw, date):
        text = raw.isoformat()
    else:
        text = str(raw).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_number(value: float) -> str:
    """A number for a message: ``85``, ``2500.5``."""
    if value.is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


# --- text ------------------------------------------------------------------------------


def parse_text(raw: Any, max_length: int | None = None) -> Parsed:
    """Text as typed, stripped. Never interpreted: ``=SUM(A1)`` stays that text."""
    if raw is None:
        return Parsed(None)
    if isinstance(raw, str):
        text = raw.strip()
    elif isinstance(raw, float | int | datetime | date | bool):
        text = show(raw, limit=10_000)
    else:
        text = str(raw).strip()
    if not text:
        return Parsed(None)
    if max_length is not None and len(text) > max_length:
        raise ParseError(
            f"共 {len(text)} 字，超过了 {max_length} 字的上限",
            code="too_long",
            expected=f"不超过 {max_length} 字",
        )
    return Parsed(text)
