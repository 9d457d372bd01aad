"""Tracing a rolled-up figure back to its returns and values."""

from __future__ import annotations

from datetime import datetime

import pytest

from unionroll.core.bulk import BulkReturn, BulkUnit, load_returns, load_units
from unionroll.core.rollup import rollup
from unionroll.core.rollup_types import UnknownIndicatorError
from unionroll.core.trace import explain, trace
from unionroll.core.workspace import Workspace

UNITS = [
    BulkUnit("C", "清河县教育工会", "county"),
    BulkUnit("T1", "城关学区", "township", "C"),
    BulkUnit("S11", "城关一小", "school", "T1"),
    BulkUnit("S12", "城关二小", "school", "T1"),
    BulkUnit("T2", "东坝学区", "township", "C"),
    BulkUnit("S21", "东坝小学", "school", "T2"),
]


@pytest.fixture
def county(workspace: Workspace) -> dict[str, int]:
    load_units(workspace, UNITS)
    items = [
        BulkReturn(
            "S11", "2025Q1", {"care_funds": 100, "staff_total": 10}, source_name="一小一季度.xlsx"
        ),
        BulkReturn("S11", "2025Q2", {"care_funds": 50, "staff_total": 12}),
        BulkReturn("S12", "2025Q1", {"care_funds": 70, "staff_total": 20}),
        BulkReturn(
            "T1",
            "2025Q1",
            {"care_funds": 1000},
            consolidated=True,
            submitted_at=datetime(2025, 4, 20, 8, 30),
        ),
        BulkReturn("S21", "2025Q2", {"staff_home_level": "合格", "members_total": 5}),
        BulkReturn("S21", "2025Q1", {"staff_home_level": "无", "staff_total": 9}),
    ]
    ids = load_returns(workspace, items)
    return {f"{i.unit}-{i.period}": rid for i, rid in zip(items, ids, strict=True)}


def test_trace_of_a_sum_lists_used_and_excluded_values(
    workspace: Workspace, county: dict[str, int]
) -> None:
    t = trace(workspace, "2025H1", "C", "care_funds")
    assert t.figure.value == 1050
    assert sum(i.value for i in t.used) == t.figure.value
    rows = [(i.unit.code, i.quarter, i.value, i.status) for i in t.items]
    assert rows == [
        ("T1", "2025Q1", 1000.0, "used"),
        ("S11", "2025Q1", 100.0, "excluded"),
        ("S11", "2025Q2", 50.0, "used"),
        ("S12", "2025Q1", 70.0, "excluded"),
    ]
    first = t.items[1]
    assert first.note == "第一季度由 T1 城关学区 合并报送代替"
    assert first.source_name == "一小一季度.xlsx"
    assert first.return_id == county["S11-2025Q1"]
    assert t.items[0].consolidated is True
    assert t.items[0].submitted_at == datetime(2025, 4, 20, 8, 30)
    assert t.return_ids == sorted(
        county[k] for k in ("T1-2025Q1", "S11-2025Q1", "S11-2025Q2", "S12-2025Q1")
    )


def test_trace_of_a_stock_says_which_quarter_was_used(
    workspace: Workspace, county: dict[str, int]
) -> None:
    t = trace(workspace, "2025H1", "T1", "staff_total")
    # S12's Q1 is excluded (T1 consolidated Q1) and S12 has no Q2: nothing of S12 counts
    assert t.figure.value == 12
    got = [(i.unit.code, i.quarter, i.status) for i in t.items]
    assert got == [
        ("S11", "2025Q1", "excluded"),
        ("S11", "2025Q2", "used"),
        ("S12", "2025Q1", "excluded"),
    ]
    assert t.items[1].note == "采用第二季度（最新）的数"
    s21 = trace(workspace, "2025H1", "S21", "staff_total")
    assert [(i.quarter, i.status, i.note) for i in s21.items] == [
        ("2025Q1", "used", "采用第一季度（最新）的数")
    ]


def test_trace_of_a_ratio_lists_numerator_and_denominator(
    workspace: Workspace, county: dict[str, int]
) -> None:
    t = trace(workspace, "2025H1", "T2", "membership_rate")
    assert t.figure.value == pytest.approx(5 / 9)
    assert [(i.role, i.indicator_id, i.value, i.status) for i in t.items] == [
        ("numerator", "members_total", 5.0, "used"),
        ("denominator", "staff_total", 9.0, "used"),
    ]


def test_trace_of_a_choice_uses_the_latest_option(
    workspace: Workspace, county: dict[str, int]
) -> None:
    t = trace(workspace, "2025H1", "C", "staff_home_level")
    assert [(i.quarter, i.value, i.status) for i in t.items] == [
        ("2025Q1", "无", "not_latest"),
        ("2025Q2", "合格", "used"),
    ]


def test_explain_works_from_a_rollup_without_the_database(
    workspace: Workspace, county: dict[str, int]
) -> None:
    result = rollup(workspace, "2025H1", hooks=False)
    workspace.close()
    t = explain(result, "S11", "care_funds")
    assert [(i.quarter, i.status) for i in t.items] == [("2025Q1", "excluded"), ("2025Q2", "used")]


def test_trace_errors(workspace: Workspace, county: dict[str, int]) -> None:
    with pytest.raises(UnknownIndicatorError, match="没有指标“no_such”"):
        trace(workspace, "2025H1", "C", "no_such")
    t = trace(workspace, "2025H1", "C", "blood_donors")
    assert t.items == () and t.figure.value is None
