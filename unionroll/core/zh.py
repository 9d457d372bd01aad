"""Chinese text helpers shared by the CLI and the reports."""

from __future__ import annotations

from datetime import date

_DIGITS = "零一二三四五六七八九"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_office_text(data: bytes) -> str | None:
    """Text as a Chinese office saves it: UTF-16 with a byte-order mark (Excel's "Unicode
    文本"), else UTF-8 with or without one, else GB18030 (a superset of the GBK that
    Chinese Excel and WPS write for "CSV"). None when it is none of these."""
    encodings = ("utf-16",) if data.startswith(UTF16_BOMS) else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def cn_number(n: int) -> str:
    """A small positive integer in Chinese numerals, as used for section numbers (一、十二、)."""
    if n < 0 or n >= 100:
        raise ValueError(f"cn_number handles 0-99, got {n}")
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def date_zh(day: date) -> str:
    """A date as official documents write it: 2025年7月10日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_number(value: float | int | None, *, decimals: int = 2) -> str:
    """A number without spurious decimals: 61, 2.5, 1033.01."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return _trim(f"{value:.{decimals}f}")


def format_quantity(value: float | int | None, unit: str) -> str:
    """A figure with its unit, in the style of a Chinese work report.

    Money of ten thousand yuan or more is written in 万元 (25000 → 2.5万元); other large
    counts of a hundred thousand or more in 万 (123000 人次 → 12.3万人次).
    """
    if value is None:
        return "—"
    if unit == "元" and abs(value) >= 10_000:
        return f"{_trim(f'{value / 10_000:.2f}')}万元"
    if unit not in ("%", "元") and abs(value) >= 100_000:
        return f"{_trim(f'{value / 10_000:.1f}')}万{unit}"
    return f"{format_number(value)}{unit}"


def format_percent(share: float | None, *, decimals: int = 1) -> str:
    """A share (0.952) as a percentage (95.2%); None (no basis) as —."""
    if share is None:
        return "—"
    return f"{_trim(f'{share * 100:.{decimals}f}')}%"
