"""Yes / no, a choice among a form's options, and award levels (国家, 省, 市, 县, 乡镇)
under every name they are written with."""

from __future__ import annotations

import functools
import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from unionroll.core.values.numbers import _NOT_REPORTED_NOTE, NOT_REPORTED_MARKS
from unionroll.core.values.text import Parsed, ParseError, normalize

if TYPE_CHECKING:
    from unionroll.core.forms import RegisterColumn

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


AWARD_LEVELS = ("国家", "省", "市", "县", "乡镇")  # highest first
AWARD_LEVEL_ZH = {"国家": "国家级", "省": "省级", "市": "市级", "县": "县级", "乡镇": "乡镇级"}
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
        f"不是有效的级别，应为以下之一：{listed}",
        code="bad_award_level",
        expected=listed,
    )
