"""The bulk loader used by the benchmark, the tests and the demo."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from unionroll.core.bulk import BulkRegisterRow, BulkReturn, BulkUnit, load_returns, load_units
from unionroll.core.errors import UsageError
from unionroll.core.store import RegisterRow, ReturnRecord, ReturnValue, Unit, UnitClosure
from unionroll.core.workspace import Workspace


def test_units_in_any_order_with_closure(workspace: Workspace) -> None:
    n = load_units(
        workspace,
        [
            BulkUnit("S1", "一小", "school", "T1", active_from=date(2024, 9, 1)),
            BulkUnit("T1", "学区", "township", "C"),
            BulkUnit("C", "县", "county"),
        ],
    )
    assert n == 3
    load_units(workspace, [BulkUnit("S2", "二小", "school", "T1", active_to=date(2025, 7, 1))])
    with workspace.session() as s:
        ids = dict(s.execute(select(Unit.code, Unit.id)).all())
        pairs = {
            (a, d, depth)
            for a, d, depth in s.execute(
                select(UnitClosure.ancestor_id, UnitClosure.descendant_id, UnitClosure.depth)
            )
        }
        s1 = s.scalars(select(Unit).where(Unit.code == "S1")).one()
        assert s1.active_from == date(2024, 9, 1)
        assert s1.parent.code == "T1"
        # an ordinary insert after the bulk one gets a fresh id (PostgreSQL's sequence moved)
        s.add(Unit(code="S3", name="三小", level="school", parent_id=ids["T1"]))
        s.flush()
    expected = {
        ("C", "C", 0),
        ("T1", "T1", 0),
        ("S1", "S1", 0),
        ("S2", "S2", 0),
        ("C", "T1", 1),
        ("T1", "S1", 1),
        ("T1", "S2", 1),
        ("C", "S1", 2),
        ("C", "S2", 2),
    }
    code = {v: k for k, v in ids.items()}
    assert {(code[a], code[d], depth) for a, d, depth in pairs} == expected


def test_returns_values_and_registers_are_stored_as_ingest_stores_them(
    workspace: Workspace,
) -> None:
    load_units(workspace, [BulkUnit("C", "县", "county"), BulkUnit("S", "校", "school", "C")])
    at = datetime(2025, 4, 3, 10, 30)
    ids = load_returns(
        workspace,
        [
            BulkReturn(
                "S",
                "2025年第一季度",
                {
                    "staff_total": 12,
                    "has_women_committee": True,
                    "staff_home_level": "合格",
                    "blood_donors": None,
                },
                registers=[
                    BulkRegisterRow(
                        "awards",
                        {
                            "holder": "张三",
                            "title": "标兵",
                            "level": "县",
                            "month": 3,
                            "category": "ethics",
                        },
                    ),
                    BulkRegisterRow(
                        "events", {"name": "运动会", "category": "culture", "month": 2}
                    ),
                ],
                submitted_at=at,
                source_name="一小.xlsx",
                status="accepted_with_warnings",
            ),
            BulkReturn("C", "2025Q1", {}, consolidated=True),
        ],
    )
    assert len(ids) == 2 and ids[1] == ids[0] + 1
    with workspace.session() as s:
        r = s.get(ReturnRecord, ids[0])
        assert (r.period, r.status, r.source_name, r.submitted_at, r.n_values) == (
            "2025Q1",
            "accepted_with_warnings",
            "一小.xlsx",
            at,
            3,
        )
        assert s.get(ReturnRecord, ids[1]).consolidated is True
        values = {v.indicator_id: (v.num, v.text) for v in s.scalars(select(ReturnValue))}
        assert values == {
            "staff_total": (12.0, None),
            "has_women_committee": (1.0, None),
            "staff_home_level": (None, "合格"),
        }
        rows = s.scalars(select(RegisterRow).order_by(RegisterRow.row_no)).all()
        assert [(x.register, x.row_no, x.category, x.level, x.month) for x in rows] == [
            ("awards", 1, "ethics", "县", 3),
            ("events", 2, "culture", None, 2),
        ]
        assert rows[0].data["holder"] == "张三"
        s.add(RegisterRow(return_id=ids[0], register="problems", row_no=9, data={}))
        s.flush()


def test_bad_bulk_input_is_refused_with_every_problem(workspace: Workspace) -> None:
    with pytest.raises(UsageError) as exc:
        load_units(workspace, [BulkUnit("A", "甲", "province"), BulkUnit("B", "乙", "school", "X")])
    assert "单位 A 的层级 province 未在工作区配置中定义" in exc.value.details
    assert "单位 B 的上级 X 不存在" in exc.value.details
    load_units(workspace, [BulkUnit("C", "县", "county")])
    with pytest.raises(UsageError) as exc:
        load_returns(
            workspace,
            [
                BulkReturn("NOPE", "2025Q1", {}),
                BulkReturn("C", "2025Q1", {"membership_rate": 0.9, "nope": 1}, status="done"),
                BulkReturn("C", "2025Q1", registers=[BulkRegisterRow("minutes", {})]),
            ],
        )
    details = exc.value.details
    assert "NOPE 2025Q1：单位 NOPE 不存在" in details
    assert "C 2025Q1：membership_rate 是自动计算的指标，不能填报" in details
    assert "C 2025Q1：报表没有指标 nope" in details
    assert any("状态 done" in d for d in details)
    assert "C 2025Q1：报表没有登记表 minutes" in details
    with workspace.session() as s:
        assert s.scalars(select(ReturnRecord)).all() == []
