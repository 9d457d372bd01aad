from __future__ import annotations

from datetime import date

import pytest

from unionroll.core.errors import PeriodError
from unionroll.core.periods import Period, PeriodType

Q = PeriodType.QUARTER
H = PeriodType.HALF
Y = PeriodType.YEAR


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025Q1", Period(2025, Q, 1)),
        ("2025q3", Period(2025, Q, 3)),
        ("2025-Q4", Period(2025, Q, 4)),
        (" 2025Q2 ", Period(2025, Q, 2)),
        ("２０２５Ｑ２", Period(2025, Q, 2)),
        ("2025H1", Period(2025, H, 1)),
        ("2025h2", Period(2025, H, 2)),
        ("2025", Period(2025, Y, 1)),
        ("2025年第一季度", Period(2025, Q, 1)),
        ("2025年第四季度", Period(2025, Q, 4)),
        ("2025年一季度", Period(2025, Q, 1)),
        ("2025年二季度", Period(2025, Q, 2)),
        ("2025年3季度", Period(2025, Q, 3)),
        ("2025年第2季度", Period(2025, Q, 2)),
        ("2025年上半年", Period(2025, H, 1)),
        ("2025年下半年", Period(2025, H, 2)),
        ("2025年度", Period(2025, Y, 1)),
        ("2025年", Period(2025, Y, 1)),
    ],
)
def test_parse_accepted_forms(text: str, expected: Period) -> None:
    assert Period.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "2025Q5", "2025H3", "25Q1", "2025年第五季度", "上半年", "2025-01", "abc", "2025年中"],
)
def test_parse_refuses_with_accepted_forms_listed(text: str) -> None:
    with pytest.raises(PeriodError) as info:
        Period.parse(text)
    message = str(info.value)
    assert f"无法识别的期间“{text}”" in message
    assert "2025Q1" in message and "2025年上半年" in message and "2025年度" in message


def test_codes_and_labels() -> None:
    assert Period.parse("2025Q1").code == "2025Q1"
    assert Period.parse("2025Q1").label_zh == "2025年第一季度"
    assert Period.parse("2025H1").label_zh == "2025年上半年"
    assert Period.parse("2025H2").short_label_zh == "下半年"
    assert Period.parse("2025").label_zh == "2025年度"
    assert str(Period.parse("2025年下半年")) == "2025H2"


def test_round_trip_through_chinese_label() -> None:
    for code in ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2024H1", "2024H2", "2024"]:
        period = Period.parse(code)
        assert Period.parse(period.label_zh) == period


def test_dates_and_deadline() -> None:
    q1 = Period.parse("2025Q1")
    assert q1.start == date(2025, 1, 1)
    assert q1.end == date(2025, 3, 31)
    assert q1.deadline(10) == date(2025, 4, 10)
    assert Period.parse("2024Q1").end == date(2024, 3, 31)
    assert Period.parse("2025H2").start == date(2025, 7, 1)
    assert Period.parse("2025H2").end == date(2025, 12, 31)
    assert Period.parse("2025Q4").deadline(10) == date(2026, 1, 10)
    assert list(Period.parse("2025Q2").months()) == [4, 5, 6]


def test_containment() -> None:
    h1 = Period.parse("2025H1")
    assert [p.code for p in h1.quarters()] == ["2025Q1", "2025Q2"]
    assert [p.code for p in Period.parse("2025").quarters()] == [
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
    ]
    assert [p.code for p in Period.parse("2025").subperiods(H)] == ["2025H1", "2025H2"]
    assert h1.contains(Period.parse("2025Q2"))
    assert not h1.contains(Period.parse("2025Q3"))
    assert Period.parse("2025").contains(h1)
    assert not Period.parse("2025Q1").contains(h1)
    assert Period.parse("2025Q3").enclosing(H).code == "2025H2"
    assert Period.parse("2025Q3").enclosing(Y).code == "2025"
    with pytest.raises(PeriodError):
        h1.subperiods(Y)
    with pytest.raises(PeriodError):
        h1.enclosing(Q)


def test_previous_and_next_cross_years() -> None:
    assert Period.parse("2025Q1").previous().code == "2024Q4"
    assert Period.parse("2025Q4").next().code == "2026Q1"
    assert Period.parse("2025H1").previous().code == "2024H2"
    assert Period.parse("2025H2").next().code == "2026H1"
    assert Period.parse("2025").next().code == "2026"


def test_ordering_and_future() -> None:
    periods = [Period.parse(t) for t in ["2025H1", "2025Q2", "2024", "2025Q1"]]
    assert [p.code for p in sorted(periods)] == ["2024", "2025Q1", "2025H1", "2025Q2"]
    assert Period.parse("2025Q3").is_future(date(2025, 6, 30))
    assert not Period.parse("2025Q3").is_future(date(2025, 7, 1))
    assert Period.parse("2025Q2").has_ended(date(2025, 7, 1))
    assert not Period.parse("2025Q2").has_ended(date(2025, 6, 30))


def test_containing() -> None:
    assert Period.containing(date(2025, 5, 20), Q).code == "2025Q2"
    assert Period.containing(date(2025, 7, 1), H).code == "2025H2"


def test_parsing_the_same_text_again_gives_the_same_period() -> None:
    """Parsed texts are remembered: the answer is the same, and a bad text is refused
    every time it comes, never remembered as a period."""
    first = Period.parse("2025年第二季度")
    assert Period.parse("2025年第二季度") == first == Period.parse("2025Q2")
    for _ in range(2):
        with pytest.raises(PeriodError, match="无法识别的期间“2025年第五季度”"):
            Period.parse("2025年第五季度")
    with pytest.raises(PeriodError):
        Period.parse("2025Q5")
