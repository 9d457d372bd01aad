"""``unionroll rollup`` and ``unionroll trace`` as a user runs them: Chinese text, JSON, CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from rollup_support import RollupCli

from unionroll.core.bulk import BulkRegisterRow, BulkReturn, BulkUnit, load_returns, load_units
from unionroll.core.hookspecs import hookimpl
from unionroll.core.plugins import get_plugin_manager
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
def cli(workspace: Workspace) -> RollupCli:
    load_units(workspace, UNITS)
    load_returns(
        workspace,
        [
            BulkReturn(
                "S11",
                "2025Q1",
                {"staff_total": 50, "members_total": 49, "care_funds": 1200.5},
                registers=[
                    BulkRegisterRow(
                        "awards",
                        {
                            "holder_type": "个人",
                            "holder": "张三",
                            "title": "优秀教师",
                            "level": "县",
                        },
                    )
                ],
            ),
            BulkReturn("S11", "2025Q2", {"staff_total": 52, "has_women_committee": True}),
            BulkReturn(
                "S12",
                "2025Q1",
                {"staff_total": 30, "care_funds": 800, "staff_home_level": "合格"},
                submitted_at=datetime(2025, 4, 14, 9),
            ),
            BulkReturn("T1", "2025Q2", {"care_funds": 3000}),
            BulkReturn("S21", "2025Q1", {"staff_total": 20, "care_funds": 100}),
            BulkReturn("T2", "2025Q1", {"care_funds": 500}, consolidated=True),
            BulkReturn(
                "C",
                "2024Q4",
                registers=[
                    BulkRegisterRow(
                        "priorities",
                        {
                            "category": "care",
                            "text": "慰问金达到1万元",
                            "indicator": "care_funds",
                            "target": 10000,
                        },
                    )
                ],
            ),
        ],
    )
    return RollupCli(workspace)


def test_rollup_text_shows_county_totals_by_section(cli: RollupCli) -> None:
    result = cli("rollup", "--period", "2025年上半年")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "测试县教育工会 2025年上半年工作汇总" in out
    assert "汇总单位：C 清河县教育工会（县）" in out
    assert "全县应报 6 个单位，实报 1 个（另有 4 个只报送了部分季度），未报 1 个" in out
    assert "一、基本情况" in out and "二、送温暖帮扶" in out
    lines = out.splitlines()
    staff = next(line for line in lines if line.startswith("在职教职工数"))
    # S11's latest 52 + S12's 30; S21 is covered by T2's consolidated return, which
    # has no head-count
    assert staff.split() == ["在职教职工数", "82", "人", "2/3"]
    funds = next(line for line in lines if line.startswith("发放慰问金、帮扶金"))
    assert funds.split() == ["发放慰问金、帮扶金", "5,500.50", "元", "5/6"]
    rate = next(line for line in lines if line.startswith("入会率"))
    assert rate.split()[1] == "59.8%"  # 49 / 82, never an average of percentages
    assert "获奖 1 项（县级 1 项）" in out
    assert "2024年下半年工作计划的目标完成情况：共 1 项，已完成 0 项，未完成 1 项" in out
    assert (
        "未完成：C 清河县教育工会“慰问金达到1万元”——发放慰问金、帮扶金目标 10,000，实际 5,500.50"
        in out
    )
    assert "逾期报送：S12 城关二小（2025Q1，逾期 4 天）" in out
    assert (
        "合并报送：T2 东坝学区 报送了 2025Q1 的合并报表，其下 1 个单位的当季报表未重复计入（S21）。"
        in out
    )


def test_rollup_text_for_a_township_and_its_schools(cli: RollupCli) -> None:
    result = cli("rollup", "--period", "2025H1", "--unit", "T1", "--depth", "1")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "汇总单位：T1 城关学区（学区），列出下级单位 2 个" in out
    assert "全学区应报 3 个单位" in out
    assert "一、基本情况（分单位）" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("S11 城关一小"))
    assert row.split()[2] == "52"  # S11's latest head-count
    assert "报送情况（分单位）" in out


def test_rollup_json_is_the_documented_format(cli: RollupCli) -> None:
    result = cli("rollup", "--period", "2025H1", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["format"] == "unionroll-rollup" and doc["version"] == 1
    assert doc["period"] == "2025H1" and doc["quarters"] == ["2025Q1", "2025Q2"]
    assert doc["root"] == "C"
    units = {u["code"]: u for u in doc["units"]}
    assert list(units) == ["C", "T1", "S11", "S12", "T2", "S21"]
    s11 = units["S11"]
    assert (s11["name"], s11["level"], s11["parent"]) == ("城关一小", "school", "T1")
    assert s11["figures"]["staff_total"] == {"value": 52.0, "reported": 1, "expected": 1}
    county = units["C"]["figures"]
    assert county["care_funds"] == {"value": 5500.5, "reported": 5, "expected": 6}
    assert county["has_women_committee"]["yes"] == 1
    assert county["staff_home_level"]["counts"]["合格"] == 1
    assert county["membership_rate"]["denominator"] == 82.0
    assert units["C"]["completeness"]["late"][0]["code"] == "S12"
    assert doc["overlaps"][0]["excluded"] == "S21"
    assert {i["id"] for i in doc["indicators"]} >= {"care_funds", "membership_rate"}


def test_rollup_csv_by_level_one_row_per_unit(cli: RollupCli, tmp_path: Path) -> None:
    for by in ("school", "学校"):
        result = cli("rollup", "--period", "2025H1", "--format", "csv", "--by", by)
        assert result.exit_code == 0, result.output
        rows = list(csv.reader(io.StringIO(result.output)))
        header = rows[0]
        assert header[:3] == ["代码", "单位", "层级"]
        assert "在职教职工数（人）" in header and "入会率（%）" in header
        body = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
        assert list(body) == ["S11", "S12", "S21"]
        assert body["S11"]["在职教职工数（人）"] == "52"
        assert body["S11"]["入会率（%）"] == "94.2308"  # 49 (latest, Q1) / 52 (latest, Q2)
        assert body["S12"]["教工之家创建情况"] == "合格"
        assert body["S11"]["建立女工委员会（是的单位数）"] == "1"
    out = tmp_path / "out" / "学校.csv"
    result = cli("rollup", "--period", "2025H1", "--format", "csv", "--by", "学校", "-o", str(out))
    assert result.exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM
    assert "城关一小" in out.read_text(encoding="utf-8-sig")


def test_rollup_cli_errors_are_one_chinese_line(cli: RollupCli) -> None:
    result = cli("rollup", "--period", "2025H1", "--by", "省")
    assert result.exit_code == 2
    assert (
        "错误：没有“省”这一层级。可用的层级：county（县）、township（学区）、school（学校）"
        in result.output
    )
    result = cli("rollup", "--period", "2025H1", "--unit", "NOPE")
    assert result.exit_code == 2
    assert "找不到代码为“NOPE”的单位" in result.output
    result = cli("rollup", "--period", "明年")
    assert result.exit_code == 2 and "无法识别的期间“明年”" in result.output
    result = cli("trace", "--period", "2025H1", "--unit", "C", "--indicator", "nope")
    assert result.exit_code == 2 and "没有指标“nope”" in result.output
    assert "Traceback" not in result.output


def test_trace_text_and_json(cli: RollupCli) -> None:
    result = cli("trace", "--period", "2025H1", "--unit", "C", "--indicator", "care_funds")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2025年上半年 C 清河县教育工会 · 发放慰问金、帮扶金（care_funds）" in out
    assert "汇总值：5,500.50 元；实报 5 / 应报 6 个单位" in out
    assert "构成：计入 4 项，未计入 1 项" in out
    s21 = next(line for line in out.splitlines() if line.startswith("S21"))
    assert "未计入（上级合并报送）：第一季度由 T2 东坝学区 合并报送代替" in s21
    assert "S21-2025Q1.xlsx" in s21
    result = cli(
        "trace",
        "--period",
        "2025H1",
        "--unit",
        "C",
        "--indicator",
        "membership_rate",
        "--format",
        "json",
    )
    doc = json.loads(result.output)
    assert doc["figure"]["denominator"] == 82.0
    assert {i["role"] for i in doc["items"]} == {"numerator", "denominator"}


def test_the_rollup_command_fires_after_rollup_once(cli: RollupCli) -> None:
    calls: list[str] = []

    class Plugin:
        @hookimpl
        def after_rollup(self, workspace: object, rollup: object) -> None:
            calls.append(rollup.period.code)  # type: ignore[attr-defined]

    pm = get_plugin_manager()
    plugin = Plugin()
    pm.register(plugin, name="rollup-hook-test")
    try:
        assert cli("rollup", "--period", "2025H1").exit_code == 0
        assert calls == ["2025H1"]
        assert (
            cli("trace", "--period", "2025H1", "--unit", "C", "--indicator", "care_funds").exit_code
            == 0
        )
        assert calls == ["2025H1"]  # tracing is not a rollup made for a report
    finally:
        pm.unregister(plugin)
