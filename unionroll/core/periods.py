"""Reporting periods: quarters, half-years and years.

Canonical text forms are ``2025Q1``, ``2025H1`` and ``2025``. The Chinese forms that
people type are accepted too: ``2025年第一季度``, ``2025年一季度``, ``2025年1季度``,
``2025年上半年``, ``2025年下半年``, ``2025年度`` and ``2025年``.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from unionroll.core.errors import PeriodError


class PeriodType(StrEnum):
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"

    @property
    def months(self) -> int:
        return {"quarter": 3, "half": 6, "year": 12}[self.value]

    @property
    def label_zh(self) -> str:
        return {"quarter": "季度", "half": "半年", "year": "年度"}[self.value]


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_CN_ORDINAL = {1: "一", 2: "二", 3: "三", 4: "四"}

ACCEPTED_FORMS = (
    "2025Q1、2025H1、2025、2025年第一季度、2025年一季度、2025年1季度、"
    "2025年上半年、2025年下半年、2025年度"
)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(\d{4})-?Q([1-4])$"), "q"),
    (re.compile(r"^(\d{4})-?H([12])$"), "h"),
    (re.compile(r"^(\d{4})(?:年度?)?$"), "y"),
    (re.compile(r"^(\d{4})年第?([一二三四1-4])季度?$"), "q"),
    (re.compile(r"^(\d{4})年([上下])半年度?$"), "hz"),
)


@functools.total_ordering
@dataclass(frozen=True)
class Period:
    """A reporting period. Ordered by start date, then by length (a quarter before its half)."""

    year: int
    type: PeriodType
    index: int = 1  # 1-4 for quarters, 1-2 for halves, 1 for a year

    def __post_init__(self) -> None:
        limit = {PeriodType.QUARTER: 4, PeriodType.HALF: 2, PeriodType.YEAR: 1}[self.type]
        if not 1 <= self.index <= limit:
            raise PeriodError(f"期间序号 {self.index} 超出范围（{self.type.label_zh}）")
        if not 1900 <= self.year <= 2999:
            raise PeriodError(f"年份 {self.year} 不在可接受的范围内")

    # --- construction -------------------------------------------------------------

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        """Read a period from its canonical or Chinese text form."""
        if isinstance(text, Period):
            return text
        if cls is Period and type(text) is str:
            return _parsed(text)  # the same few texts, read for every return stored
        return cls._read(str(text))

    @classmethod
    def _read(cls, raw: str) -> Period:
        cleaned = unicodedata.normalize("NFKC", raw).strip().upper().replace(" ", "")
        for pattern, kind in _PATTERNS:
            m = pattern.match(cleaned)
            if not m:
                continue
            year = int(m.group(1))
            if kind == "q":
                return cls(year, PeriodType.QUARTER, _CN_DIGITS[m.group(2)])
            if kind == "h":
                return cls(year, PeriodType.HALF, int(m.group(2)))
            if kind == "hz":
                return cls(year, PeriodType.HALF, 1 if m.group(2) == "上" else 2)
            return cls(year, PeriodType.YEAR, 1)
        raise PeriodError(f"无法识别的期间“{raw}”。可接受的写法：{ACCEPTED_FORMS}")

    @classmethod
    def containing(cls, day: date, type: PeriodType) -> Period:
        """The period of the given type that contains a date."""
        index = (day.month - 1) // type.months + 1
        return cls(day.year, type, index)

    # --- text -----------------------------------------------------------------------

    @property
    def code(self) -> str:
        if self.type is PeriodType.QUARTER:
            return f"{self.year}Q{self.index}"
        if self.type is PeriodType.HALF:
            return f"{self.year}H{self.index}"
        return f"{self.year}"

    @property
    def label_zh(self) -> str:
        if self.type is PeriodType.QUARTER:
            return f"{self.year}年第{_CN_ORDINAL[self.index]}季度"
        if self.type is PeriodType.HALF:
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        return f"{self.year}年度"

    @property
    def short_label_zh(self) -> str:
        """The period without its year, as a report sentence uses it (上半年, 第一季度)."""
        if self.type is PeriodType.QUARTER:
            return f"第{_CN_ORDINAL[self.index]}季度"
        if self.type is PeriodType.HALF:
            return "上半年" if self.index == 1 else "下半年"
        return "全年"

    @property
    def next_label_zh(self) -> str:
        """The next period as a sentence of this one names it: 下半年, 第四季度, 明年,
        明年第一季度."""
        following = self.next()
        if self.type is PeriodType.YEAR:
            return "明年"
        if following.year != self.year:
            return f"明年{following.short_label_zh}"
        return following.short_label_zh

    @property
    def end_label_zh(self) -> str:
        """The end of the period in a sentence: 第三季度末, 上半年末, 年末."""
        if self.end.month == 12:
            return "年末"
        return f"{self.short_label_zh}末"

    def report_date(self, today: date | None = None, days_after_end: int = 10) -> date:
        """The date a report on this period is signed with when none is set: today, or
        ``days_after_end`` days after the period ended when it is written later than that."""
        today = today or date.today()
        latest = self.end + timedelta(days=days_after_end)
        return min(today, latest)

    def __str__(self) -> str:
        return self.code

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.start, self.type.months) < (other.start, other.type.months)

    # --- calendar -------------------------------------------------------------------

    @property
    def first_month(self) -> int:
        return (self.index - 1) * self.type.months + 1

    @property
    def last_month(self) -> int:
        return self.first_month + self.type.months - 1

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        last = self.last_month
        return date(self.year, last, calendar.monthrange(self.year, last)[1])

    def deadline(self, days_after_end: int) -> date:
        """The last day a return for this period is on time."""
        return self.end + timedelta(days=days_after_end)

    def months(self) -> range:
        return range(self.first_month, self.last_month + 1)

    # --- structure ------------------------------------------------------------------

    def quarters(self) -> list[Period]:
        """The quarters that make up this period, in order."""
        first_q = (self.first_month - 1) // 3 + 1
        return [
            Period(self.year, PeriodType.QUARTER, q)
            for q in range(first_q, first_q + self.type.months // 3)
        ]

    def subperiods(self, type: PeriodType) -> list[Period]:
        """The periods of a shorter type that make up this one (quarters of a half, say)."""
        if type.months > self.type.months:
            raise PeriodError(f"{self.label_zh}不能拆分为{type.label_zh}")
        first = (self.first_month - 1) // type.months + 1
        count = self.type.months // type.months
        return [Period(self.year, type, i) for i in range(first, first + count)]

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def enclosing(self, type: PeriodType) -> Period:
        """The period of a longer (or equal) type that contains this one."""
        if type.months < self.type.months:
            raise PeriodError(f"{self.label_zh}不在某一个{type.label_zh}之内")
        return Period.containing(self.start, type)

    def next(self) -> Period:
        return Period.containing(self.end + timedelta(days=1), self.type)

    def previous(self) -> Period:
        return Period.containing(self.start - timedelta(days=1), self.type)

    def is_future(self, today: date | None = None) -> bool:
        """True when the period has not started yet."""
        return self.start > (today or date.today())

    def has_ended(self, today: date | None = None) -> bool:
        return self.end < (today or date.today())


def parse_period(text: str | Period) -> Period:
    return Period.parse(text)


@functools.lru_cache(maxsize=1024)
def _parsed(text: str) -> Period:
    """:meth:`Period.parse` of a text, remembered (a Period is immutable). A text that is
    not a period raises each time and is not remembered."""
    return Period._read(text)
