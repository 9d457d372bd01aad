"""The next-half plan as a county writes it: one item per plan text, the county's own
wording first, and a missed target said once per plan with the units that fell short."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import docx
import pytest
from report_support import json_return, load_county

from unionroll.core.ingest import ingest_paths
from unionroll.core.reporting import run_reports
from unionroll.core.rollup import rollup
from unionroll.core.workspace import Workspace
from unionroll.plugins.report_context import plan_sections

UNITS = """代码,名称,层级,上级代码
QS,青山县教育工会,县,
T1,柳河镇学区工会,学区,QS
T2,石门镇学区工会,学区,QS
T3,龙泉镇学区工会,学区,QS
T4,城关学区工会,学区,QS
S1,柳河小学工会,学校,T1
S2,石门小学工会,学校,T2
S3,龙泉小学工会,学校,T3
S4,城关小学工会,学校,T4
"""

TRAINING = "举办青年教师业务培训。"
SUMMER = "组织“山城之夏”文艺展演活动及合唱大赛。"


def _plan(text: str, **extra: Any) -> dict[str, Any]:
    category = extra.pop("category", "建功立业与素质提升")
    return {"category": category, "text": text, **extra}


def _returns() -> list[dict[str, Any]]:
    training = {"indicator": "training_participants", "target": 400, "month": 6}
    out = [
        # Last year's fourth quarter: the plans this half is measured against. Three
        # townships aim at 400 and fall short; one aims at 20 and makes it.
        json_return(
            "T1", "2024Q4", {"committee_meetings": 1}, priorities=[_plan(TRAINING, **training)]
        ),
        json_return(
            "T2", "2024Q4", {"committee_meetings": 1}, priorities=[_plan(TRAINING, **training)]
        ),
        json_return(
            "T3", "2024Q4", {"committee_meetings": 1}, priorities=[_plan(TRAINING, **training)]
        ),
        json_return(
            "T4",
            "2024Q4",
            {"committee_meetings": 1},
            priorities=[_plan(TRAINING, indicator="training_participants", target=20)],
        ),
    ]
    participants = {"S1": 150, "S2": 100, "S3": 390, "S4": 60}
    for school, people in participants.items():
        out.append(
            json_return(
                school,
                "2025Q2",
                {"staff_total": 80, "training_participants": people},
                # The same plan as the county's, typed with other quotes and no 。
                priorities=[_plan('组织"山城之夏"文艺展演活动及合唱大赛', category="文体活动")],
            )
        )
    out.append(
        json_return(
            "QS",
            "2025Q2",
            {"committee_meetings": 1},
            priorities=[
                _plan(SUMMER, category="文体活动"),
                _plan("  组织“山城之夏”文艺展演活动及合唱大赛 ", category="文体活动"),
            ],
        )
    )
    return out


@pytest.fixture
def plan_county(workspace: Workspace, tmp_path: Path) -> Workspace:
    assert load_county(workspace, tmp_path / "county", UNITS, _returns()).ok
    return workspace


def _md(ws: Workspace, out: Path, kind: str) -> str:
    run = run_reports(ws, "2025H1", out_dir=out, kinds=(kind,), formats=("md",))
    assert run.ok, [o.error for o in run.outcomes]
    return run.files[0].read_text(encoding="utf-8")


def test_one_item_per_plan_text_with_the_county_wording_first(plan_county: Workspace) -> None:
    sections = plan_sections(rollup(plan_county, "2025H1"))
    culture = next(s for s in sections if s.name == "文体活动")
    (item,) = culture.items
    assert item.text == SUMMER  # the county's own wording
    assert item.own and item.n_units == 5  # the county and four schools


def test_priorities_say_each_plan_once(plan_county: Workspace, tmp_path: Path) -> None:
    text = _md(plan_county, tmp_path / "out", "priorities")
    items = re.findall(r"^\d+\. (.*)$", text, flags=re.M)
    assert sum("山城之夏" in i for i in items) == 1
    assert sum("青年教师业务培训" in i for i in items) == 1


def test_a_missed_target_is_one_sentence_with_the_units_counted(
    plan_county: Workspace, tmp_path: Path
) -> None:
    text = _md(plan_county, tmp_path / "out", "priorities")
    (line,) = [line for line in text.splitlines() if "青年教师业务培训" in line and "1. " in line]
    assert "石门镇学区工会、柳河镇学区工会和龙泉镇学区工会未完成上半年目标" in line
    # 400 × 3 planned; 150 + 100 + 390 done; the gaps 250 + 300 + 10 added up
    assert "合计尚差560人次" in line and "结转下半年继续完成" in line
    assert "实际完成" not in line  # the figures per unit are in the table, not the list
    table = [r for r in text.splitlines() if r.startswith("| ") and "青年教师" in r]
    assert len(table) == 4  # three short, one met
    assert (
        "| 柳河镇学区工会 | 举办青年教师业务培训 | 400人次 | 150人次 | 250人次 | 未完成 |" in table
    )
    assert table[-1].endswith("| 已完成 |")  # the shortfalls first


def test_summary_plan_list_has_no_repeats(plan_county: Workspace, tmp_path: Path) -> None:
    text = _md(plan_county, tmp_path / "out", "county-summary")
    plans = text.split("主要工作思路", 1)[1]
    items = re.findall(r"^\d+\. (.*)$", plans, flags=re.M)
    assert len(items) == len({re.sub(r"\W", "", i) for i in items}) == 2


def test_priorities_docx_has_the_table_of_shortfalls(
    plan_county: Workspace, tmp_path: Path
) -> None:
    run = run_reports(
        plan_county, "2025H1", out_dir=tmp_path / "o", kinds=("priorities",), formats=("docx",)
    )
    document = docx.Document(str(run.files[0]))
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == [
        "单位",
        "计划内容",
        "目标",
        "实际",
        "尚差",
        "完成情况",
    ]
    assert len(table.rows) == 5


# --- other periods and the date --------------------------------------------------------


def _title_and_date(path: Path) -> tuple[str, str]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[0], lines[-1]


def test_year_report_and_next_year_priorities(plan_county: Workspace, tmp_path: Path) -> None:
    run = run_reports(plan_county, "2025", out_dir=tmp_path / "y", formats=("md",))
    assert run.ok, [o.error for o in run.outcomes]
    names = sorted(p.name for p in run.files)
    assert names == [
        "测试县教育工会2025年度工作总结.md",
        "测试县教育工会2026年度工作要点.md",
    ]
    summary = (tmp_path / "y" / names[0]).read_text(encoding="utf-8")
    assert summary.splitlines()[2].startswith("2025年度，县教育工会工作")
    assert "## 十、明年主要工作思路" in summary or "明年主要工作思路" in summary
    plans = (tmp_path / "y" / names[1]).read_text(encoding="utf-8")
    assert plans.splitlines()[2].startswith("明年，县教育工会将继续")
    assert "截至年末" in summary


def test_third_quarter_report(plan_county: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "q3"
    folder.mkdir()
    payload = json_return("S1", "2025Q3", {"staff_total": 81, "training_participants": 30})
    (folder / "s1.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    assert ingest_paths(plan_county, [folder]).ok
    run = run_reports(plan_county, "2025年第三季度", out_dir=tmp_path / "o", formats=("md",))
    assert run.ok
    names = sorted(p.name for p in run.files)
    assert names == [
        "测试县教育工会2025年第三季度工作总结.md",
        "测试县教育工会2025年第四季度工作要点.md",
    ]
    summary = (tmp_path / "o" / names[0]).read_text(encoding="utf-8")
    assert "截至第三季度末，全县共有在职教职工81人" in summary


def test_report_date_defaults_to_ten_days_after_the_period(
    plan_county: Workspace, tmp_path: Path
) -> None:
    # Written long after 2025H1 ended (the tests run later than 2025-07-10).
    run = run_reports(plan_county, "2025H1", out_dir=tmp_path / "o", formats=("md",))
    for path in run.files:
        assert _title_and_date(path)[1] == "2025年7月10日"


def test_report_date_from_the_config_and_the_command_line(
    plan_county: Workspace, tmp_path: Path, run
) -> None:
    config = plan_county.root / "unionroll.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("[reports]", "[reports]\ndate = 2025-07-16"),
        encoding="utf-8",
    )
    out = tmp_path / "o"
    result = run("report", "--period", "2025H1", "--out", str(out), "--format", "md")
    assert result.exit_code == 0, result.output
    assert {_title_and_date(p)[1] for p in out.glob("*.md")} == {"2025年7月16日"}
    result = run(
        "report",
        "--period",
        "2025H1",
        "--out",
        str(out),
        "--format",
        "md",
        "--date",
        "2025年7月8日",
    )
    assert result.exit_code == 0, result.output
    assert {_title_and_date(p)[1] for p in out.glob("*.md")} == {"2025年7月8日"}
    result = run("report", "--period", "2025H1", "--out", str(tmp_path / "x"), "--date", "7月8日")
    assert result.exit_code == 2 and "无法识别的日期“7月8日”" in result.output
    assert not (tmp_path / "x").exists()
    config.write_text(
        config.read_text(encoding="utf-8").replace("date = 2025-07-16", 'date = "明天"'),
        encoding="utf-8",
    )
    result = run("report", "--period", "2025H1", "--out", str(tmp_path / "x"))
    assert result.exit_code == 2 and "[reports] 的 date “明天” 无法识别" in result.output
