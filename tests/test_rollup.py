"""The rollup engine, one rule at a time, with its traps: stocks over quarters, ratios
and zero denominators, consolidated returns, missing quarters, closed units,
completeness, registers and award de-duplication, targets vs actuals, the hook.
Every test runs on SQLite and PostgreSQL (the ``workspace`` fixture)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from rollup_support import write_levels_workspace

from unionroll.core import migrate
from unionroll.core.bulk import BulkRegisterRow, BulkReturn, BulkUnit, load_returns, load_units
from unionroll.core.errors import UnknownUnitError, UsageError
from unionroll.core.hookspecs import hookimpl
from unionroll.core.rollup import RollupResult, rollup
from unionroll.core.rollup_types import UnknownIndicatorError
from unionroll.core.workspace import Workspace

COUNTY = [
    BulkUnit("C", "清河县教育工会", "county"),
    BulkUnit("T1", "城关学区", "township", "C"),
    BulkUnit("S11", "城关一小", "school", "T1"),
    BulkUnit("S12", "城关二小", "school", "T1"),
    BulkUnit("T2", "东坝学区", "township", "C"),
    BulkUnit("S21", "东坝小学", "school", "T2"),
    BulkUnit("S9", "县第一中学", "school", "C"),  # a county-direct school (县直学校)
]


def ret(unit: str, period: str, consolidated: bool = False, **values: Any) -> BulkReturn:
    return BulkReturn(unit, period, values, consolidated=consolidated)


def make(ws: Workspace, returns: list[BulkReturn], units: list[BulkUnit] = COUNTY) -> None:
    load_units(ws, units)
    load_returns(ws, returns)


def up(ws: Workspace, period: str = "2025H1", **kw: Any) -> RollupResult:
    return rollup(ws, period, hooks=False, **kw)


# --- sum ---------------------------------------------------------------------------------


def test_sum_adds_quarters_and_every_level_own_work(workspace: Workspace) -> None:
    make(
        workspace,
        [
            ret("S11", "2025Q1", care_funds=1000.5, needy_staff_visited=2),
            ret("S11", "2025Q2", care_funds=500, needy_staff_visited=1),
            ret("S12", "2025Q1", care_funds=0, needy_staff_visited=0),
            ret("T1", "2025Q2", care_funds=3000),  # the township's own work
            ret("C", "2025Q1", care_funds=10000),  # the county's own work
            ret("S21", "2025Q3", care_funds=999999),  # another half: not counted
        ],
    )
    r = up(workspace)
    assert r.figure("S11", "care_funds").value == 1500.5
    assert r.figure("T1", "care_funds").value == 4500.5
    assert r.figure("C", "care_funds").value == 14500.5
    assert r.figure("C", "needy_staff_visited").value == 3
    # a reported zero is a value; nobody reporting is no value
    assert r.figure("S12", "care_funds").value == 0
    assert r.figure("T2", "care_funds").value is None
    assert up(workspace, "2025Q2").figure("C", "care_funds").value == 3500
    assert up(workspace, "2025").figure("C", "care_funds").value == 14500.5 + 999999


# --- stock -------------------------------------------------------------------------------


def test_stock_takes_the_latest_quarter_never_the_sum(workspace: Workspace) -> None:
    make(
        workspace,
        [
            ret("S11", "2025Q1", staff_total=50),
            ret("S11", "2025Q2", staff_total=52),
            ret("S12", "2025Q1", staff_total=30),  # missed Q2: its Q1 figure stands
            ret("S12", "2025Q2", care_funds=1),  # reported Q2 but not this indicator
            ret("S21", "2025Q2", staff_total=41),
            ret("S9", "2025Q3", staff_total=80),
            ret("S9", "2025Q4", staff_total=81),
        ],
    )
    r = up(workspace)
    assert r.figure("S11", "staff_total").value == 52
    assert r.figure("S12", "staff_total").value == 30
    assert r.figure("T1", "staff_total").value == 82
    assert r.figure("C", "staff_total").value == 123
    year = up(workspace, "2025")
    assert year.figure("C", "staff_total").value == 52 + 30 + 41 + 81
    assert year.figure("S9", "staff_total").value == 81
    assert up(workspace, "2025Q1").figure("C", "staff_total").value == 80


# --- ratio -------------------------------------------------------------------------------


def test_ratio_is_recomputed_from_the_parts_never_averaged(workspace: Workspace) -> None:
    make(
        workspace,
        [
            ret("S11", "2025Q2", members_total=1, staff_total=1),  # 100%
            ret("S12", "2025Q2", members_total=50, staff_total=100),  # 50%
            ret("S21", "2025Q1", health_checks=10, staff_total=20),
            ret("S21", "2025Q2", health_checks=5, staff_total=25),
        ],
    )
    r = up(workspace)
    t1 = r.figure("T1", "membership_rate")
    assert t1.value == pytest.approx(51 / 101)  # not (100% + 50%) / 2
    assert (t1.numerator, t1.denominator) == (51, 101)
    # flows over the half against the latest head-count: (10 + 5) / 25
    assert r.figure("S21", "health_check_coverage").value == pytest.approx(15 / 25)
    county = r.figure("C", "health_check_coverage")
    assert county.value == pytest.approx(15 / (1 + 100 + 25))


def test_ratio_with_zero_or_missing_denominator_is_none_not_an_error(
    workspace: Workspace,
) -> None:
    make(
        workspace,
        [
            ret("S11", "2025Q1", proposals_resolved=0, proposals_collected=0),
            ret("S12", "2025Q1", members_total=5),  # no staff_total at all
            ret("S21", "2025Q1", proposals_resolved=3, proposals_collected=4),
        ],
    )
    r = up(workspace)
    assert r.figure("S11", "proposal_resolution_rate").value is None
    assert r.figure("S11", "proposal_resolution_rate").denominator == 0
    assert r.figure("S12", "membership_rate").value is None
    assert r.figure("S12", "membership_rate").denominator is None
    assert r.figure("C", "proposal_resolution_rate").value == pytest.approx(3 / 4)
    # a unit with a numerator but nothing else reports the ratio only with both parts
    assert r.figure("S12", "membership_rate").reported == 0


# --- count_yes and choice -----------------------------------------------------------------


def test_count_yes_counts_units_yes_in_any_quarter_and_units_answering(
    workspace: Workspace,
) -> None:
    make(
        workspace,
        [
            ret("S11", "2025Q1", has_women_committee=False),
            ret("S11", "2025Q2", has_women_committee=True),  # yes in any quarter: yes
            ret("S12", "2025Q1", has_women_committee=False),
            ret("S12", "2025Q2", has_women_committee=False),
            ret("S21", "2025Q2", has_women_committee=True),
            ret("S9", "2025Q2", care_funds=1),  # did not answer
        ],
    )
    r = up(workspace)
    f = r.figure("C", "has_women_committee")
    assert (f.yes, f.answered, f.value) == (2, 3, 2)
    assert f.share == pytest.approx(2 / 3)
    assert (f.reported, f.expected) == (3, 4)  # four schools are asked
    assert r.figure("T2", "has_audit_committee").share is None


def test_choice_takes_each_units_latest_option_and_counts_them(workspace: Workspace) -> None:
    make(
        workspace,
        [
            ret("S11", "2025Q1", staff_home_level="合格"),
            ret("S11", "2025Q2", staff_home_level="先进"),
            ret("S12", "2025Q1", staff_home_level="合格"),
            ret("S21", "2025Q2", staff_home_level="模范"),
        ],
    )
    r = up(workspace)
    f = r.figure("C", "staff_home_level")
    assert f.counts == {"无": 0, "合格": 1, "先进": 1, "模范": 1}
    assert f.answered == 3
    assert f.value is None


def test_none_values_are_listed_with_their_unit(tmp_path: Path, db_url: str) -> None:
    root = tmp_path / "ws"
    write_levels_workspace(root, 2)
    ws = Workspace.open(root, db_url=db_url)
    migrate.upgrade(ws.engine)
    try:
        load_units(ws, [BulkUnit("A", "县", "lv0"), BulkUnit("B", "校", "lv1", "A")])
        load_returns(
            ws,
            [
                BulkReturn("B", "2025Q1", {"note": "开展了慰问", "code_no": 7}),
                BulkReturn("A", "2025Q2", {"note": "县本级"}),
            ],
        )
        r = rollup(ws, "2025H1", hooks=False)
        listed = r.figure("A", "note").listed
        assert [(v.unit.code, v.quarter, v.value) for v in listed] == [
            ("A", "2025Q2", "县本级"),
            ("B", "2025Q1", "开展了慰问"),
        ]
        assert [v.value for v in r.figure("A", "code_no").listed] == [7.0]
        assert r.figure("A", "note").value is None
        assert r.figure("A", "note").reported == 2
    finally:
        ws.close()


# --- consolidated returns --------------------------------------------------------------------


def test_consolidated_return_stands_for_its_subtree_in_that_quarter_only(
    workspace: Workspace,
) -> None:
    make(
        workspace,
        [
            ret("S11", "2025Q1", care_funds=100, staff_total=10),
            ret("S12", "2025Q1", care_funds=200, staff_total=20),
            ret("T1", "2025Q1", consolidated=True, care_funds=1000),
            ret("S11", "2025Q2", care_funds=1, staff_total=11),
            ret("S12", "2025Q2", care_funds=2, staff_total=21),
            ret("T1", "2025Q2", care_funds=5),  # an ordinary own return in Q2
        ],
    )
    r = up(workspace)
    # Q1: only T1's consolidated 1000; Q2: 1 + 2 + 5. Never 100 + 200 on top of 1000.
    assert r.figure("T1", "care_funds").value == 1008
    assert r.figure("C", "care_funds").value == 1008
    assert r.figure("S11", "care_funds").value == 1
    got = {(o.consolidating.code, o.excluded.code, o.quarter) for o in r.overlaps}
    assert got == {("T1", "S11", "2025Q1"), ("T1", "S12", "2025Q1")}
    overlap = next(o for o in r.overlaps if o.excluded.code == "S11")
    assert overlap.excluded_return_id != overlap.consolidated_return_id
    # the schools' stocks come from Q2, their own latest
    assert r.figure("T1", "staff_total").value == 32
    c = r.node("T1").completeness
    assert (c.expected, c.reported, c.covered) == (3, 3, 2)


def test_highest_consolidated_return_wins_and_subunit_rollups_agree(
    workspace: Workspace,
) -> None:
    make(
        workspace,
        [
            ret("C", "2025Q1", consolidated=True, care_funds=50000, staff_total=500),
            ret("T1", "2025Q1", consolidated=True, care_funds=7000),
            ret("S11", "2025Q1", care_funds=100),
            ret("S21", "2025Q1", care_funds=300, staff_total=30),
        ],
    )
    r = up(workspace, "2025Q1")
    assert r.figure("C", "care_funds").value == 50000
    assert r.figure("T1", "care_funds").value is None  # all of it stands in C's return
    excluded = {(o.consolidating.code, o.excluded.code) for o in r.overlaps}
    assert excluded == {("C", "T1"), ("C", "S11"), ("C", "S21")}
    assert r.figure("C", "staff_total").value == 500
    c = r.node("C").completeness
    assert (c.reported, c.covered) == (7, 6)  # every unit below C is covered by it
    # a rollup of one township sees the county's consolidated return above it
    t1 = up(workspace, "2025Q1", unit="T1")
    assert t1.figure("T1", "care_funds").value is None
    assert {(o.consolidating.code, o.excluded.code) for o in t1.overlaps} == {
        ("C", "T1"),
        ("C", "S11"),
    }


def test_stale_consolidated_stock_is_left_out_and_reported(workspace: Workspace) -> None:
    make(
        workspace,
        [
            ret("T1", "2025Q1", consolidated=True, staff_total=100),
            ret("S11", "2025Q2", staff_total=60),
            ret("S12", "2025Q2", staff_total=45),
        ],
    )
    r = up(workspace)
    # Q2's fresh head-counts replace T1's Q1 consolidated 100: counting both would
    # count the same people twice
    assert r.figure("T1", "staff_total").value == 105
    assert [(s.unit.code, s.indicator_id, s.quarter, s.value) for s in r.stale_stocks] == [
        ("T1", "staff_total", "2025Q1", 100.0)
    ]
    assert r.stale_stocks[0].newer_quarter == "2025Q2"


# --- expected units, missing quarters, closed units, lateness --------------------------------


def test_completeness_missing_partial_late_and_per_indicator_counts(
    workspace: Workspace,
) -> None:
    units = [*COUNTY, BulkUnit("S13", "城关三小", "school", "T1")]
    load_units(workspace, units)
    on_time = datetime(2025, 4, 8, 9)
    late = datetime(2025, 4, 15, 9)  # Q1's deadline is 10 April
    load_returns(
        workspace,
        [
            BulkReturn("S11", "2025Q1", {"staff_total": 1}, submitted_at=on_time),
            BulkReturn("S11", "2025Q2", {"staff_total": 1}),
            BulkReturn("S12", "2025Q1", {"staff_total": 1}, submitted_at=late),
            BulkReturn("S12", "2025Q2", {"care_funds": 5}),
            BulkReturn("S13", "2025Q2", {"staff_total": 3}),  # Q1 missing: partial
            # a correction after the deadline does not make S21 late
            BulkReturn("S21", "2025Q1", {}, status="superseded", submitted_at=on_time),
            BulkReturn("S21", "2025Q1", {"staff_total": 2}, submitted_at=late),
            BulkReturn("S21", "2025Q2", {"staff_total": 2}),
            BulkReturn("S9", "2025Q1", {"staff_total": 9}, status="rejected"),
        ],
    )
    r = up(workspace)
    c = r.completeness
    assert (c.expected, c.reported) == (8, 3)  # S11, S12, S21
    assert {p.unit.code: p.missing_quarters for p in c.partial} == {"S13": ("2025Q1",)}
    assert [u.code for u in c.missing] == ["C", "S9", "T1", "T2"]  # in tree order
    assert [(x.unit.code, x.quarter, x.days_late) for x in c.late] == [("S12", "2025Q1", 5)]
    assert c.summary_zh.startswith("全县应报 8 个单位，实报 3 个")
    staff = r.figure("C", "staff_total")  # asked of the five schools only
    assert (staff.reported, staff.expected) == (4, 5)
    assert r.node("T1").completeness.summary_zh.startswith("全学区应报 4 个单位，实报 2 个")


def test_closed_and_new_units_are_expected_only_while_open(workspace: Workspace) -> None:
    units = [
        *COUNTY,
        BulkUnit("S13", "已撤并小学", "school", "T1", active_to=date(2025, 1, 1)),
        BulkUnit("S14", "年中撤并小学", "school", "T1", active_to=date(2025, 4, 1)),
        BulkUnit("S15", "新建小学", "school", "T1", active_from=date(2025, 4, 1)),
    ]
    make(
        workspace,
        [
            ret("S13", "2025Q1", care_funds=5),  # closed, yet sent a return
            ret("S14", "2025Q1", care_funds=7),
            ret("S15", "2025Q2", care_funds=9),
        ],
        units=units,
    )
    r = up(workspace)
    c = r.node("T1").completeness
    assert {u.code for u in c.missing} == {"T1", "S11", "S12"}
    assert c.partial == ()  # S14 and S15 reported every quarter they were open
    assert [u.code for u in c.unexpected] == ["S13"]
    assert c.expected == 5
    # what the closed unit sent is counted, never silently dropped
    assert r.figure("T1", "care_funds").value == 21


# --- registers and awards ----------------------------------------------------------------


def award(holder: str, title: str, level: str, **extra: Any) -> BulkRegisterRow:
    return BulkRegisterRow(
        "awards",
        {"holder_type": "个人", "holder": holder, "title": title, "level": level, **extra},
    )


def test_registers_of_the_subtree_with_counts(workspace: Workspace) -> None:
    load_units(workspace, COUNTY)
    load_returns(
        workspace,
        [
            BulkReturn(
                "S11",
                "2025Q1",
                registers=[
                    BulkRegisterRow("events", {"name": "趣味运动会", "category": "culture"}),
                    BulkRegisterRow("highlights", {"category": "care", "text": "金秋助学"}),
                    award("王五", "优秀教师", "市", category="ethics", month=3),
                ],
            ),
            BulkReturn(
                "S21",
                "2025Q2",
                registers=[
                    BulkRegisterRow("events", {"name": "读书会", "category": "culture"}),
                    BulkRegisterRow("problems", {"category": "care", "text": "经费不足"}),
                    BulkRegisterRow("priorities", {"category": "care", "text": "下半年计划"}),
                ],
            ),
            BulkReturn("S12", "2025Q3", registers=[award("赵六", "标兵", "县")]),
        ],
    )
    r = up(workspace)
    regs = r.registers
    assert [(e.unit.code, e.data["name"]) for e in regs["events"]] == [
        ("S11", "趣味运动会"),
        ("S21", "读书会"),
    ]
    assert regs.by_category["events"] == {"culture": 2}
    assert regs["problems"][0].unit.name == "东坝小学"
    assert regs.awards_by_level == {"市": 1}
    assert regs["awards"][0].month == 3 and regs["awards"][0].category == "ethics"
    assert [e.data["text"] for e in regs["priorities"]] == ["下半年计划"]
    assert r.node("T2").registers["events"][0].quarter == "2025Q2"
    assert r.node("T1").registers["problems"] == ()


def test_award_reported_by_school_township_and_county_counts_once(
    workspace: Workspace,
) -> None:
    load_units(workspace, COUNTY)
    load_returns(
        workspace,
        [
            BulkReturn("S11", "2025Q1", registers=[award("张三", "优秀教师", "县")]),
            BulkReturn("T1", "2025Q2", registers=[award("张 三", "优秀 教师", "县")]),
            BulkReturn("C", "2025Q2", registers=[award("张三　", "优秀教师", "县")]),
            # the same name in another school is another person's award
            BulkReturn("S21", "2025Q1", registers=[award("张三", "优秀教师", "县")]),
            # same holder and title but another level is another award
            BulkReturn("S12", "2025Q1", registers=[award("ＺＨＡＮＧ", "标兵", "市")]),
            BulkReturn("S12", "2025Q2", registers=[award("zhang", "标兵", "市")]),
        ],
    )
    r = up(workspace)
    awards = r.registers["awards"]
    # S11's and S21's are two awards (two schools); T1's and C's reports repeat them
    assert len(awards) == 3
    assert r.registers.duplicate_awards == 3
    reporters = sorted([x.unit.code for x in a.reporters] for a in awards)
    assert reporters == [["C", "S21"], ["C", "T1", "S11"], ["S12", "S12"]]  # tree order
    kept = next(a for a in awards if len(a.reporters) == 3)
    assert kept.unit.code == "S11"  # the lowest reporter's row is the one kept
    assert r.registers.awards_by_level == {"市": 1, "县": 2}
    assert len(r.node("T1").registers["awards"]) == 2  # S11 (with T1) and S12
    assert len(r.node("T2").registers["awards"]) == 1


def test_registers_of_excluded_returns_are_not_counted(workspace: Workspace) -> None:
    load_units(workspace, COUNTY)
    load_returns(
        workspace,
        [
            BulkReturn("S11", "2025Q1", registers=[award("甲", "奖", "县")]),
            BulkReturn("T1", "2025Q1", consolidated=True, registers=[award("乙", "奖", "县")]),
        ],
    )
    r = up(workspace)
    assert [a.data["holder"] for a in r.registers["awards"]] == ["乙"]


# --- targets vs actuals ----------------------------------------------------------------------


def plan(text: str, indicator: str | None = None, target: Any = None) -> BulkRegisterRow:
    data: dict[str, Any] = {"category": "care", "text": text}
    if indicator is not None:
        data["indicator"] = indicator
    if target is not None:
        data["target"] = target
    return BulkRegisterRow("priorities", data)


def test_targets_from_the_previous_half_against_this_halfs_actuals(
    workspace: Workspace,
) -> None:
    load_units(workspace, COUNTY)
    load_returns(
        workspace,
        [
            BulkReturn(
                "C",
                "2025Q2",
                registers=[
                    plan("慰问金不少于1万元", "care_funds", 10000),
                    plan("开展文体活动"),
                    plan("教工之家升级", "staff_home_level", 3),
                    plan("献血", "blood_donors", 100),
                    plan("入会率达到95%", "membership_rate", 95),
                    plan("旧指标", "old_indicator", 5),
                ],
            ),
            BulkReturn("T1", "2025Q1", registers=[plan("走访", "needy_staff_visited", 20)]),
            BulkReturn("S11", "2025Q2", registers=[plan("走访", "needy_staff_visited", 5)]),
            BulkReturn("S11", "2025Q3", {"care_funds": 6000, "needy_staff_visited": 8}),
            BulkReturn("S11", "2025Q4", {"members_total": 96, "staff_total": 100}),
            BulkReturn("T1", "2025Q4", {"care_funds": 5000, "needy_staff_visited": 4}),
        ],
    )
    r = up(workspace, "2025H2")
    assert r.previous_period.code == "2025H1"
    checks = {c.text: c for c in r.targets}
    met = checks["慰问金不少于1万元"]
    assert (met.status, met.actual, met.unit.code) == ("met", 11000, "C")
    walk = next(c for c in r.targets if c.unit.code == "T1")
    assert (walk.status, walk.actual, walk.gap) == ("not_met", 12, 8)  # T1's subtree
    assert next(c for c in r.targets if c.unit.code == "S11").status == "met"
    assert (checks["开展文体活动"].status, checks["开展文体活动"].reason) == (
        "not_measurable",
        "no_indicator",
    )
    assert checks["教工之家升级"].reason == "not_numeric"
    assert checks["献血"].reason == "no_data"
    assert checks["旧指标"].reason == "unknown_indicator"
    rate = checks["入会率达到95%"]  # ratio targets are percentages
    assert (rate.status, rate.actual) == ("met", pytest.approx(96.0))
    assert rate.status_zh == "已完成"
    assert checks["献血"].status_zh == "无法衡量（本期没有数据）"
    totals = r.root.target_totals
    assert totals["needy_staff_visited"].target == 25
    assert totals["needy_staff_visited"].plans == 2
    assert totals["needy_staff_visited"].status == "not_met"
    assert totals["needy_staff_visited"].gap == 13
    assert "membership_rate" not in totals  # percentages are not added up
    assert r.node("T1").target_totals["needy_staff_visited"].target == 25


def test_targets_for_a_quarter_and_a_year_come_from_the_previous_one(
    workspace: Workspace,
) -> None:
    load_units(workspace, COUNTY)
    load_returns(
        workspace,
        [
            BulkReturn("C", "2025Q1", registers=[plan("q", "care_funds", 1)]),
            BulkReturn("C", "2024Q3", registers=[plan("y", "care_funds", 1)]),
            BulkReturn("C", "2025Q2", {"care_funds": 2}),
        ],
    )
    assert [c.text for c in up(workspace, "2025Q2").targets] == ["q"]
    assert [c.text for c in up(workspace, "2025").targets] == ["y"]
    assert up(workspace, "2025Q3").targets == ()


# --- scope, depth, levels --------------------------------------------------------------------


def test_unit_and_depth_choose_the_nodes_not_the_figures(workspace: Workspace) -> None:
    make(workspace, [ret("S11", "2025Q1", care_funds=1), ret("S12", "2025Q1", care_funds=2)])
    r = up(workspace, unit="T1", depth=0)
    assert list(r.nodes) == ["T1"]
    assert r.root.children == []
    assert r.root.parent == "C"
    assert r.figure("T1", "care_funds").value == 3
    r = up(workspace, depth=1)
    assert list(r.nodes) == ["C", "S9", "T1", "T2"]  # children in code order
    assert r.root.children == ["S9", "T1", "T2"]
    assert r.nodes["T1"].depth == 1
    full = up(workspace)
    assert [n.code for n in full.at_level("school")] == ["S9", "S11", "S12", "S21"]
    assert full.nodes["S11"].parent == "T1" and full.root.parent is None


def test_any_number_of_levels(tmp_path: Path, db_url: str) -> None:
    root = tmp_path / "ws"
    write_levels_workspace(root, 5)
    ws = Workspace.open(root, db_url=db_url)
    migrate.upgrade(ws.engine)
    try:
        codes = ["A", "B", "C", "D", "E"]
        load_units(
            ws,
            [
                BulkUnit(c, f"单位{c}", f"lv{i}", codes[i - 1] if i else None)
                for i, c in enumerate(codes)
            ],
        )
        load_returns(ws, [BulkReturn(c, "2025Q1", {"flow": i + 1}) for i, c in enumerate(codes)])
        r = rollup(ws, "2025Q1", hooks=False)
        assert [r.figure(c, "flow").value for c in codes] == [15, 14, 12, 9, 5]
        assert r.nodes["E"].level_name == "级4"
        assert r.node("A").completeness.summary_zh.startswith("全级0应报 5 个单位，实报 5 个")
    finally:
        ws.close()


# --- odd data ----------------------------------------------------------------------------------


def test_duplicate_active_returns_and_unknown_indicators_are_warned_about(
    workspace: Workspace,
) -> None:
    from sqlalchemy import text

    load_units(workspace, COUNTY)
    with workspace.engine.begin() as conn:
        # The store refuses two current returns (uq_returns_current); a database damaged
        # from outside, or restored from before that index, can still hold them.
        conn.execute(text("DROP INDEX uq_returns_current"))
    load_returns(
        workspace,
        [
            ret("S11", "2025Q1", care_funds=1),
            ret("S11", "2025Q1", care_funds=2),  # two active returns: the newest is used
        ],
    )
    with workspace.engine.begin() as conn:
        rid = conn.execute(text("SELECT max(id) FROM returns")).scalar()
        conn.execute(
            text("INSERT INTO return_values (return_id, indicator_id, num) VALUES (:r, 'gone', 5)"),
            {"r": rid},
        )
    r = up(workspace)
    assert r.figure("S11", "care_funds").value == 2
    assert any("S11（2025Q1）" in w for w in r.warnings)
    assert any("gone" in w and "未汇总" in w for w in r.warnings)


# --- the hook and errors ------------------------------------------------------------------------


def test_after_rollup_hook_fires_once_per_rollup(workspace: Workspace) -> None:
    make(workspace, [ret("S11", "2025Q1", care_funds=1)])
    seen: list[RollupResult] = []

    class Plugin:
        @hookimpl
        def after_rollup(self, workspace: Workspace, rollup: RollupResult) -> None:
            seen.append(rollup)
            # a plugin making its own rollup from the hook does not set it off again
            seen.append(globals()["rollup"](workspace, "2025Q1"))

    plugin = Plugin()
    workspace.pm.register(plugin, name="hook-test")
    try:
        result = rollup(workspace, "2025Q1")
        assert seen[0] is result and len(seen) == 2
        rollup(workspace, "2025Q1", hooks=False)
        assert len(seen) == 2
    finally:
        workspace.pm.unregister(plugin)


def test_errors_a_user_can_cause(workspace: Workspace) -> None:
    with pytest.raises(UsageError, match="还没有单位"):
        up(workspace)
    load_units(workspace, COUNTY)
    with pytest.raises(UnknownUnitError, match="找不到代码为“X9”的单位"):
        up(workspace, unit="X9")
    with pytest.raises(UsageError, match="不能是负数"):
        up(workspace, depth=-1)
    with pytest.raises(UsageError, match="无法识别的期间“2025H3”"):
        up(workspace, "2025H3")
    r = up(workspace)
    with pytest.raises(UnknownIndicatorError, match="没有指标“nope”"):
        r.figure("C", "nope")
    with pytest.raises(UnknownUnitError, match="本次汇总中没有代码为“X9”的单位"):
        r.node("X9")


def test_a_half_year_form_cannot_be_rolled_up_by_quarter(tmp_path: Path, db_url: str) -> None:
    root = tmp_path / "ws"
    write_levels_workspace(root, 2)
    form = root / "form.yaml"
    form.write_text(
        form.read_text(encoding="utf-8").replace("period_type: quarter", "period_type: half"),
        encoding="utf-8",
    )
    ws = Workspace.open(root, db_url=db_url)
    migrate.upgrade(ws.engine)
    try:
        load_units(ws, [BulkUnit("A", "县", "lv0"), BulkUnit("B", "校", "lv1", "A")])
        load_returns(
            ws, [BulkReturn("B", "2025H1", {"flow": 4}), BulkReturn("B", "2025H2", {"flow": 1})]
        )
        with pytest.raises(UsageError, match="按半年报送，不能汇总2025年第二季度"):
            rollup(ws, "2025Q2", hooks=False)
        assert rollup(ws, "2025", hooks=False).figure("A", "flow").value == 5
    finally:
        ws.close()


def test_values_deleted_or_added_later_by_hand_are_still_read_right(
    workspace: Workspace,
) -> None:
    """The fast SQLite scan relies on each return's values being written together; a
    database edited by hand (rows deleted, a value added to an old return) must give the
    same figures through the slower path."""
    from rollup_oracle import oracle_rollup
    from sqlalchemy import text

    load_units(workspace, COUNTY)
    ids = load_returns(
        workspace,
        [
            ret(u, q, care_funds=10, staff_total=5)
            for u in ("S11", "S12", "S21")
            for q in ("2025Q1", "2025Q2")
        ],
    )
    with workspace.engine.begin() as conn:
        conn.execute(
            text("DELETE FROM return_values WHERE return_id = :r AND indicator_id = 'care_funds'"),
            {"r": ids[2]},
        )
        conn.execute(
            text(
                "INSERT INTO return_values (return_id, indicator_id, num) "
                "VALUES (:r, 'needy_staff_visited', 4)"
            ),
            {"r": ids[0]},
        )
    r = up(workspace)
    assert r.figure("C", "care_funds").value == 50
    assert r.figure("C", "needy_staff_visited").value == 4
    assert r.figure("C", "staff_total").value == 15
    expected = oracle_rollup(workspace, "2025H1")
    for code, node in expected.nodes.items():
        for ind_id, f in node.figures.items():
            assert r.figure(code, ind_id).value == f.value, (code, ind_id)
