"""The county's documents, written from a fixture workspace whose totals are seed 000's."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from report_support import json_return, load_county

from unionroll.core.reporting import run_reports
from unionroll.core.rollup import rollup
from unionroll.core.workspace import Workspace

UNITS = """代码,名称,层级,上级代码
WL,五莲县教育工会,县,
T1,洪凝学区工会,学区,WL
S1,五莲一中工会,学校,WL
S2,洪凝小学工会,学校,T1
S3,许孟小学工会,学校,T1
"""

PROFILE = {"staff_total": 120, "female_staff": 70, "members_total": 118}


AWARD_S1 = {
    "holder_type": "单位",
    "holder": "五莲一中",
    "title": "五一劳动奖状",
    "level": "市",
    "month": 4,
    "category": "建功立业与素质提升",
}

RETURNS = [
    json_return("S1", "2025Q1", {**PROFILE, "needy_staff_visited": 30, "care_funds": "1.2万元"}),
    json_return(
        "S1",
        "2025Q2",
        {
            **PROFILE,
            "needy_staff_visited": 10,
            "care_funds": 5000,
            "blood_donors": 90,
            "essays_submitted": 20,
            "essays_awarded": 5,
        },
        awards=[AWARD_S1],
        highlights=[{"category": "送温暖帮扶", "text": "<script>alert(1)</script>## 假标题"}],
        problems=[{"category": "自身建设", "text": '=HYPERLINK("x") 工会干部多为兼职。'}],
        priorities=[
            {
                "category": "自身建设",
                "text": "暑期举办工会干部培训班。",
                "indicator": "cadre_trainees",
                "target": 40,
            }
        ],
    ),
    json_return(
        "S2",
        "2025Q1",
        {
            **PROFILE,
            "staff_total": 60,
            "female_staff": 40,
            "members_total": 60,
            "needy_staff_visited": 15,
            "care_funds": 6000,
        },
    ),
    json_return(
        "S2",
        "2025Q2",
        {
            **PROFILE,
            "staff_total": 61,
            "female_staff": 40,
            "members_total": 61,
            "needy_staff_visited": 6,
            "care_funds": 2000,
            "blood_donors": 81,
            "essays_submitted": 10,
            "essays_awarded": 2,
        },
        awards=[
            {
                "holder_type": "单位",
                "holder": "洪凝小学",
                "title": "五一劳动奖状",
                "level": "县",
                "month": 4,
                "category": "建功立业与素质提升",
            },
            {
                "holder_type": "个人",
                "holder": "宋正恩",
                "title": "劳动模范",
                "level": "县",
                "month": 4,
                "category": "建功立业与素质提升",
            },
            {
                "holder_type": "个人",
                "holder": "席光宝",
                "title": "五一劳动奖章",
                "level": "市",
                "month": 4,
                "category": "建功立业与素质提升",
            },
        ],
        priorities=[
            {
                "category": "自身建设",
                "text": "暑期举办工会干部培训班",
                "indicator": "cadre_trainees",
                "target": 20,
            },
        ],
    ),
    # The township reports its school's award again: it must be counted once.
    json_return("T1", "2025Q2", {"committee_meetings": 2}, awards=[AWARD_S1]),
    json_return(
        "WL",
        "2025Q2",
        {"cadre_trainees": 0},
        priorities=[
            {
                "category": "自身建设",
                "text": "争取有10处基层教育工会获得县级规范化达标单位称号。",
                "indicator": "units_standardised",
                "target": 10,
            }
        ],
    ),
]


@pytest.fixture
def seed_county(workspace: Workspace, tmp_path: Path) -> Workspace:
    result = load_county(workspace, tmp_path / "county", UNITS, RETURNS)
    assert result.ok, [f.message for f in result.files for r in f.returns for f in r.findings]
    return workspace


def _render(ws: Workspace, out: Path, **kw: Any):
    run = run_reports(ws, "2025H1", out_dir=out, today=date(2025, 7, 10), **kw)
    assert run.ok, [o.error for o in run.outcomes]
    return run


def test_summary_states_seed_figures_like_the_seed(seed_county: Workspace, tmp_path: Path) -> None:
    run = _render(seed_county, tmp_path / "out", kinds=("county-summary",), formats=("md",))
    (md_path,) = run.files
    assert md_path.name == "测试县教育工会2025年上半年工作总结.md"
    text = md_path.read_text(encoding="utf-8")
    result = rollup(seed_county, "2025H1")
    root = result.root.figures
    assert root["needy_staff_visited"].value == 61
    assert root["care_funds"].value == 25000
    assert "走访慰问困难教职工61人次" in text
    assert "发放慰问金、帮扶金2.5万元" in text
    assert "有171人参加了无偿献血" in text
    assert "送交征文30篇" in text and "其中7篇获奖" in text
    assert "五莲一中获市级五一劳动奖状称号" in text
    assert "席光宝同志获市级五一劳动奖章称号" in text
    assert "洪凝小学获县级五一劳动奖状称号" in text
    assert "宋正恩同志获县级劳动模范称号" in text
    assert text.count("五莲一中获市级五一劳动奖状") == 1  # reported twice, said once
    # stock over quarters: the latest quarter, never Q1 + Q2 (120 + 61)
    assert "共有在职教职工181人" in text
    assert "# 测试县教育工会2025年上半年工作总结" in text
    # no spaces around the figures, as a document writes them
    assert "全县应报5个单位，实报2个（另有2个只报送了部分季度），未报1个，逾期报送2份。" in text


def test_sections_without_data_are_left_out(seed_county: Workspace, tmp_path: Path) -> None:
    run = _render(seed_county, tmp_path / "out", kinds=("county-summary",), formats=("md",))
    text = run.files[0].read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[:4] == [
        "## 一、基本情况",
        "## 二、送温暖帮扶",
        "## 三、师德建设与学习",
        "## 四、建功立业与素质提升",
    ]
    assert not any("文体活动" in h or "民主管理" in h for h in headings)
    assert not re.search(r"(?<![\d.])0(人次|场|人|篇|元)", text)


def test_user_text_cannot_become_markup(seed_county: Workspace, tmp_path: Path) -> None:
    run = _render(seed_county, tmp_path / "out", kinds=("county-summary",), formats=("md", "html"))
    md = next(p for p in run.files if p.suffix == ".md").read_text(encoding="utf-8")
    html = next(p for p in run.files if p.suffix == ".html").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;## 假标题" in html
    assert "<h2>假标题" not in html and "\n## 假标题" not in md
    assert "\\<script\\>" in md


def test_docx_reads_back_with_real_headings(seed_county: Workspace, tmp_path: Path) -> None:
    run = _render(seed_county, tmp_path / "out", kinds=("county-summary",), formats=("docx",))
    document = docx.Document(str(run.files[0]))
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert [h.text for h in headings][:2] == ["一、基本情况", "二、送温暖帮扶"]
    body = "\n".join(p.text for p in document.paragraphs)
    assert "发放慰问金、帮扶金2.5万元" in body
    assert "2025年7月10日" in body
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.top_margin.mm) == 37


def test_priorities_merge_plans_and_sum_targets(seed_county: Workspace, tmp_path: Path) -> None:
    run = _render(seed_county, tmp_path / "out", kinds=("priorities",), formats=("md",))
    text = run.files[0].read_text(encoding="utf-8")
    assert run.files[0].name == "测试县教育工会2025年下半年工作要点.md"
    assert "## 一、自身建设" in text
    assert (
        "争取有10处基层教育工会获得县级规范化达标单位称号（目标：达到规范化建设标准的基层工会10个）"
        in text
    )
    assert "暑期举办工会干部培训班（2个单位提出，计划工会干部参加培训合计60人次）" in text


def test_template_override_replaces_wording_and_falls_back(
    seed_county: Workspace, tmp_path: Path
) -> None:
    mine = tmp_path / "my_templates"
    mine.mkdir()
    (mine / "county_summary.txt.j2").write_text(
        "{% import 'phrases.j2' as ph with context %}\n@title {{ org }}半年小结\n\n"
        "本县{{ period.short_label_zh }}共走访慰问{{ figures.needy_staff_visited.text }}。\n",
        encoding="utf-8",
    )
    run = _render(
        seed_county,
        tmp_path / "out",
        kinds=("county-summary",),
        formats=("md",),
        templates_dir=mine,
    )
    text = run.files[0].read_text(encoding="utf-8")
    assert text.startswith("# 测试县教育工会半年小结")
    assert "本县上半年共走访慰问61人次。" in text
    # the priorities report has no override there and uses the built-in wording
    run = _render(
        seed_county, tmp_path / "out2", kinds=("priorities",), formats=("md",), templates_dir=mine
    )
    assert "工作要点" in run.files[0].read_text(encoding="utf-8")


def test_report_command(seed_county: Workspace, tmp_path: Path, run) -> None:
    out = tmp_path / "somewhere"
    result = run(
        "report",
        "--period",
        "2025年上半年",
        "--out",
        str(out),
        "--kind",
        "priorities",
        "--format",
        "md",
    )
    assert result.exit_code == 0, result.output
    assert "全县应报 5 个单位，实报 2 个" in result.output
    assert (out / "测试县教育工会2025年下半年工作要点.md").is_file()
    result = run("report", "--period", "2025H1", "--kind", "no-such-report")
    assert result.exit_code == 2 and "没有名为 no-such-report 的报告" in result.output
    result = run("report", "--period", "2025H1", "--kind", "priorities", "--format", "xlsx")
    assert result.exit_code == 2 and "不能输出 xlsx 格式" in result.output
