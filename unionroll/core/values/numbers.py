"""Numbers as people type them: full-width digits, units (人, 元, 万元), thousands
separators, Chinese numerals, 无 for 0 and dashes for not reported."""

from __future__ import annotations

import functools
import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from unionroll.core.values.text import Note, Parsed, ParseError, format_number, nfkc

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
    re.VERBOSE,
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
    re.VERBOSE,
)
_GROUPED_RE = re.compile(r"(?<![\d.])(?<![\d.]\s)\d{1,3}(?:\s\d{3})+(?:\.\d+)?(?!\s*[\d.])")
_SPLIT_DIGITS_RE = re.compile(r"\d\s+[\d.]|\.\s+\d")
_CN_NUMERALS = frozenset("零〇一二两三四五六七八九十百千万亿")
_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}


@functools.lru_cache(maxsize=256)
def _number_expected(kind: str, unit: str) -> str:
    """What a number cell should hold, for messages (asked for every cell read)."""
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
                "是“是/否”的回答，本项应填数字",
                code="bool_in_number",
                expected=expected,
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
            f"小于允许的最小值 {format_number(float(min))}",
            code="too_small",
            expected=expected,
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
                        "金额最多保留两位小数",
                        code="too_many_decimals",
                        expected=expected,
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
