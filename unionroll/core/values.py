"""Forgiving reading of what people type into a return in Excel or WPS.

Base units type ``６１``, ``61人``, ``2.5万元``, ``1，200``, ``是`` or ``√``; this module
turns that into numbers, flags and option names, and refuses what cannot be read with a
Chinese reason (``ParseError``). Nothing here knows where a value came from: validation
adds the indicator's label and the cell's location to build a finding.

Blank is not zero. An empty cell means *not reported* (``None``); ``0`` is a reported 0.
Two written stand-ins are read as follows, each with a warning (:class:`Note`) so the
county can see what was assumed:

* ``无`` / ``没有`` / ``暂无`` in a number cell → **0**. In Chinese the word says "there
  were none", and that is how a union office reads it on paper ("走访慰问：无").
* ``-``, ``—``, ``/``, ``\\`` and the like → **not reported**. In Chinese statistical
  tables a dash or slash marks a cell as 不适用 / 无此项; it does not say how many, so
  inventing a 0 would put a figure into the rollup that nobody gave. A required
  indicator filled this way is then reported as missing.

These functions run on every cell of thousands of returns: patterns are compiled once,
ASCII text skips Unicode normalisation, and the common case (a plain number) is tried
first.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NamedTuple

from unionroll.core.errors import UnionrollError
from unionroll.core.forms import DEFAULT_MAX

if TYPE_CHECKING:
    from unionroll.core.forms import FormDefinition, Indicator, RegisterColumn


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


# --- numbers ---------------------------------------------------------------------------

NUMBER_KINDS = ("int", "decimal", "money")

# Written stand-ins: see the module docstring for why these two differ.
ZERO_WORDS = frozenset({"无", "没有", "暂无"})
NOT_REPORTED_MARKS = frozenset(
    {"-", "--", "---", "—", "——", "–", "―", "/", "//", "\\", "~", "不适用", "N/A", "NA"}
)
_ZERO_NOTE = Note("zero_word", "按 0 计入（如未开展请直接填 0，不适用请留空）")
_NOT_REPORTED_NOTE = Note("placeholder_blank", "视为未填报（如为 0 请填 0）")

PEOPLE_UNITS = frozenset({"人", "人次", "名", "位"})
MONEY_UNITS = frozenset({"元"})
COUNT_UNITS = PEOPLE_UNITS | frozenset(
    {
        "次",
        "件",
        "篇",
        "场",
        "期",
        "支",
        "对",
        "个",
        "份",
        "条",
        "个次",
        "项",
        "处",
        "所",
        "户",
        "场次",
    }
)
_PERCENT_UNITS = frozenset({"%", "‰"})

_PLAIN_RE = re.compile(r"\d+(?:\.\d+)?")
_NUMBER_RE = re.compile(
    r"""
    (?P<pre>约|大约|大概|近|将近|接近|超过|逾|约计|不少于|不足|不到|至少|最少|百分之)?
    (?P<cur>¥)?
    (?P<sign>[+-])?
    (?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)
    (?P<approx>余|多|来|几|许)?
    (?P<mult>万|亿)?
    (?P<approx2>余|多)?
    (?P<unit>\D*?)
    (?P<tail>左右|上下|以上|以下|余|多|\+)?
    """,
    re.X,
)
_DATE_RE = re.compile(
    r"""
      \d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?
    | \d{4}[-/]\d{1,2}
    | \d{4}年\d{1,2}月(?:\d{1,2}[日号])?
    | \d{1,2}月份?(?:\d{1,2}[日号])?
    | \d{1,2}/\d{1,2}(?:/\d{2,4})?
    | \d{1,2}:\d{2}(?::\d{2})?
    """,
    re.X,
)
_GROUPED_RE = re.compile(r"(?<![\d.])(?<![\d.]\s)\d{1,3}(?:\s\d{3})+(?:\.\d+)?(?!\s*[\d.])")
_SPLIT_DIGITS_RE = re.compile(r"\d\s+[\d.]|\.\s+\d")
_CN_NUMERALS = frozenset("零〇一二两三四五六七八九十百千万亿")
_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}


def _number_expected(kind: str, unit: str) -> str:
    what = {"int": "非负整数", "money": "金额（最多两位小数）"}.get(kind, "数字")
    return f"{what}（{unit}）" if unit else what


def parse_number(
    raw: Any,
    *,
    kind: str = "decimal",
    unit: str = "",
    min: float | None = 0,
    max: float | None = None,
) -> Parsed:
    """Read a number cell. ``kind`` is ``int``, ``decimal`` or ``money``; ``unit`` the
    indicator's unit of measure (a matching unit typed after the number is accepted).

    Returns ``Parsed(None)`` for a blank cell; raises :class:`ParseError` otherwise.
    """
    expected = _number_expected(kind, unit)
    if raw is None:
        return Parsed(None)
    typ = type(raw)
    if typ is float or typ is int:
        if typ is int and abs(raw) > 10**300:
            value = math.inf  # refused as too large below; float() would overflow
        else:
            value = float(raw) if typ is int or math.isfinite(raw) else _nan(expected)
        decimals = None
    elif isinstance(raw, str):
        text = nfkc(raw).strip()
        if not text:
            return Parsed(None)
        if _PLAIN_RE.fullmatch(text):
            value = float(text)
            decimals = _decimals(text)
        else:
            text = _join_spaces(text, expected)
            if text in NOT_REPORTED_MARKS:
                return Parsed(None, _NOT_REPORTED_NOTE)
            if text in ZERO_WORDS:
                return Parsed(0.0, _ZERO_NOTE)
            value, decimals = _parse_number_text(text, kind, unit, expected)
    elif isinstance(raw, bool):
        raise ParseError("是“是/否”值，本项应填数字", code="bool_in_number", expected=expected)
    elif isinstance(raw, datetime | date | time | timedelta):
        raise ParseError("看起来是日期，本项应填数字", code="looks_like_date", expected=expected)
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            _nan(expected)
        value = float(raw)
        decimals = max_decimals(raw)
    elif isinstance(raw, int | float):  # numpy scalars and other int/float subclasses
        value = float(raw)
        if not math.isfinite(value):
            _nan(expected)
        decimals = None
    else:
        raise ParseError("不是数字", code="not_a_number", expected=expected)
    return Parsed(_check_number(value, decimals, kind, min, max, expected))


def _join_spaces(text: str, expected: str) -> str:
    """Drop spaces: ``1 200`` is 1200 and ``61 人`` is 61人, but ``61 62`` is two numbers."""
    if _SPLIT_DIGITS_RE.search(text):
        text = " ".join(text.split())
        grouped = _GROUPED_RE.sub("#", text)
        if grouped == text or _SPLIT_DIGITS_RE.search(grouped):
            raise ParseError("含有多个数字，请只填一个数字", code="not_a_number", expected=expected)
    return "".join(text.split())


def _nan(expected: str) -> float:
    raise ParseError("不是数字", code="not_a_number", expected=expected)


def _decimals(text: str) -> int:
    dot = text.find(".")
    if dot < 0:
        return 0
    return len(text[dot + 1 :].rstrip("0"))


def max_decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


_YES_NO_WORDS = frozenset({"是", "否", "有", "Y", "N", "YES", "NO", "TRUE", "FALSE", "√", "×"})


def _parse_number_text(text: str, kind: str, unit: str, expected: str) -> tuple[float, int]:
    if _DATE_RE.fullmatch(text):
        raise ParseError("看起来是日期，本项应填数字", code="looks_like_date", expected=expected)
    m = _NUMBER_RE.fullmatch(text)
    if m is None:
        if text.startswith("百分之") or text.endswith(("%", "‰")):
            raise ParseError("是百分数，本项应填数量", code="percent", expected=expected)
        if text.upper() in _YES_NO_WORDS:
            raise ParseError(
                "是“是/否”的回答，本项应填数字", code="bool_in_number", expected=expected
            )
        if any(ch in _CN_NUMERALS for ch in text):
            raise ParseError(
                "不是数字，请用阿拉伯数字填写确切数字（如 30）",
                code="not_a_number",
                expected=expected,
            )
        raise ParseError("不是数字", code="not_a_number", expected=expected)
    pre, found_unit = m["pre"], m["unit"].strip("()[]")
    if pre == "百分之" or found_unit in _PERCENT_UNITS:
        if unit in _PERCENT_UNITS and pre != "百分之":
            found_unit = unit
        else:
            raise ParseError(
                f"是百分数，本项应填{'数量' if kind != 'money' else '金额'}",
                code="percent",
                expected=expected,
            )
    if pre or m["approx"] or m["approx2"] or m["tail"]:
        raise ParseError("不是确切数字，请填写确切数字", code="approximate", expected=expected)
    if found_unit:
        _check_unit(found_unit, kind, unit, expected)
    if m["cur"] and kind != "money":
        raise ParseError("带有货币符号，本项不是金额", code="wrong_unit", expected=expected)
    try:
        number = Decimal(m["num"].replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        _nan(expected)
    mult = m["mult"]
    if mult:
        number *= _MULTIPLIERS[mult]
    if unit == "万元" and (mult or found_unit == "元"):
        number /= _MULTIPLIERS["万"]  # typed in 元, the indicator counts 万元
    if m["sign"] == "-":
        number = -number
    return float(number), max_decimals(number)


def _check_unit(found: str, kind: str, unit: str, expected: str) -> None:
    if found == unit or (unit == "万元" and found == "元"):
        return
    if found in MONEY_UNITS and kind != "money":
        raise ParseError(
            f"带有单位“{found}”，与本项的单位“{unit or '数量'}”不符",
            code="wrong_unit",
            expected=expected,
        )
    if found in COUNT_UNITS:
        if kind == "money":
            raise ParseError(
                f"带有单位“{found}”，本项应填金额（{unit or '元'}）",
                code="wrong_unit",
                expected=expected,
            )
        return
    if found in MONEY_UNITS:
        return
    raise ParseError(
        f"含有无法识别的内容“{found}”，不是数字", code="not_a_number", expected=expected
    )


def _check_number(
    value: float,
    decimals: int | None,
    kind: str,
    min: float | None,
    max: float | None,
    expected: str,
) -> float:
    if not math.isfinite(value):
        raise ParseError("数值过大，请检查是否多填了数位", code="too_large", expected=expected)
    if min is not None and value < min:
        if min == 0:
            raise ParseError("不能为负数", code="negative", expected=expected)
        raise ParseError(
            f"小于允许的最小值 {format_number(float(min))}", code="too_small", expected=expected
        )
    if kind == "int":
        if not value.is_integer():
            nearest = round(value)
            # a formula's cached result can be 61.00000000001; that is still 61
            if decimals is None and abs(value - nearest) <= _noise(value):
                value = float(nearest)
            else:
                raise ParseError("应为整数", code="not_integer", expected=expected)
    elif kind == "money":
        if decimals is None:
            cents = round(value, 2)
            if cents != value:
                if abs(value - cents) <= _noise(value):
                    value = cents  # float noise from Excel arithmetic (0.1 + 0.2)
                else:
                    raise ParseError(
                        "金额最多保留两位小数", code="too_many_decimals", expected=expected
                    )
        elif decimals > 2:
            raise ParseError("金额最多保留两位小数", code="too_many_decimals", expected=expected)
    if max is not None and value > max:
        raise ParseError(
            f"数值过大（不应超过 {format_number(float(max))}），请检查是否多填了数位",
            code="too_large",
            expected=expected,
        )
    return value + 0.0  # no -0.0


def _noise(value: float) -> float:
    # 1e-9 absolute, or a few units in the last place for large sums, whichever is larger
    return max(1e-9, 16 * math.ulp(value))


# --- yes / no --------------------------------------------------------------------------

YES_WORDS = frozenset(
    {
        "是",
        "Y",
        "YES",
        "√",
        "✓",
        "✔",
        "☑",
        "1",
        "TRUE",
        "有",
        "已建立",
        "已建",
        "已成立",
        "已召开",
        "是的",
    }
)
NO_WORDS = frozenset(
    {
        "否",
        "N",
        "NO",
        "×",
        "✗",
        "✘",
        "✕",
        "0",
        "FALSE",
        "无",
        "未建立",
        "未建",
        "未成立",
        "未召开",
        "没有",
        "不是",
    }
)
_BOOL_EXPECTED = "是 或 否"


def parse_bool(raw: Any) -> Parsed:
    """Read a yes/no cell: 1.0 for yes, 0.0 for no, None when blank."""
    if raw is None:
        return Parsed(None)
    if isinstance(raw, bool):
        return Parsed(1.0 if raw else 0.0)
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        if raw == 1:
            return Parsed(1.0)
        if raw == 0:
            return Parsed(0.0)
        raise ParseError("不是“是”或“否”", code="not_yes_no", expected=_BOOL_EXPECTED)
    if isinstance(raw, str):
        text = normalize(raw).upper()
        if not text:
            return Parsed(None)
        if text in YES_WORDS:
            return Parsed(1.0)
        if text in NO_WORDS:
            return Parsed(0.0)
        if text in {"1.0", "1.00"}:
            return Parsed(1.0)
        if text in {"0.0", "0.00"}:
            return Parsed(0.0)
        if text in NOT_REPORTED_MARKS:
            return Parsed(None, _NOT_REPORTED_NOTE)
    raise ParseError("不是“是”或“否”", code="not_yes_no", expected=_BOOL_EXPECTED)


# --- choices ---------------------------------------------------------------------------

# Words people add after an option without changing it: 合格级, 省级 …
CHOICE_TAILS = ("级别", "等级", "级", "类")


def _choice_text(raw: Any) -> str:
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, bool):
        return "是" if raw else "否"
    return normalize(str(raw))


@functools.lru_cache(maxsize=256)
def _option_keys(options: tuple[str, ...]) -> dict[str, str]:
    return {normalize(o).upper(): o for o in options}


def parse_choice(raw: Any, options: tuple[str, ...] | list[str]) -> Parsed:
    """Read an option. The exact option after NFKC and space removal; an option followed
    by a tolerated tail (``级`` …) when exactly one option fits; else refuse."""
    if raw is None:
        return Parsed(None)
    text = _choice_text(raw)
    if not text:
        return Parsed(None)
    for option in options:
        if text == option:
            return Parsed(option)
    normalized = _option_keys(tuple(options))
    upper = text.upper()
    if upper in normalized:
        return Parsed(normalized[upper])
    fits = {
        option
        for key, option in normalized.items()
        if upper.startswith(key) and upper[len(key) :] in CHOICE_TAILS
    }
    if len(fits) == 1:
        return Parsed(fits.pop())
    if text in NOT_REPORTED_MARKS:
        return Parsed(None, _NOT_REPORTED_NOTE)
    listed = "、".join(options)
    raise ParseError(f"不是可选项，应为以下之一：{listed}", code="not_an_option", expected=listed)


AWARD_LEVELS = ("国家", "省", "市", "县", "乡镇")
_AWARD_ALIASES = {
    "国家": "国家",
    "国家级": "国家",
    "全国": "国家",
    "全国性": "国家",
    "省": "省",
    "省级": "省",
    "省部级": "省",
    "市": "市",
    "市级": "市",
    "地市级": "市",
    "县": "县",
    "县级": "县",
    "区": "县",
    "区级": "县",
    "县区级": "县",
    "县(区)级": "县",
    "县(区)": "县",
    "乡镇": "乡镇",
    "乡镇级": "乡镇",
    "乡": "乡镇",
    "乡级": "乡镇",
    "镇": "乡镇",
    "镇级": "乡镇",
    "学区": "乡镇",
    "学区级": "乡镇",
    "街道": "乡镇",
    "街道级": "乡镇",
}


def is_award_level_column(column: RegisterColumn) -> bool:
    """A choice column whose options are award levels (国家/省/市/县/乡镇)."""
    return (
        column.type == "choice"
        and len(column.options) >= 2
        and set(column.options) <= set(AWARD_LEVELS)
    )


def parse_award_level(raw: Any, options: tuple[str, ...] = AWARD_LEVELS) -> Parsed:
    """国家/省/市/县/乡镇, also written 国家级, 省级, 镇级, 学区 … → the plain level."""
    if raw is None:
        return Parsed(None)
    text = _choice_text(raw)
    if not text:
        return Parsed(None)
    level = _AWARD_ALIASES.get(text)
    if level is not None and level in options:
        return Parsed(level)
    listed = "、".join(options)
    raise ParseError(
        f"不是有效的级别，应为以下之一：{listed}", code="bad_award_level", expected=listed
    )


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
    re.X,
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
            "不是有效的月份（应在 1–12 之间）", code="bad_month", expected=_MONTH_EXPECTED
        )
    return Parsed(month)


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


# --- per-form lookups ------------------------------------------------------------------


class FormLookup:
    """Tables built once per form: categories and indicators by every name people use."""

    def __init__(self, form: FormDefinition) -> None:
        self.form = form
        self.categories: dict[str, str] = {}
        self.category_names = [sec.name for sec in form.sections]
        for sec in form.sections:
            self.categories[normalize(sec.name)] = sec.id
            self.categories[normalize(sec.id).lower()] = sec.id
        self.indicators: dict[str, Indicator] = {}
        for ind in form.indicators:
            self.indicators[ind.id] = ind
            self.indicators[ind.id.lower()] = ind
            self.indicators[normalize(ind.label)] = ind
            self.indicators[normalize(ind.label_with_unit)] = ind

    def category(self, raw: Any) -> Parsed:
        if raw is None:
            return Parsed(None)
        text = normalize(str(raw))
        if not text:
            return Parsed(None)
        found = self.categories.get(text) or self.categories.get(text.lower())
        if found is not None:
            return Parsed(found)
        # a shortened name is fine when only one category starts with it: 女工工作, 师德建设
        if len(text) >= 2:
            fits = {sid for name, sid in self.categories.items() if name.startswith(text)}
            if len(fits) == 1:
                return Parsed(fits.pop())
        listed = "、".join(self.category_names)
        raise ParseError(
            f"不是本报表的工作类别，应为以下之一：{listed}",
            code="unknown_category",
            expected=listed,
        )

    def indicator(self, raw: Any) -> Parsed:
        if raw is None:
            return Parsed(None)
        text = normalize(str(raw))
        if not text:
            return Parsed(None)
        ind = self.indicators.get(text) or self.indicators.get(text.lower())
        if ind is None:
            raise ParseError(
                "不是本报表的指标，请填写指标名称（如“走访慰问困难教职工”）或留空",
                code="unknown_indicator_ref",
                expected="本报表的数值指标名称",
            )
        if not ind.is_numeric:
            raise ParseError(
                f"是“{ind.label}”，不是数值指标，无法设定目标值",
                code="not_numeric_indicator",
                expected="本报表的数值指标名称",
            )
        return Parsed(ind.id)


_LOOKUPS: dict[int, FormLookup] = {}


def form_lookup(form: FormDefinition) -> FormLookup:
    """The lookup tables of a form, built on first use and kept (keyed by identity)."""
    lookup = _LOOKUPS.get(id(form))
    if lookup is None or lookup.form is not form:
        if len(_LOOKUPS) > 64:
            _LOOKUPS.clear()
        lookup = _LOOKUPS[id(form)] = FormLookup(form)
    return lookup


# --- public entry points ---------------------------------------------------------------


def read_indicator_value(indicator: Indicator, raw: Any) -> Parsed:
    """Parse a cell for an indicator, returning the value and any assumption made.

    Numbers come back as float (ints too), yes/no as 1.0/0.0, choices and text as str,
    blank as None. Derived indicators are never entered: their cells read as None.
    """
    vtype = indicator.type
    if vtype in NUMBER_KINDS:
        return parse_number(
            raw, kind=vtype, unit=indicator.unit, min=indicator.min, max=indicator.max
        )
    if vtype == "bool":
        return parse_bool(raw)
    if vtype == "choice":
        return parse_choice(raw, indicator.options)
    if vtype == "text":
        return parse_text(raw)
    return Parsed(None)


def parse_indicator_value(indicator: Indicator, raw: Any) -> float | str | None:
    """Parse a cell for an indicator; raise :class:`ParseError` with a Chinese reason."""
    return read_indicator_value(indicator, raw).value


def column_reader(column: RegisterColumn, form: FormDefinition) -> Callable[[Any], Parsed]:
    """The parsing function for one register column, bound once and reused for every row."""
    ctype = column.type
    if ctype == "int":
        return _read_register_int
    if ctype == "number":
        return _read_register_number
    if ctype == "month":
        return parse_month
    if ctype == "choice":
        options = column.options
        if is_award_level_column(column):
            return lambda raw: parse_award_level(raw, options)
        return lambda raw: parse_choice(raw, options)
    if ctype == "category":
        return form_lookup(form).category
    if ctype == "indicator":
        return form_lookup(form).indicator
    max_length = column.max_length
    return lambda raw: parse_text(raw, max_length)


def _read_register_int(raw: Any) -> Parsed:
    parsed = parse_number(raw, kind="int", max=DEFAULT_MAX)
    if parsed.value is None:
        return parsed
    return Parsed(int(parsed.value), parsed.note)


def _read_register_number(raw: Any) -> Parsed:
    return parse_number(raw, kind="decimal", max=DEFAULT_MAX)


def read_register_cell(column: RegisterColumn, raw: Any, form: FormDefinition) -> Parsed:
    """Parse a register cell per its column, returning the value and any assumption made.

    text → str; int → int; number → float; month → int 1–12; choice → the option
    (award levels normalised to 国家/省/市/县/乡镇); category → the section id;
    indicator → the id of a numeric indicator.
    """
    return column_reader(column, form)(raw)


def parse_register_cell(column: RegisterColumn, raw: Any, form: FormDefinition) -> Any:
    """Parse a register cell; raise :class:`ParseError` with a Chinese reason."""
    return read_register_cell(column, raw, form).value


__all__ = [
    "AWARD_LEVELS",
    "NOT_REPORTED_MARKS",
    "ZERO_WORDS",
    "FormLookup",
    "Note",
    "ParseError",
    "Parsed",
    "column_reader",
    "form_lookup",
    "format_number",
    "is_award_level_column",
    "is_blank",
    "nfkc",
    "normalize",
    "parse_award_level",
    "parse_bool",
    "parse_choice",
    "parse_indicator_value",
    "parse_month",
    "parse_number",
    "parse_register_cell",
    "parse_text",
    "read_indicator_value",
    "read_register_cell",
    "show",
]
