from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from unionroll.core.errors import FormDefinitionError
from unionroll.core.forms import STANDARD_FORM_FILE, load_form_file, parse_form, per_form
from unionroll.forms.builtin import standard_form


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(STANDARD_FORM_FILE.read_text(encoding="utf-8"))


def problems_of(data: dict, **kwargs) -> list[str]:
    with pytest.raises(FormDefinitionError) as info:
        parse_form(data, source="test.yaml", **kwargs)
    return [str(p) for p in info.value.problems]


def test_standard_form_matches_the_specification() -> None:
    form = standard_form()
    assert (form.id, form.version, form.title) == ("edu-union-quarterly", 1, "教育工会工作季度报表")
    assert form.deadline_days == 10
    assert form.levels == ("county", "township", "school")
    assert [s.name for s in form.sections] == [
        "基本情况",
        "送温暖帮扶",
        "民主管理",
        "师德建设与学习",
        "建功立业与素质提升",
        "文体活动",
        "女工工作与健康福利",
        "自身建设",
    ]
    assert len(form.indicators) == 50
    care = form.indicator("care_funds")
    assert (care.label, care.unit, care.type, care.agg) == (
        "发放慰问金、帮扶金",
        "元",
        "money",
        "sum",
    )
    assert form.indicator("staff_total").agg == "stock"
    assert form.indicator("staff_total").required
    rate = form.indicator("membership_rate")
    assert (rate.agg, rate.numerator, rate.denominator) == ("ratio", "members_total", "staff_total")
    assert form.indicator("staff_home_level").options == ("无", "合格", "先进", "模范")
    assert form.indicator("has_women_committee").agg == "count_yes"
    assert [r.id for r in form.registers] == [
        "awards",
        "events",
        "highlights",
        "problems",
        "priorities",
    ]
    assert form.register("awards").column("level").options == ("国家", "省", "市", "县", "乡镇")


def test_levels_of_indicators() -> None:
    form = standard_form()
    assert form.indicator("staff_total").levels == ("school",)
    assert form.indicator("care_funds").levels == ("county", "township", "school")
    assert form.indicator("units_standardised").levels == ("township", "county")
    school = {i.id for i in form.input_indicators_for_level("school")}
    township = {i.id for i in form.input_indicators_for_level("township")}
    assert "staff_total" in school and "staff_total" not in township
    assert "units_standardised" in township and "units_standardised" not in school
    assert "membership_rate" not in school  # derived: never entered


def test_rules_from_the_specification() -> None:
    rules = {(r.indicator, r.kind, r.other): r.severity for r in standard_form().rules}
    assert rules[("female_staff", "le", "staff_total")] == "error"
    assert rules[("members_total", "le", "staff_total")] == "warning"
    assert rules[("blood_donors", "le", "staff_total")] == "warning"
    assert rules[("info_published", "le", "info_submitted")] == "error"
    assert rules[("care_funds", "positive_requires_positive", "needy_staff_visited")] == "warning"


def test_unknown_indicator_in_ratio(raw: dict) -> None:
    data = copy.deepcopy(raw)
    data["sections"][0]["indicators"][5]["denominator"] = "staff_totl"
    assert any(
        "指标 membership_rate" in p and "denominator 引用了未定义的指标 staff_totl" in p
        for p in problems_of(data)
    )


def test_unknown_indicator_in_rule(raw: dict) -> None:
    data = copy.deepcopy(raw)
    data["sections"][0]["indicators"][1]["rules"] = [{"le": "staff_count"}]
    assert any("引用了未定义的指标 staff_count" in p for p in problems_of(data))


def test_duplicate_indicator_id(raw: dict) -> None:
    data = copy.deepcopy(raw)
    data["sections"][1]["indicators"][0]["id"] = "staff_total"
    assert any(
        "指标 staff_total" in p and "id 重复（已在分类 profile 中定义）" in p
        for p in problems_of(data)
    )


def test_unknown_aggregation_type(raw: dict) -> None:
    data = copy.deepcopy(raw)
    data["sections"][1]["indicators"][1]["agg"] = "average"
    assert any("未知的汇总方式 average" in p for p in problems_of(data))


def test_aggregation_that_does_not_suit_the_type(raw: dict) -> None:
    data = copy.deepcopy(raw)
    data["sections"][0]["indicators"][6]["agg"] = "sum"  # has_women_committee is a yes/no
    assert any("数据类型 bool 不能用汇总方式 sum" in p for p in problems_of(data))


def test_every_problem_is_listed_at_once(raw: dict) -> None:
    data = copy.deepcopy(raw)
    data["sections"][1]["indicators"][1]["agg"] = "average"
    data["sections"][2]["indicators"][0]["type"] = "yesno"
    data["sections"][0]["indicators"][5]["numerator"] = "nobody"
    del data["title"]
    problems = problems_of(data)
    assert len(problems) >= 4
    joined = "\n".join(problems)
    for part in ["average", "yesno", "nobody", "缺少 title"]:
        assert part in joined


def test_unknown_level_against_workspace_levels(raw: dict) -> None:
    problems = problems_of(copy.deepcopy(raw), known_levels=["county", "school"])
    assert any("层级 township 未在工作区配置中定义" in p for p in problems)


def test_choice_needs_options_and_ratio_needs_parts(raw: dict) -> None:
    data = copy.deepcopy(raw)
    data["sections"][0]["indicators"][8]["options"] = []
    del data["sections"][2]["indicators"][3]["numerator"]
    joined = "\n".join(problems_of(data))
    assert "选择题指标至少需要两个选项" in joined
    assert "比率指标缺少 numerator" in joined


def test_file_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(FormDefinitionError, match="找不到该文件"):
        load_form_file(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nsections: [\n", encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="YAML 格式错误"):
        load_form_file(bad)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just text", encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="内容应为一个映射"):
        load_form_file(scalar)


def test_checksum_is_stable_and_sensitive(raw: dict) -> None:
    a = parse_form(copy.deepcopy(raw))
    b = parse_form(copy.deepcopy(raw))
    assert a.checksum == b.checksum
    changed = copy.deepcopy(raw)
    changed["sections"][1]["indicators"][1]["label"] = "走访慰问"
    assert parse_form(changed).checksum != a.checksum


def test_what_is_built_from_a_form_is_remembered_for_that_form_object() -> None:
    """per_form: built once per form object and arguments; an equal form read again, or
    other arguments, get their own."""
    built: list[tuple[str, str]] = []

    @per_form
    def labels(form, level: str) -> list[str]:
        built.append((form.id, level))
        return [i.label for i in form.indicators if i.applies_to(level)]

    form = standard_form()
    again = parse_form(yaml.safe_load(STANDARD_FORM_FILE.read_text(encoding="utf-8")))
    first = labels(form, "school")
    assert labels(form, "school") is first and len(built) == 1
    assert labels(form, "county") is not first and len(built) == 2
    assert labels(again, "school") == first and labels(again, "school") is not first
    assert len(built) == 3
    for n in range(70):  # more than it keeps: it starts over, and still answers right
        assert labels(form, f"level{n}") == []
    assert labels(form, "school") == first
