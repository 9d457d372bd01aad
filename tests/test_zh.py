from __future__ import annotations

from datetime import date

import pytest

from unionroll.core.zh import cn_number, date_zh, format_number, format_percent, format_quantity


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (8, "八"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三")]
)
def test_cn_number(n: int, text: str) -> None:
    assert cn_number(n) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (61, "人次", "61人次"),
        (25000, "元", "2.5万元"),
        (25000.0, "元", "2.5万元"),
        (123456, "元", "12.35万元"),
        (100000, "元", "10万元"),
        (8500, "元", "8500元"),
        (1033.01, "元", "1033.01元"),
        (171, "人", "171人"),
        (123000, "人次", "12.3万人次"),
        (0, "篇", "0篇"),
        (None, "人", "—"),
    ],
)
def test_format_quantity(value, unit: str, text: str) -> None:
    assert format_quantity(value, unit) == text


def test_format_number_and_percent_and_date() -> None:
    assert format_number(2.50) == "2.5"
    assert format_number(3.0) == "3"
    assert format_percent(0.952) == "95.2%"
    assert format_percent(1.0) == "100%"
    assert format_percent(None) == "—"
    assert date_zh(date(2025, 7, 10)) == "2025年7月10日"
