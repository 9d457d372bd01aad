"""The legacy-summary adapter: alone, then through unionroll's ingest pipeline."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import unionroll_legacy_county
from legacy_sheet import HEADERS, SAMPLE_ROWS, write_legacy_summary
from unionroll_legacy_county.summary_sheet import LegacySummaryAdapter

from unionroll.core.contracts import ReadContext
from unionroll.core.errors import ConfigError, SourceError
from unionroll.core.rollup import rollup
from unionroll.testing import ingest_files, sample_workbook

RECEIVED = datetime(2025, 10, 8, 9, 0)
TODAY = date(2025, 10, 20)


def read(path: Path, workspace, settings=None):
    context = ReadContext(form=workspace.form, display_name=path.name, settings=settings or {})
    return LegacySummaryAdapter().read(path, context)


def head(path: Path) -> bytes:
    return path.read_bytes()[:8192]


def test_sniff_claims_the_legacy_sheet_only(tmp_path: Path) -> None:
    adapter = LegacySummaryAdapter()
    legacy = write_legacy_summary(tmp_path / "汇总表.xlsx")
    standard = sample_workbook(tmp_path / "standard")
    text = tmp_path / "notes.xlsx"
    text.write_text("不是工作簿", encoding="utf-8")
    assert adapter.sniff(legacy, head(legacy))
    assert not adapter.sniff(standard, head(standard))
    assert not adapter.sniff(text, head(text))


def test_one_return_per_school_with_cells_located(tmp_path: Path, unionroll_workspace) -> None:
    path = write_legacy_summary(tmp_path / "青山 汇总表.xlsx")
    returns = read(path, unionroll_workspace)
    assert [r.unit_code for r in returns] == [row[0] for row in SAMPLE_ROWS]  # 合计 skipped
    first = returns[0]
    assert first.period == "2025年第三季度"
    assert first.adapter == "legacy-summary"
    assert first.locator == "工作表“汇总表”第 3 行"
    values = {v.indicator_id: v for v in first.values}
    assert values["needy_staff_visited"].raw == 8
    where = str(values["needy_staff_visited"].location)
    assert where == "文件“青山 汇总表.xlsx”，工作表“汇总表”，单元格 G3"
    assert values["care_funds"].raw == 6000  # 0.6 万元
    assert set(values) == {
        "staff_total",
        "female_staff",
        "members_total",
        "needy_staff_visited",
        "care_funds",
        "blood_donors",
        "culture_participants",
        "training_participants",
    }


def test_unmapped_columns_are_said_once(tmp_path: Path, unionroll_workspace) -> None:
    headers = [*HEADERS[:-1], "送清凉（人次）"]
    rows = [[*row[:-1], 3] for row in SAMPLE_ROWS]
    path = write_legacy_summary(tmp_path / "x.xlsx", rows, headers=headers)
    returns = read(path, unionroll_workspace)
    messages = [f.message for r in returns for f in r.findings]
    assert messages == [
        "第 L 列“送清凉（人次）”不在对照表中，未读取。"
        "如需读取，请在 unionroll.toml 的 [adapters.legacy-summary.columns] 中补充"
    ]


def test_names_without_codes_use_the_configured_units(tmp_path: Path, unionroll_workspace) -> None:
    headers = [h for h in HEADERS if h != "单位代码"]
    rows = [row[1:] for row in SAMPLE_ROWS[:2]]
    path = write_legacy_summary(tmp_path / "x.xlsx", rows, headers=headers)
    settings = {"units": {"清河县第一中学": "S01"}}
    first, second = read(path, unionroll_workspace, settings)
    assert first.unit_code == "S01"
    assert second.unit_code is None
    [finding] = second.findings
    assert finding.severity == "error"
    assert finding.message == (
        "“城关第一小学”没有单位代码：表中没有单位代码列，unionroll.toml 的 "
        "[adapters.legacy-summary.units] 中也没有写这个单位的代码"
    )
    assert finding.location.cell == "B4"


def test_a_sheet_without_a_period_is_refused(tmp_path: Path, unionroll_workspace) -> None:
    path = write_legacy_summary(tmp_path / "汇总表.xlsx", title="工作情况汇总表")
    with pytest.raises(SourceError) as info:
        read(path, unionroll_workspace)
    assert info.value.message == (
        "工作表“汇总表”的标题中没有写明期间。请在表格标题中写上期间，"
        "如“2025年第一季度”，或在文件名中写上"
    )


def test_two_columns_for_one_indicator_are_refused(tmp_path: Path, unionroll_workspace) -> None:
    headers = [*HEADERS[:-1], "慰问金（元）"]
    rows = [[*row[:-1], 100] for row in SAMPLE_ROWS]
    path = write_legacy_summary(tmp_path / "x.xlsx", rows, headers=headers)
    with pytest.raises(SourceError, match="第 H 列“慰问金（万元）”和第 L 列“慰问金（元）”"):
        read(path, unionroll_workspace)


def test_a_bad_mapping_setting_names_the_key(tmp_path: Path, unionroll_workspace) -> None:
    path = write_legacy_summary(tmp_path / "x.xlsx")
    with pytest.raises(ConfigError) as info:
        read(path, unionroll_workspace, {"columns": {"送清凉（人次）": 3}})
    assert "“送清凉（人次）”应写成指标代码" in info.value.message


def test_ingested_through_the_pipeline(
    tmp_path: Path, unionroll_workspace, register_plugin
) -> None:
    register_plugin(unionroll_legacy_county)
    path = write_legacy_summary(tmp_path / "清河县2025年第三季度汇总表.xlsx")
    result = ingest_files(unionroll_workspace, path, received_at=RECEIVED, today=TODAY)
    [outcome] = result.files
    assert outcome.adapter == "legacy-summary"
    assert [(r.unit_code, r.status) for r in outcome.returns] == [
        (row[0], "accepted") for row in SAMPLE_ROWS
    ]
    q3 = rollup(unionroll_workspace, "2025Q3")
    assert q3.figure("T1", "needy_staff_visited").value == 5 + 2 + 6
    assert q3.figure("C", "care_funds").value == pytest.approx(16000)


def test_the_county_adds_headers_in_its_config(
    tmp_path: Path, unionroll_workspace_factory, register_plugin
) -> None:
    register_plugin(unionroll_legacy_county)
    ws = unionroll_workspace_factory(
        config='[adapters.legacy-summary.columns]\n"送清凉（人次）" = "sick_staff_visited"'
    )
    headers = [*HEADERS[:-1], "送清凉（人次）"]
    rows = [[*row[:-1], 2] for row in SAMPLE_ROWS]
    path = write_legacy_summary(tmp_path / "x.xlsx", rows, headers=headers)
    result = ingest_files(ws, path, received_at=RECEIVED, today=TODAY)
    assert all(r.status == "accepted" for f in result.files for r in f.returns)
    assert rollup(ws, "2025Q3").figure("C", "sick_staff_visited").value == 2 * len(SAMPLE_ROWS)
