"""Ingestion end to end: files in, returns stored whole or not at all, receipts, status."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from unionroll.core.ingest import IngestOptions, collect_files, ingest_paths
from unionroll.core.ingest import rows as ingest_rows
from unionroll.core.status import period_status
from unionroll.core.store import Finding, RegisterRow, ReturnRecord, ReturnValue, SourceFile
from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace

UNITS = """code,name,level,parent_code
C,测试县教育工会,county,
T1,城关学区工会,township,C
T2,青石学区工会,township,C
S11,城关一小工会,school,T1
S12,城关二小工会,school,T1
S21,青石中学工会,school,T2
"""

SCHOOL_VALUES = {
    "staff_total": 85,
    "female_staff": 60,
    "members_total": 85,
    "needy_staff_visited": 3,
    "care_funds": "1500元",
    "blood_donors": 12,
}


@pytest.fixture
def county(workspace: Workspace, tmp_path: Path) -> Workspace:
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    import_units(workspace, units)
    return workspace


def write_return(folder: Path, name: str, unit: str, period: str = "2025Q1", **extra: Any) -> Path:
    values = extra.pop("values", None)
    payload: dict[str, Any] = {
        "form": "edu-union-quarterly",
        "form_version": 1,
        "unit": unit,
        "period": period,
        "values": dict(SCHOOL_VALUES) if values is None else values,
        **extra,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return path


def count(ws: Workspace, model: Any, *where: Any) -> int:
    with ws.session() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


OPTS = IngestOptions(received_at=datetime(2025, 4, 3, 10, 0), today=date(2025, 11, 1))


def test_a_return_is_stored_with_values_registers_and_source(
    county: Workspace, tmp_path: Path
) -> None:
    path = write_return(
        tmp_path / "in",
        "城关一小 2025年一季度.json",
        "S11",
        awards=[
            {
                "holder_type": "个人",
                "holder": "宋正恩",
                "title": "劳动模范",
                "level": "县级",
                "month": 3,
                "category": "建功立业与素质提升",
            }
        ],
    )
    result = ingest_paths(county, [path], options=OPTS)
    assert result.ok
    (ret,) = result.files[0].returns
    assert ret.status == "accepted" and ret.on_time is True
    with county.session() as s:
        record = s.get(ReturnRecord, ret.return_id)
        assert record.status == "accepted"
        assert record.source_name == "城关一小 2025年一季度.json"
        assert record.submitted_at == datetime(2025, 4, 3, 10, 0)
        values = dict(
            s.execute(
                select(ReturnValue.indicator_id, ReturnValue.num).where(
                    ReturnValue.return_id == ret.return_id
                )
            ).all()
        )
        assert values["care_funds"] == 1500.0 and values["staff_total"] == 85.0
        award = s.execute(select(RegisterRow)).scalar_one()
        assert (award.register, award.category, award.level) == ("awards", "merit", "县")
        source = s.get(SourceFile, record.source_file_id)
    stored = county.root / source.stored_path
    assert stored.read_bytes() == path.read_bytes()


def test_identical_file_again_is_a_no_op(county: Workspace, tmp_path: Path) -> None:
    path = write_return(tmp_path / "in", "a.json", "S11")
    ingest_paths(county, [path], options=OPTS)
    again = ingest_paths(county, [path], options=OPTS)
    assert again.files[0].returns[0].status == "unchanged"
    assert count(county, ReturnRecord) == 1


def test_changed_file_supersedes_and_keeps_history(county: Workspace, tmp_path: Path) -> None:
    first = write_return(tmp_path / "v1", "a.json", "S11")
    ingest_paths(county, [first], options=OPTS)
    changed = dict(SCHOOL_VALUES, needy_staff_visited=5)
    second = write_return(tmp_path / "v2", "a.json", "S11", values=changed)
    result = ingest_paths(county, [second], options=OPTS)
    ret = result.files[0].returns[0]
    assert ret.status == "accepted" and ret.superseded_id is not None
    with county.session() as s:
        rows = s.execute(select(ReturnRecord).order_by(ReturnRecord.id)).scalars().all()
    assert [r.status for r in rows] == ["superseded", "accepted"]
    assert rows[0].superseded_by_id == rows[1].id
    assert count(county, ReturnValue, ReturnValue.return_id == rows[0].id) == len(SCHOOL_VALUES)


def test_rejected_return_keeps_findings_and_no_values(county: Workspace, tmp_path: Path) -> None:
    bad = dict(SCHOOL_VALUES, female_staff=90, blood_donors="三十余")
    path = write_return(tmp_path / "in", "bad.json", "S12", values=bad)
    result = ingest_paths(county, [path], options=OPTS)
    assert not result.ok
    ret = result.files[0].returns[0]
    assert ret.status == "rejected"
    messages = [f.message for f in ret.findings]
    assert any("女教职工数（90）不应大于在职教职工数（85）" in m for m in messages)
    assert any("三十余" in m for m in messages)
    assert count(county, ReturnValue) == 0
    assert count(county, Finding, Finding.return_id == ret.return_id) == len(ret.findings)
    # Sending the same faulty file again does not pile up copies.
    ingest_paths(county, [path], options=OPTS)
    assert count(county, ReturnRecord) == 1


def test_rejection_does_not_replace_an_accepted_return(county: Workspace, tmp_path: Path) -> None:
    ingest_paths(county, [write_return(tmp_path / "v1", "a.json", "S11")], options=OPTS)
    bad = dict(SCHOOL_VALUES, staff_total=-3)
    ingest_paths(county, [write_return(tmp_path / "v2", "a.json", "S11", values=bad)], options=OPTS)
    with county.session() as s:
        statuses = s.execute(select(ReturnRecord.status).order_by(ReturnRecord.id)).scalars().all()
    assert statuses == ["accepted", "rejected"]


def test_a_folder_with_bad_files_stores_the_good_ones(county: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_return(folder, "s11.json", "S11")
    write_return(folder, "s21.json", "S21")
    write_return(folder, "unknown unit.json", "S99")
    (folder / "notes.txt").write_text("这不是报表", encoding="utf-8")
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (folder / "empty.json").write_bytes(b"")
    result = ingest_paths(county, [folder], options=OPTS)
    assert not result.ok
    assert result.count("accepted") == 2
    by_name = {f.display_name: f for f in result.files}
    assert by_name["notes.txt"].error.code == "unrecognised"
    assert "（.xls）" in by_name["old.xls"].error.message
    assert "另存为" in by_name["old.xls"].error.message
    assert "文件是空的" in by_name["empty.json"].error.message
    unknown = by_name["unknown unit.json"].returns[0]
    assert unknown.status == "rejected"
    assert any("S99" in f.message for f in unknown.findings)
    assert count(county, ReturnRecord) == 2


def test_a_file_removed_after_listing_is_named_and_the_rest_stored(
    county: Workspace, tmp_path: Path
) -> None:
    """The command line lists the files first; one removed before it is read is refused
    with a message in Chinese, and the others are stored."""
    folder = tmp_path / "in"
    write_return(folder, "s11.json", "S11")
    gone = write_return(folder, "s21.json", "S21")
    files = collect_files([folder])
    gone.unlink()
    result = ingest_paths(county, files, options=OPTS)
    assert not result.ok and result.count("accepted") == 1
    error = {f.display_name: f for f in result.files}["s21.json"].error
    assert error is not None and error.code == "unreadable"
    assert "找不到这个文件" in error.message and "被移走或删除" in error.message
    assert count(county, ReturnRecord) == 1


def test_the_ingest_command_stores_returns_without_loading_the_orm(
    county: Workspace, tmp_path: Path
) -> None:
    """``unionroll ingest`` reads, checks and stores returns and writes their receipts
    with SQLAlchemy Core alone: the ORM (some 60 ms of every start) stays unloaded."""
    folder = tmp_path / "in"
    write_return(folder, "s11.json", "S11")
    write_return(folder, "s12.json", "S12")
    args = ["--workspace", str(county.root), "--db", county.db_url, "ingest", str(folder)]
    code = (
        "import sys\n"
        "from unionroll.cli.main import cli\n"
        "try:\n"
        f"    cli({args!r}, standalone_mode=False)\n"
        "finally:\n"
        "    print(sorted(m for m in sys.modules\n"
        "                 if m.startswith('sqlalchemy.orm') or m == 'unionroll.core.store'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr
    assert "收录 2 份报表" in out.stdout
    assert count(county, ReturnRecord) == 2
    assert len(list((county.root / "receipts").rglob("*.md"))) == 2


def test_duplicate_file_in_one_batch_is_skipped(county: Workspace, tmp_path: Path) -> None:
    a = write_return(tmp_path / "in", "a.json", "S11")
    b = tmp_path / "in" / "a (副本).json"
    b.write_bytes(a.read_bytes())
    result = ingest_paths(county, [a, b], options=OPTS)
    assert result.ok
    assert result.files[1].duplicate_of == "a.json"
    assert count(county, ReturnRecord) == 1


def test_dry_run_writes_nothing(county: Workspace, tmp_path: Path) -> None:
    path = write_return(tmp_path / "in", "a.json", "S11")
    result = ingest_paths(
        county, [path], options=IngestOptions(dry_run=True, today=date(2025, 11, 1))
    )
    assert result.files[0].returns[0].status == "accepted"
    assert count(county, ReturnRecord) == 0
    assert count(county, SourceFile) == 0
    assert not any((county.root / "sources").rglob("*.json"))


def test_a_failure_while_storing_leaves_nothing_half_written(
    county: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(return_id, checked):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_rows, "value_rows", broken)
    path = write_return(tmp_path / "in", "a.json", "S11")
    with pytest.raises(RuntimeError):
        ingest_paths(county, [path], options=OPTS)
    assert count(county, ReturnRecord) == 0
    assert count(county, SourceFile) == 0


def test_status_on_time_late_rejected_missing(county: Workspace, tmp_path: Path) -> None:
    write_return(tmp_path / "on", "s11.json", "S11")
    write_return(tmp_path / "late", "s21.json", "S21")
    write_return(
        tmp_path / "bad", "s12.json", "S12", values=dict(SCHOOL_VALUES, staff_total="很多")
    )
    ingest_paths(county, [tmp_path / "on", tmp_path / "bad"], options=OPTS)
    late = IngestOptions(received_at=datetime(2025, 4, 20, 9, 0), today=date(2025, 11, 1))
    ingest_paths(county, [tmp_path / "late"], options=late)
    st = period_status(county, "2025年第一季度", today=date(2025, 5, 1))
    states = {u.code: u.state for u in st.units}
    assert states == {
        "C": "missing",
        "T1": "missing",
        "T2": "missing",
        "S11": "on_time",
        "S12": "rejected",
        "S21": "late",
    }
    by_code = {u.code: u for u in st.units}
    assert by_code["S21"].days_late == 10
    assert "很多" in by_code["S12"].reason
    assert st.expected == 6 and st.reported == 2
    groups = {g.name: (g.expected, g.reported) for g in st.groups}
    assert groups["城关学区工会"] == (3, 1)
    assert groups["青石学区工会"] == (2, 1)


def test_cli_ingest_status_and_chase_list(county: Workspace, tmp_path: Path, run) -> None:
    folder = tmp_path / "returns 2025Q1"
    write_return(folder, "城关 一小.json", "S11")
    write_return(folder, "bad.json", "S12", values=dict(SCHOOL_VALUES, female_staff=99))
    result = run("ingest", str(folder), "--received", "2025-04-08")
    assert result.exit_code == 1
    assert "退回" in result.output and "女教职工数（99）不应大于在职教职工数（85）" in result.output
    assert "处理完毕：2 个文件，收录 1 份报表，退回 1 份。" in result.output
    receipts = sorted((county.root / "receipts" / "2025Q1").glob("*.md"))
    assert [p.name for p in receipts] == [
        "S11_城关一小工会_2025Q1_回执.md",
        "S12_城关二小工会_2025Q1_回执.md",
    ]
    text = receipts[1].read_text(encoding="utf-8")
    assert "退回：有错误，未收录" in text and "values.female_staff" in text
    assert "收到时间：2025-04-08 00:00" in text

    chase = tmp_path / "催报.xlsx"
    result = run("status", "--period", "2025Q1", "--chase", str(chase))
    assert result.exit_code == 0, result.output
    assert "2025年第一季度报送情况（截止 2025年4月10日）" in result.output
    assert "合计" in result.output
    wb = CalamineWorkbook.from_path(str(chase))
    rows = wb.get_sheet_by_name("催报名单").to_python()
    listed = {row[1] for row in rows[3:]}
    assert {"S12", "S21", "C", "T1", "T2"} <= listed and "S11" not in listed

    result = run("returns", "history", "S11", "2025Q1")
    assert "城关一小工会（S11）2025年第一季度：1 次报送" in result.output
    result = run("status", "--period", "2025H1")
    assert result.exit_code == 2 and "2025Q1、2025Q2" in result.output


def test_cli_dry_run(county: Workspace, tmp_path: Path, run) -> None:
    path = write_return(tmp_path / "in", "a.json", "S11")
    result = run("ingest", str(path), "--dry-run")
    assert result.exit_code == 0
    assert "检查完毕（未写入任何内容）" in result.output
    assert count(county, ReturnRecord) == 0
    assert not (county.root / "receipts" / "2025Q1").exists()


def test_cli_missing_path(county: Workspace, run) -> None:
    result = run("ingest", "no/such/folder")
    assert result.exit_code == 2
    assert "找不到这些文件或文件夹：no/such/folder" in result.output


def test_an_unfilled_required_cell_is_named(county: Workspace, tmp_path: Path) -> None:
    from unionroll.adapters.xlsx_template import write_template
    from unionroll.core.model import UnitInfo
    from unionroll.core.periods import Period

    path = write_template(
        tmp_path / "城关一小 2025Q1.xlsx",
        form=county.form,
        unit=UnitInfo("S11", "城关一小工会", "school", "T1"),
        period=Period.parse("2025Q1"),
        level_name="学校",
        values={"female_staff": 40, "needy_staff_visited": 2},
    )
    result = ingest_paths(county, [path], options=OPTS)
    (ret,) = result.files[0].returns
    missing = next(f for f in ret.findings if f.code == "required_missing")
    assert missing.message == "“在职教职工数”是必填项，未填写"
    assert missing.location.sheet == "报表" and missing.location.cell.startswith("D")


def test_a_consolidated_township_return_carries_its_schools_figures(
    county: Workspace, tmp_path: Path
) -> None:
    from unionroll.adapters.xlsx_template import write_template
    from unionroll.core.model import UnitInfo
    from unionroll.core.periods import Period
    from unionroll.core.rollup import rollup

    township = UnitInfo("T2", "青石学区工会", "township", "C")
    path = write_template(
        tmp_path / "青石学区 合并报送 2025Q1.xlsx",
        form=county.form,
        unit=township,
        period=Period.parse("2025Q1"),
        level_name="学区",
        values={"staff_total": 140, "female_staff": 90, "needy_staff_visited": 4},
        consolidated=True,
    )
    title = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("报表").to_python()[0][0]
    assert title == "教育工会工作季度报表（2025年第一季度，本单位及下属单位合并报送）"
    school = write_return(tmp_path / "in", "s21.json", "S21")  # also sent: must not count
    result = ingest_paths(county, [path, school], options=OPTS)
    assert result.ok, [str(f) for f in result.files[0].returns[0].findings]
    (ret,) = result.files[0].returns
    assert ret.status == "accepted" and ret.n_values == 3
    t2 = rollup(county, "2025Q1").node("T2")
    assert t2.figure("staff_total").value == 140  # not 140 + 85
    assert t2.figure("needy_staff_visited").value == 4


def test_school_figures_in_an_ordinary_township_return_are_refused(
    county: Workspace, tmp_path: Path
) -> None:
    path = write_return(tmp_path / "in", "t2.json", "T2", values={"staff_total": 140})
    ret = ingest_paths(county, [path], options=OPTS).files[0].returns[0]
    assert ret.status == "rejected"
    assert any(f.code == "not_for_level" for f in ret.findings)
    path = write_return(
        tmp_path / "in2", "t2.json", "T2", values={"staff_total": 140}, consolidated=True
    )
    assert ingest_paths(county, [path], options=OPTS).files[0].returns[0].status == "accepted"
