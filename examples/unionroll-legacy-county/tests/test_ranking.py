"""The township-ranking report on the sample county of unionroll.testing.

In 2025H1 城关学区 T1 reported in full (4 of 4 units), 青石镇学区 T2 2 of 3, 柳河镇学区
T3 1 of 3; 慰问金 T1 17000 元, T2 9000 元, T3 6500 元.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import unionroll_legacy_county
from unionroll_legacy_county.ranking import competition_ranks, rank

from unionroll.core.errors import ConfigError
from unionroll.core.hookspecs import hookimpl
from unionroll.core.rollup import rollup


@pytest.fixture
def plugin(register_plugin) -> None:
    register_plugin(unionroll_legacy_county)


def test_competition_ranks_share_places() -> None:
    assert competition_ranks([3, 5, 5, None, 1]) == [3, 1, 1, None, 4]


def test_townships_ranked_by_rate_and_figures(unionroll_workspace) -> None:
    ranking = rank(rollup(unionroll_workspace, "2025H1"), {"indicators": ["care_funds"]})
    assert ranking.level == "township" and ranking.level_name == "学区"
    rates = [(r.rank, r.code, r.reported, r.expected, r.partial) for r in ranking.rates]
    assert rates == [(1, "T1", 4, 4, 0), (2, "T2", 2, 3, 1), (3, "T3", 1, 3, 2)]
    [care] = ranking.figures
    assert [(r.rank, r.code, r.value) for r in care.rows] == [
        (1, "T1", 17000),
        (2, "T2", 9000),
        (3, "T3", 6500),
    ]


def test_report_writes_xlsx_and_markdown(plugin, unionroll_render) -> None:
    report = unionroll_render("township-ranking")
    assert sorted(f.name for f in report.files) == [
        "清河县教育工会2025年上半年学区排名表.md",
        "清河县教育工会2025年上半年学区排名表.xlsx",
    ]
    sheets = report.read("xlsx")
    assert list(sheets)[:2] == ["报送率排名", "走访慰问困难教职工"]
    rates = sheets["报送率排名"]
    counts = ["应报单位", "实报单位", "部分报送", "未报", "逾期份数"]
    assert rates[2] == ["名次", "学区", "代码", *counts, "报送率"]
    assert rates[3][:5] == [1, "城关学区工会", "T1", 4, 4]
    assert rates[5][8] == pytest.approx(1 / 3)
    text = report.read("md")
    assert "| 1 | 城关学区工会 | 4 | 4 | 0 | 0 | 0 | 100% |" in text
    assert "| 3 | 柳河镇学区工会 | 3 | 1 | 2 | 0 | 0 | 33.3% |" in text
    assert "### 2. 发放慰问金、帮扶金（元）" in text
    assert "| 1 | 城关学区工会 | 17000 |" in text


def test_settings_come_from_the_workspace_config(
    plugin, unionroll_workspace_factory, unionroll_render
) -> None:
    ws = unionroll_workspace_factory(
        config='[reports.township-ranking]\nindicators = ["blood_donors", "membership_rate"]'
    )
    sheets = unionroll_render("township-ranking", workspace=ws, formats=["xlsx"]).read("xlsx")
    assert list(sheets) == ["报送率排名", "参加无偿献血", "入会率"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"indicators": ["no_such"]}, "指标 no_such 不在报表“教育工会工作季度报表”中"),
        ({"indicators": ["staff_home_level"]}, "staff_home_level 不是数值指标（汇总方式 choice）"),
        ({"indicators": "care_funds"}, "indicators 应为指标代码的列表"),
        ({"level": "village"}, "'village' 不是工作区的层级（可用：county、township、school"),
    ],
)
def test_bad_settings_are_explained(plugin, unionroll_render, settings, message) -> None:
    with pytest.raises(ConfigError) as info:
        unionroll_render("township-ranking", settings=settings)
    assert message in info.value.message


class Extras:
    """Another plugin: adds a filter and a variable, used by the county's own template."""

    @hookimpl
    def prepare_jinja2_environment(self, env):
        env.filters["shout"] = lambda text: f"{text}！"

    @hookimpl
    def extra_report_context(self, report_name, context):
        return {"signed": "县教育工会办公室"} if report_name == "township-ranking" else None


def test_other_plugins_and_county_templates_apply(
    plugin, register_plugin, unionroll_render, tmp_path: Path
) -> None:
    register_plugin(Extras(), name="extras")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "ranking.md.j2").write_text(
        "{{ title | shout }}\n"
        "{% for r in ranking.rates %}{{ r.code }} {% endfor %}\n"
        "{{ signed }}\n",
        encoding="utf-8",
    )
    report = unionroll_render("township-ranking", formats=["md"], templates_dir=templates)
    expected = "清河县教育工会2025年上半年学区排名表！\nT1 T2 T3 县教育工会办公室\n"
    assert report.read("md") == expected
