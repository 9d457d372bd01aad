"""The Chinese texts the template shows: dates, drop-down labels, entry hints, line counts."""

from __future__ import annotations

import unicodedata
from typing import Any

from unionroll.core.forms import FormDefinition, Indicator


def format_date_zh(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def indicator_list_label(ind: Indicator) -> str:
    """How an indicator appears in the 对应指标 drop-down of the priorities register."""
    return ind.label


def list_indicators(form: FormDefinition, level: str) -> list[Indicator]:
    """The indicators a plan row may name: the numeric ones a unit of ``level`` fills in."""
    return [ind for ind in form.input_indicators_for_level(level) if ind.is_numeric]


def type_hint(ind: Indicator) -> str:
    """The 说明 text for an indicator: what to enter, in plain Chinese."""
    if ind.type == "int":
        hint = "填整数"
    elif ind.type == "money":
        hint = "单位：元，可保留两位小数"
    elif ind.type == "decimal":
        hint = "填数字，可有小数"
    elif ind.type == "bool":
        hint = "从下拉列表选择“是”或“否”"
    elif ind.type == "choice":
        hint = "从下拉列表选择：" + "/".join(ind.options)
    else:
        hint = "填文字"
    return hint


def _wrapped_lines(text: str, width: int) -> int:
    """How many lines ``text`` takes in a column ``width`` characters wide (CJK counts 2)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return max(1, -(-used // (width - 2)))


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
