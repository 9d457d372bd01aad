"""Review and approval: states, who may take which step, locking, the audit trail, and
rollups limited to approved data. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select
from test_ingest import SCHOOL_VALUES, UNITS, write_return

from unionroll.core.errors import UsageError
from unionroll.core.ingest import IngestOptions, ingest_paths
from unionroll.core.review import (
    NotAllowed,
    Reviewer,
    ReviewError,
    awaiting_review,
    review_history,
    review_state,
    review_states,
)
from unionroll.core.review_actions import approve, send_back, unlock
from unionroll.core.rollup import rollup
from unionroll.core.status import period_status
from unionroll.core.store import ApprovalEvent, ReturnRecord
from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace
from unionroll.plugins.chase_list import write_chase_list

OPTS = IngestOptions(received_at=datetime(2025, 4, 3, 10, 0), today=date(2025, 11, 1))
COUNTY = Reviewer("C", "县工会张老师")
T1 = Reviewer("T1", "城关学区李老师")
T2 = Reviewer("T2", "青石学区王老师")


@pytest.fixture
def county(workspace: Workspace, tmp_path: Path) -> Workspace:
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    import_units(workspace, units)
    folder = tmp_path / "in"
    for code in ("S11", "S12", "S21"):
        write_return(folder, f"{code}.json", code)
    write_return(folder, "T1.json", "T1", values={"committee_meetings": 1, "inspections": 3})
    result = ingest_paths(workspace, [folder], options=OPTS)
    assert result.ok
    return workspace


def state(ws: Workspace, code: str) -> str:
    return review_state(ws, code, "2025Q1").state


def test_states_move_bottom_up_and_lock(county: Workspace) -> None:
    assert state(county, "S11") == "submitted"
    assert state(county, "T2") == "not_submitted"
    st = approve(county, "S11", "2025Q1", T1)
    assert (st.state, st.label, st.reviewer_code) == ("approved", "学区审核通过", "T1")
    st = approve(county, "S11", "2025Q1", COUNTY)
    assert (st.state, st.label, st.locked) == ("locked", "县级确认", True)
    labels = {c: s.label for c, s in review_states(county, "2025Q1").items()}
    assert labels["S11"] == "县级确认" and labels["S12"] == "已报" and labels["T2"] == "未报"


def test_a_locked_period_refuses_ingest_until_unlocked(county: Workspace, tmp_path: Path) -> None:
    approve(county, "S11", "2025Q1", COUNTY)  # the county may confirm straight away
    changed = write_return(
        tmp_path / "fix", "S11.json", "S11", values=dict(SCHOOL_VALUES, blood_donors=20)
    )
    result = ingest_paths(county, [changed], options=OPTS)
    (ret,) = result.files[0].returns
    assert ret.status == "rejected" and not result.ok
    assert ret.findings[0].code == "locked"
    assert "已经县级确认并锁定，不能再报送或更正" in ret.findings[0].message
    assert ret.findings[0].location is not None  # located: where the unit is named
    with county.session() as s:
        assert s.execute(select(func.count()).select_from(ReturnRecord)).scalar_one() == 4
    with pytest.raises(ReviewError, match="解锁需要说明原因"):
        unlock(county, "S11", "2025Q1", COUNTY, "  ")
    st = unlock(county, "S11", "2025Q1", COUNTY, "学校申请更正献血人数")
    assert st.state == "submitted"
    result = ingest_paths(county, [changed], options=OPTS)
    assert result.ok and result.files[0].returns[0].status == "accepted"
    assert state(county, "S11") == "submitted"  # the new return waits for review again


def test_unlock_goes_back_to_the_townships_approval(county: Workspace) -> None:
    approve(county, "S11", "2025Q1", T1)
    approve(county, "S11", "2025Q1", COUNTY)
    st = unlock(county, "S11", "2025Q1", COUNTY, "核对数字")
    assert (st.state, st.label) == ("approved", "学区审核通过")


def test_return_for_correction_then_resubmit(county: Workspace, tmp_path: Path) -> None:
    with pytest.raises(ReviewError, match="退回需要说明原因"):
        send_back(county, "S12", "2025Q1", T1, "")
    st = send_back(county, "S12", "2025Q1", T1, "困难职工人数与花名册不符")
    assert (st.state, st.label, st.reason) == ("returned", "已退回", "困难职工人数与花名册不符")
    with pytest.raises(ReviewError, match="已经退回"):
        send_back(county, "S12", "2025Q1", T1, "again")
    unit = {u.code: u for u in period_status(county, "2025Q1", today=date(2025, 5, 1)).units}
    assert unit["S12"].review == "returned" and unit["S12"].state == "on_time"
    fixed = write_return(
        tmp_path / "fix", "S12.json", "S12", values=dict(SCHOOL_VALUES, needy_staff_visited=4)
    )
    assert ingest_paths(county, [fixed], options=OPTS).ok
    assert state(county, "S12") == "submitted"
    steps = review_history(county, "S12", "2025Q1")
    assert [(e.action, e.actor, e.reason) for e in steps] == [
        ("return", "城关学区李老师", "困难职工人数与花名册不符")
    ]
    assert (steps[0].from_label, steps[0].to_label) == ("已报", "已退回")


def test_reviewers_act_only_within_their_area(county: Workspace) -> None:
    with pytest.raises(NotAllowed, match="不是青石中学工会的上级单位"):
        approve(county, "S21", "2025Q1", T1)
    with pytest.raises(NotAllowed):
        approve(county, "S11", "2025Q1", Reviewer("S11", "学校自己"))
    with pytest.raises(NotAllowed):
        approve(county, "T1", "2025Q1", T1)  # a township does not approve its own return
    with pytest.raises(NotAllowed, match="只有最上级单位可以解锁"):
        unlock(county, "S11", "2025Q1", T1, "想改")
    approve(county, "T1", "2025Q1", COUNTY)
    with pytest.raises(NotAllowed):
        send_back(county, "S11", "2025Q1", T2, "不是我的学校")


def test_a_lower_reviewer_cannot_undo_a_higher_one(county: Workspace) -> None:
    approve(county, "S11", "2025Q1", T1)
    with pytest.raises(ReviewError, match="已由城关学区工会审核通过"):
        approve(county, "S11", "2025Q1", T1)
    approve(county, "S11", "2025Q1", COUNTY)
    with pytest.raises(ReviewError, match="锁定"):
        send_back(county, "S11", "2025Q1", T1, "改主意了")
    with pytest.raises(ReviewError, match="请测试县教育工会先解锁"):
        send_back(county, "S11", "2025Q1", COUNTY, "改主意了")


def test_nothing_to_review_before_a_return_is_in(county: Workspace) -> None:
    with pytest.raises(ReviewError, match="还没有报送"):
        approve(county, "T2", "2025Q1", COUNTY)
    with pytest.raises(UsageError, match="按季度报送"):
        approve(county, "S11", "2025H1", COUNTY)


def test_awaiting_review_lists_what_each_reviewer_still_has_to_do(county: Workspace) -> None:
    assert awaiting_review(county, "T1", "2025Q1") == ["S11", "S12"]
    approve(county, "S11", "2025Q1", T1)
    assert awaiting_review(county, "T1", "2025Q1") == ["S12"]
    # the county sees its whole area, including what a township has approved already
    assert awaiting_review(county, "C", "2025Q1") == ["S11", "S12", "S21", "T1"]


def test_every_step_is_in_the_audit_table(county: Workspace) -> None:
    approve(county, "S11", "2025Q1", T1, reason="数据齐全")
    approve(county, "S11", "2025Q1", COUNTY)
    unlock(county, "S11", "2025Q1", COUNTY, "学校申请更正")
    with county.session() as s:
        rows = s.execute(select(ApprovalEvent).order_by(ApprovalEvent.id)).scalars().all()
    assert [(r.action, r.from_state, r.to_state, r.actor) for r in rows] == [
        ("approve", "submitted", "approved", "城关学区李老师"),
        ("lock", "approved", "locked", "县工会张老师"),
        ("unlock", "locked", "approved", "县工会张老师"),
    ]
    assert rows[0].reason == "数据齐全" and rows[2].reason == "学校申请更正"
    assert all(r.return_id is not None and r.at is not None for r in rows)


def test_rollup_can_count_approved_returns_only(county: Workspace) -> None:
    everything = rollup(county, "2025Q1")
    assert everything.figure("C", "blood_donors").value == 3 * 12
    approve(county, "S11", "2025Q1", T1)
    approve(county, "S21", "2025Q1", COUNTY)
    approved = rollup(county, "2025Q1", approved_only=True)
    assert approved.approved_only
    assert approved.figure("C", "blood_donors").value == 2 * 12
    assert approved.root.completeness.reported == 2
    marks = approved.review["2025Q1"]
    assert marks["S11"].label == "学区审核通过" and marks["S21"].label == "县级确认"
    assert marks["S12"].state == "submitted" and marks["T2"].state == "not_submitted"


def test_chase_list_names_returns_sent_back(county: Workspace, tmp_path: Path) -> None:
    send_back(county, "S12", "2025Q1", T1, "请补填女职工人数")
    st = period_status(county, "2025Q1", today=date(2025, 5, 1))
    assert "S12" in {u.code for u in st.to_chase}
    path = write_chase_list(st, tmp_path / "催报.xlsx")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("催报名单").to_python()
    s12 = next(r for r in rows if len(r) > 1 and r[1] == "S12")
    assert s12[4] == "已退回" and s12[6] == "退回修改：请补填女职工人数"


def test_cli_approve_return_unlock_and_history(county: Workspace, run) -> None:
    result = run("approve", "--period", "2025Q1", "--as", "T1", "--all")
    assert result.exit_code == 0, result.output
    assert "审核：成功 2 个。" in result.output and "学区审核通过" in result.output
    result = run("approve", "--period", "2025Q1", "S11")
    assert result.exit_code == 0 and "县级确认" in result.output
    result = run("return", "--period", "2025Q1", "S11", "--reason", "再看看")
    assert result.exit_code == 1 and "锁定" in result.output
    result = run("approve", "--period", "2025Q1", "--as", "T1", "S21")
    assert result.exit_code == 1 and "不是青石中学工会的上级单位" in result.output
    result = run("unlock", "--period", "2025Q1", "S11", "--reason", "学校申请更正")
    assert result.exit_code == 0 and "学区审核通过" in result.output
    result = run("returns", "history", "S11", "2025Q1")
    assert result.exit_code == 0
    assert "审核状态：学区审核通过" in result.output
    for text in ("审核通过", "确认并锁定", "解锁", "学校申请更正", "学区审核通过 → 县级确认"):
        assert text in result.output
    result = run("status", "--period", "2025Q1", "--json")
    assert '"review_label": "学区审核通过"' in result.output


def test_cli_ingest_into_a_locked_period_fails_with_a_message(
    county: Workspace, run, tmp_path: Path
) -> None:
    run("approve", "--period", "2025Q1", "S11")
    again = write_return(
        tmp_path / "again", "S11.json", "S11", values=dict(SCHOOL_VALUES, blood_donors=1)
    )
    result = run("ingest", str(again), "--received", "2025-04-08")
    assert result.exit_code == 1
    assert "已经县级确认并锁定" in result.output and "Traceback" not in result.output


def test_the_workbook_shows_the_review_state_of_every_unit(county: Workspace) -> None:
    from unionroll.core.reporting import run_reports

    approve(county, "S11", "2025Q1", T1)
    approve(county, "S21", "2025Q1", COUNTY)
    send_back(county, "S12", "2025Q1", T1, "请核实")
    run = run_reports(county, "2025Q1", kinds=("workbook",))
    (path,) = run.outcomes[0].files
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("审核情况").to_python()
    by_code = {r[0]: r for r in rows if r and r[0] in ("C", "T1", "T2", "S11", "S12", "S21")}
    assert by_code["S11"][4] == "学区审核通过" and by_code["S21"][4] == "县级确认"
    assert by_code["S12"][4] == "已退回" and by_code["T2"][4] == "未报"
    assert by_code["T1"][4] == "已报"
    assert "县级确认 1 份，审核通过 1 份" in rows[1][0]


def test_cli_rollup_and_report_approved_only(county: Workspace, run, tmp_path: Path) -> None:
    approve(county, "S11", "2025Q1", T1)
    result = run("rollup", "--period", "2025Q1", "--approved-only", "--format", "json")
    assert result.exit_code == 0
    assert '"approved_only": true' in result.output
    text = run("rollup", "--period", "2025Q1", "--approved-only").output
    assert "口径：只计审核通过的报表" in text
    result = run(
        "report",
        "--period",
        "2025Q1",
        "--approved-only",
        "--kind",
        "workbook",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 0 and "只计审核通过" in result.output


def test_concurrent_review_steps_never_fail_with_a_database_error(county: Workspace) -> None:
    import threading

    errors: list[str] = []
    reviewers = {"S11": T1, "S12": T1, "S21": T2}

    def work(i: int) -> None:
        for j in range(10):
            code = ("S11", "S12", "S21")[(i + j) % 3]
            try:
                if j % 2:
                    approve(county, code, "2025Q1", reviewers[code])
                else:
                    send_back(county, code, "2025Q1", reviewers[code], f"第 {i} 次")
            except ReviewError:
                pass  # refused because another step came first: expected
            except Exception as exc:  # a lock or constraint error reaching the user
                errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with county.session() as s:
        events = s.execute(select(func.count()).select_from(ApprovalEvent)).scalar_one()
    assert events > 0
    for code in ("S11", "S12", "S21"):  # every unit ends in a state its history explains
        steps = review_history(county, code, "2025Q1")
        assert steps and steps[-1].to_state == state(county, code)
