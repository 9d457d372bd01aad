"""Chinese text helpers shared by the CLI and the reports."""

from __future__ import annotations

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """A small positive integer in Chinese numerals, as used for section numbers (一、十二、)."""
    if n < 0 or n >= 100:
        raise ValueError(f"cn_number handles 0-99, got {n}")
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
