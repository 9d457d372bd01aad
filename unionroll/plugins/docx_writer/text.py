"""Text as a .docx holds it and as official documents write it: cleaning, dates, widths in
characters, heading sequence marks and the indents of the signature and the date."""

from __future__ import annotations

import datetime
import re
import unicodedata

from unionroll.core.zh import cn_number

# XML 1.0 cannot hold C0 controls (except tab and newline) or these code points; C1
# controls are legal but invisible junk from copy-and-paste.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` with newlines normalised and characters a .docx cannot hold removed."""
    return _ILLEGAL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def format_date(value: datetime.date | str) -> str:
    """A date as official documents write it: 2025年7月10日 (no leading zeros)."""
    if isinstance(value, str):
        return value
    return f"{value.year}年{value.month}月{value.day}日"


def display_width(text: str) -> float:
    """Width in Chinese characters: full-width counts 1, half-width (digits, Latin) 0.5."""
    return sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F", "A") else 0.5 for c in text)


def heading_number(level: int, n: int) -> str:
    """The GB/T 9704 sequence mark for the n-th heading of a level: 一、（一）1.（1）"""
    if level == 1:
        return f"{cn_number(n)}、"
    if level == 2:
        return f"（{cn_number(n)}）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"


def signature_indents(signature: str, date: str) -> tuple[float, float]:
    """Right indents, in characters, of the signature and the date lines.

    GB/T 9704 7.3.5.2 (no seal): the signature sits two characters in from the right; the
    date starts two characters to the right of the signature's start; when the date is
    the longer one, it sits two characters in from the right and the signature moves left.
    """
    ws, wd = display_width(signature), display_width(date)
    if not signature:
        return 0.0, 2.0
    if not date:
        return 2.0, 0.0
    date_right = max(2.0, ws - wd)
    return date_right + wd + 2.0 - ws, date_right
