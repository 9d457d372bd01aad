"""Months as people write them: 5, 5月, 五月, 2025-05, a date, an Excel serial day."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from unionroll.core.values.numbers import _NOT_REPORTED_NOTE, NOT_REPORTED_MARKS
from unionroll.core.values.text import Parsed, ParseError, normalize

# --- months ----------------------------------------------------------------------------

_CN_MONTHS = {
    "元": 1,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
_MONTH_RE = re.compile(
    r"""
    (?:\d{4}[-/.年])?
    (?P<m>\d{1,2}(?:\.0+)?|十[一二]?|[元一二三四五六七八九])
    (?:月份?)?
    (?:[-/.]?\d{1,2}[日号]?|上旬|中旬|下旬|初|底|中|末)?
    (?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?
    """,
    re.VERBOSE,
)
_MONTH_RANGE_RE = re.compile(r"\d{1,2}月?(?:[-~、,至到和]\d{1,2}月?)+份?")
_MONTH_EXPECTED = "1–12 的月份，如 5 或 5月"


def parse_month(raw: Any) -> Parsed:
    """A month 1–12 from ``5``, ``5月``, ``五月``, ``2025-05``, ``2025年5月`` or a date cell."""
    if raw is None:
        return Parsed(None)
    if isinstance(raw, datetime | date):
        return Parsed(raw.month)
    if isinstance(raw, bool):
        raise ParseError("不是有效的月份", code="bad_month", expected=_MONTH_EXPECTED)
    if isinstance(raw, int | float | Decimal):
        if raw != raw or not float(raw).is_integer():
            raise ParseError("不是有效的月份", code="bad_month", expected=_MONTH_EXPECTED)
        month = int(raw)
    else:
        text = normalize(str(raw))
        if not text:
            return Parsed(None)
        m = _MONTH_RE.fullmatch(text)
        if m is None:
            if text in NOT_REPORTED_MARKS:
                return Parsed(None, _NOT_REPORTED_NOTE)
            if _MONTH_RANGE_RE.fullmatch(text):
                raise ParseError(
                    "是几个月份，请只填一个月份（如活动开始的月份）",
                    code="bad_month",
                    expected=_MONTH_EXPECTED,
                )
            raise ParseError("不是有效的月份", code="bad_month", expected=_MONTH_EXPECTED)
        token = m["m"]
        month = _CN_MONTHS[token] if token in _CN_MONTHS else int(float(token))
    if not 1 <= month <= 12:
        raise ParseError(
            "不是有效的月份（应在 1–12 之间）",
            code="bad_month",
            expected=_MONTH_EXPECTED,
        )
    return Parsed(month)
