"""The validation engine: pure tests, ReturnData built by hand, no database."""

from __future__ import annotations

import time as timer
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import pytest

from unionroll.core.contracts import Validator
from unionroll.core.forms import FormDefinition, parse_form
from unionroll.core.model import (
    CheckedReturn,
    Finding,
    Location,
    RawRegisterRow,
    RawValue,
    ReturnData,
    UnitInfo,
)
from unionroll.core.validation import validate
from unionroll.forms.builtin import standard_form

TODAY = date(2025, 7, 5)
FILE = "实验小学2025Q2.xlsx"

UNITS = {
    u.code: u
    for u in [
        UnitInfo("C01", "测试县教育工会", "county"),
        UnitInfo("T01", "城关学区", "township", "C01"),
        UnitInfo("S001", "城关实验小学", "school", "T01"),
        UnitInfo("S002", "已撤并小学", "school", "T01", active_to=date(2025, 1, 1)),
        UnitInfo("S003", "新建小学", "school", "T01", active_from=date(2025, 9, 1)),
        UnitInfo("S004", "年中撤并小学", "school", "T01", active_to=date(2025, 5, 1)),
        UnitInfo("G01", "某教育集团", "group", "C01"),
    ]
}


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return standard_form()


def cell(ref: str, sheet: str = "报表") -> Location:
    return Location(file=FILE, sheet=sheet, cell=ref)


class Builder:
    """Builds a return cell by cell, as an adapter would."""

    def __init__(self, unit: str | None = "S001", period: str | None = "2025Q2", **kw: Any):
        self.data = ReturnData(
            source=Path(FILE),
            adapter="test",
            unit_code=unit,
            period=period,
            unit_location=cell("C2"),
            period_location=cell("C3"),
            **kw,
        )
        self._row = 5

    def value(self, indicator_id: str, raw: Any, formula: str | None = None) -> Builder:
        self._row += 1
        self.data.values.append(RawValue(indicator_id, raw, cell(f"D{self._row}"), formula))
        return self

    def row(self, register: str, row_no: int, **cells: Any) -> Builder:
        locations = {k: cell(f"{chr(65 + i)}{row_no + 1}", register) for i, k in enumerate(cells)}
        self.data.registers.append(
            RawRegisterRow(register, row_no, cells, locations, cell(f"A{row_no + 1}", register))
        )
        return self

    def basic(self) -> Builder:
        return self.value("staff_total", 85).value("female_staff", 60)


def check(
    form: FormDefinition, b: Builder, *, validators: tuple[Validator, ...] = (), **kw: Any
) -> CheckedReturn:
    forms = kw.pop("forms", {form.name: form})
    return validate(
        b.data, form=form, forms=forms, units=UNITS, today=kw.pop("today", TODAY),
        validators=validators, **kw,
    )  # fmt: skip


def only(checked: CheckedReturn, code: str) -> Finding:
    found = [f for f in checked.findings if f.code == code]
    assert len(found) == 1, f"expected one {code}, got {[str(f) for f in checked.findings]}"
    return found[0]


def codes(checked: CheckedReturn) -> list[str]:
    return [f.code for f in checked.findings]


# --- a good return -------------------------------------------------------------------


def test_clean_return_is_accepted(form: FormDefinition) -> None:
    b = (
        Builder()
        .basic()
        .value("needy_staff_visited", "61人次")
        .value("care_funds", "2.5万元")
        .value("has_women_committee", "是")
        .value("staff_home_level", "模范")
        .value("blood_donors", "")
        .row("awards", 1, holder_type="单位", holder="城关实验小学", title="五一劳动奖状",
             level="市级", month="5月", category="自身建设")
        .row("events", 1, name="教职工气排球赛", category="文体活动", month=4, role="主办",
             participants="120人次")
    )  # fmt: skip
    checked = check(form, b)
    assert checked.findings == []
    assert checked.status == "accepted"
    assert checked.unit_code == "S001"
    assert checked.period == "2025Q2"
    assert (checked.form_id, checked.form_version) == ("edu-union-quarterly", 1)
    assert checked.values == {
        "staff_total": 85.0,
        "female_staff": 60.0,
        "needy_staff_visited": 61.0,
        "care_funds": 25000.0,
        "has_women_committee": 1.0,
        "staff_home_level": "模范",
    }
    assert "blood_donors" not in checked.values  # blank is not reported, not 0
    assert checked.value_locations["care_funds"] == cell("D9")
    award, event = checked.registers
    assert (award.register, award.category, award.level, award.month) == (
        "awards", "self_building", "市", 5,
    )  # fmt: skip
    assert award.data == {
        "holder_type": "单位", "holder": "城关实验小学", "title": "五一劳动奖状", "level": "市",
        "month": 5, "category": "self_building",
    }  # fmt: skip
    assert (event.category, event.level, event.month) == ("culture", None, 4)
    assert event.data["participants"] == 120
    assert event.location == cell("A2", "events")


# --- form ----------------------------------------------------------------------------


def test_other_form_is_refused(form: FormDefinition) -> None:
    checked = check(form, Builder(form_id="some-other-form").basic())
    f = only(checked, "form_mismatch")
    assert f.severity == "error"
    assert f.message == (
        "这份报表使用的是报表“some-other-form”，本工作区收取的是“教育工会工作季度报表”"
        "（edu-union-quarterly），请使用本工作区下发的模板填报"
    )
    assert checked.values == {}  # not read against the wrong form


def test_unknown_form_version_names_known_versions(form: FormDefinition) -> None:
    checked = check(form, Builder(form_id="edu-union-quarterly", form_version=7).basic())
    f = only(checked, "unknown_form_version")
    assert f.message == (
        "报表“教育工会工作季度报表”没有第 7 版（已知的版本：1），请使用本工作区下发的模板填报"
    )
    assert not checked.accepted


def test_form_version_given_as_text(form: FormDefinition) -> None:
    assert check(form, Builder(form_version="1").basic()).accepted  # type: ignore[arg-type]


def older_form() -> FormDefinition:
    return parse_form(
        {
            "id": "edu-union-quarterly", "version": 2, "title": "教育工会工作季度报表",
            "levels": ["county", "township", "school"],
            "sections": [{"id": "care", "name": "送温暖帮扶", "indicators": [
                {"id": "old_only", "label": "旧版指标", "unit": "人", "type": "int",
                 "agg": "sum"},
            ]}],
        }
    )  # fmt: skip


def test_known_other_version_is_used(form: FormDefinition) -> None:
    v2 = older_form()
    forms = {form.name: form, v2.name: v2}
    checked = check(form, Builder(form_version=2).value("old_only", 3), forms=forms)
    assert checked.findings == []
    assert checked.form_version == 2
    assert checked.values == {"old_only": 3.0}
    refused = check(form, Builder(form_version=3).value("old_only", 3), forms=forms)
    assert "已知的版本：1、2" in only(refused, "unknown_form_version").message


# --- unit ----------------------------------------------------------------------------


def test_missing_unit(form: FormDefinition) -> None:
    f = only(check(form, Builder(unit=None).basic()), "unit_missing")
    assert (f.severity, f.message, f.location) == ("error", "报表没有填写单位代码", cell("C2"))
    only(check(form, Builder(unit="  ").basic()), "unit_missing")


def test_unknown_unit(form: FormDefinition) -> None:
    checked = check(form, Builder(unit="S999").basic())
    f = only(checked, "unknown_unit")
    assert f.message == "单位代码“S999”不在本工作区的单位名册中，请核对代码或先导入该单位"
    assert f.location == cell("C2")
    assert checked.unit_code == "S999"


def test_unit_code_is_normalised(form: FormDefinition) -> None:
    checked = check(form, Builder(unit=" Ｓ００１ ").basic())
    assert checked.accepted and checked.unit_code == "S001"


def test_closed_unit(form: FormDefinition) -> None:
    f = only(check(form, Builder(unit="S002").basic()), "unit_closed")
    assert f.message == "单位“已撤并小学”已于2025年1月1日撤销（停用），不能报送2025年第二季度的报表"


def test_unit_closed_during_the_period_may_still_report(form: FormDefinition) -> None:
    assert check(form, Builder(unit="S004").basic()).accepted


def test_unit_not_yet_open(form: FormDefinition) -> None:
    f = only(check(form, Builder(unit="S003").basic()), "unit_not_yet_open")
    assert f.message == (
        "单位“新建小学”自2025年9月1日起才设立，2025年第二季度时尚未设立，不能报送该期间的报表"
    )


def test_unit_level_not_in_form(form: FormDefinition) -> None:
    f = only(check(form, Builder(unit="G01").value("committee_meetings", 2)), "level_not_in_form")
    assert f.message == (
        "单位“某教育集团”属于group层级，报表“教育工会工作季度报表”只由县、学区/乡镇、学校填报"
    )


def test_level_names_from_the_workspace(form: FormDefinition) -> None:
    names = {"county": "县", "township": "学区", "school": "学校", "group": "集团"}
    checked = check(form, Builder(unit="G01").value("committee_meetings", 2), level_names=names)
    assert "属于集团层级" in only(checked, "level_not_in_form").message


# --- period --------------------------------------------------------------------------


def test_missing_period(form: FormDefinition) -> None:
    f = only(check(form, Builder(period=None).basic()), "period_missing")
    assert (f.message, f.location) == ("报表没有填写报送期间", cell("C3"))


def test_unreadable_period(form: FormDefinition) -> None:
    f = only(check(form, Builder(period="第二季度").basic()), "bad_period")
    assert f.message.startswith("无法识别的期间“第二季度”。可接受的写法：")
    assert f.location == cell("C3")


def test_chinese_period_is_canonicalised(form: FormDefinition) -> None:
    checked = check(form, Builder(period="2025年第二季度").basic())
    assert checked.accepted and checked.period == "2025Q2"


def test_wrong_period_type(form: FormDefinition) -> None:
    f = only(check(form, Builder(period="2025H1").basic()), "wrong_period_type")
    assert f.message == (
        "报表“教育工会工作季度报表”按季度报送，填写的期间“2025H1”是半年（2025年上半年）"
    )


def test_future_period(form: FormDefinition) -> None:
    f = only(check(form, Builder(period="2025Q4").basic()), "future_period")
    assert (f.severity, f.message) == (
        "error",
        "报送期间2025年第四季度尚未开始（今天是2025年7月5日）",
    )


def test_running_period_is_a_warning(form: FormDefinition) -> None:
    checked = check(form, Builder(period="2025Q3").basic())
    f = only(checked, "period_not_ended")
    assert (f.severity, f.message) == (
        "warning", "报送了尚未结束的期间：2025年第三季度到2025年9月30日才结束",
    )  # fmt: skip
    assert checked.status == "accepted_with_warnings"


# --- values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator_id", "raw", "code", "message"),
    [
        ("needy_staff_visited", "三十余", "not_a_number",
         "“走访慰问困难教职工”填写的“三十余”不是数字，请用阿拉伯数字填写确切数字（如 30）"),
        ("needy_staff_visited", "-3", "negative", "“走访慰问困难教职工”填写的“-3”不能为负数"),
        ("needy_staff_visited", "30余", "approximate",
         "“走访慰问困难教职工”填写的“30余”不是确切数字，请填写确切数字"),
        ("retirees_total", 12.5, "not_integer", "“离退休教职工数”填写的“12.5”应为整数"),
        ("care_funds", "12.345", "too_many_decimals",
         "“发放慰问金、帮扶金”填写的“12.345”金额最多保留两位小数"),
        ("blood_donors", "2000000000", "too_large",
         "“参加无偿献血”填写的“2000000000”数值过大（不应超过 1000000000），请检查是否多填了数位"),
        ("has_audit_committee", "不清楚", "not_yes_no",
         "“建立经费审查委员会”填写的“不清楚”不是“是”或“否”"),
        ("staff_home_level", "优秀", "not_an_option",
         "“教工之家创建情况”填写的“优秀”不是可选项，应为以下之一：无、合格、先进、模范"),
    ],
)  # fmt: skip
def test_value_refusals_are_located(
    form: FormDefinition, indicator_id: str, raw: Any, code: str, message: str
) -> None:
    checked = check(form, Builder().basic().value(indicator_id, raw))
    f = only(checked, code)
    assert f.severity == "error"
    assert f.message == message
    assert f.location == cell("D8")
    assert f.indicator_id == indicator_id
    assert f.label == form.indicator(indicator_id).label
    assert f.found == raw
    assert f.expected
    assert indicator_id not in checked.values
    assert str(f) == f"文件“实验小学2025Q2.xlsx”，工作表“报表”，单元格 D8：{message}"


def test_unknown_indicator(form: FormDefinition) -> None:
    f = only(check(form, Builder().basic().value("staf_total", 85)), "unknown_indicator")
    assert f.message == "报表“教育工会工作季度报表”没有指标“staf_total”，填写的“85”无法录入"
    assert f.location == cell("D8")


def test_blank_unknown_indicator_is_ignored(form: FormDefinition) -> None:
    assert check(form, Builder().basic().value("staf_total", None)).findings == []


def test_indicator_not_for_this_level(form: FormDefinition) -> None:
    checked = check(form, Builder(unit="T01").value("staff_total", 85).value("inspections", 6))
    f = only(checked, "not_for_level")
    assert f.message == "“在职教职工数”只由学校填报，学区/乡镇的报表应留空（填写的是“85”）"
    assert checked.values == {"inspections": 6.0}
    # blank cells of other levels' indicators are fine, and staff_total is not required here
    assert check(
        form, Builder(unit="T01").value("staff_total", "").value("inspections", 6)
    ).accepted


def test_dash_in_a_cell_of_another_level_is_fine(form: FormDefinition) -> None:
    b = Builder(unit="T01").value("staff_total", "／").value("female_staff", "无")
    b.value("membership_rate", "—").value("inspections", 6)
    checked = check(form, b)
    assert checked.findings == []
    assert checked.values == {"inspections": 6.0}


def test_derived_indicator_is_ignored_with_a_warning(form: FormDefinition) -> None:
    checked = check(form, Builder().basic().value("membership_rate", "95%"))
    f = only(checked, "derived_entered")
    assert (f.severity, f.message) == (
        "warning", "“入会率”由系统根据填报数据自动计算，填写的“95%”已忽略",
    )  # fmt: skip
    assert "membership_rate" not in checked.values
    assert checked.accepted


def test_template_formula_in_derived_cell_is_silent(form: FormDefinition) -> None:
    checked = check(form, Builder().basic().value("membership_rate", 0.9, formula="=D8/D6"))
    assert checked.findings == []


def test_duplicate_indicator(form: FormDefinition) -> None:
    checked = check(form, Builder().basic().value("needy_staff_visited", 5)
                    .value("needy_staff_visited", "6"))  # fmt: skip
    f = only(checked, "duplicate_indicator")
    assert f.message == (
        "“走访慰问困难教职工”填写了两次且不一致：工作表“报表”，单元格 D8为“5”，此处为“6”"
    )
    assert f.location == cell("D9")
    same = check(form, Builder().basic().value("needy_staff_visited", 5)
                 .value("needy_staff_visited", "5人次"))  # fmt: skip
    assert same.findings == [] and same.values["needy_staff_visited"] == 5.0


def test_required_missing(form: FormDefinition) -> None:
    checked = check(form, Builder().value("staff_total", "  ").value("female_staff", 3))
    f = only(checked, "required_missing")
    assert (f.message, f.location) == ("“在职教职工数”是必填项，未填写", cell("D6"))
    absent = check(form, Builder().value("female_staff", 3))
    assert only(absent, "required_missing").location is None


def test_required_filled_with_a_dash_is_missing(form: FormDefinition) -> None:
    checked = check(form, Builder().value("staff_total", "—").value("female_staff", 3))
    assert codes(checked) == ["placeholder_blank", "required_missing"]
    assert checked.findings[0].message == "“在职教职工数”填写的“—”视为未填报（如为 0 请填 0）"


def test_bad_required_value_is_reported_once(form: FormDefinition) -> None:
    checked = check(form, Builder().value("staff_total", "八十五"))
    assert codes(checked) == ["not_a_number"]


def test_wu_is_zero_with_a_warning(form: FormDefinition) -> None:
    checked = check(form, Builder().basic().value("needy_staff_visited", "无"))
    f = only(checked, "zero_word")
    assert f.severity == "warning"
    assert (
        f.message == "“走访慰问困难教职工”填写的“无”按 0 计入（如未开展请直接填 0，不适用请留空）"
    )
    assert checked.values["needy_staff_visited"] == 0.0


def test_formula_cell_uses_cached_value(form: FormDefinition) -> None:
    checked = check(form, Builder().basic().value("care_funds", 2500, formula="=SUM(E1:E5)"))
    f = only(checked, "formula")
    assert (f.severity, f.message) == (
        "warning", "“发放慰问金、帮扶金”单元格含公式（=SUM(E1:E5)），已取其计算结果“2500”",
    )  # fmt: skip
    assert checked.values["care_funds"] == 2500.0


def test_formula_without_cached_value(form: FormDefinition) -> None:
    checked = check(form, Builder().basic().value("care_funds", None, formula="=SUM(E1:E5)"))
    f = only(checked, "formula_without_value")
    assert f.message.startswith("“发放慰问金、帮扶金”单元格含公式（=SUM(E1:E5)）但没有计算结果")
    assert "care_funds" not in checked.values


def test_empty_return(form: FormDefinition) -> None:
    b = Builder().value("staff_total", None).value("female_staff", "  ")
    b.row("events", 1, name="", category=None)
    checked = check(form, b)
    f = only(checked, "empty_return")
    assert f.message == "报表是空的：没有填写任何指标，也没有填写任何登记表（获奖、活动等）"
    assert checked.registers == []


def test_return_of_dashes_only_is_empty(form: FormDefinition) -> None:
    checked = check(
        form, Builder(unit="T01").value("inspections", "/").value("dues_collected", "-")
    )
    assert codes(checked) == ["placeholder_blank", "placeholder_blank", "empty_return"]


def test_return_with_only_bad_values_is_not_called_empty(form: FormDefinition) -> None:
    checked = check(form, Builder(unit="T01").value("inspections", "六次"))
    assert codes(checked) == ["not_a_number"]


def test_register_only_return_is_not_empty(form: FormDefinition) -> None:
    b = Builder(unit="T01").row(
        "highlights", 1, category="送温暖帮扶", text="走访慰问61名特困教职工"
    )
    checked = check(form, b)
    assert checked.accepted and len(checked.registers) == 1


def test_adapter_findings_are_carried(form: FormDefinition) -> None:
    b = Builder().basic()
    b.data.findings.append(Finding("warning", "hidden_sheet", "工作簿含隐藏工作表“草稿”，未读取"))
    checked = check(form, b)
    assert codes(checked) == ["hidden_sheet"]


# --- rules ---------------------------------------------------------------------------


def test_rule_le_error(form: FormDefinition) -> None:
    checked = check(form, Builder().value("staff_total", 85).value("female_staff", 90))
    f = only(checked, "rule_le")
    assert (f.severity, f.message) == ("error", "女教职工数（90）不应大于在职教职工数（85）")
    assert f.location == cell("D7") and f.indicator_id == "female_staff"
    assert f.expected == "不大于在职教职工数（85）"


def test_rule_le_equal_is_fine(form: FormDefinition) -> None:
    assert check(form, Builder().value("staff_total", 85).value("female_staff", 85)).accepted


def test_rule_le_warning(form: FormDefinition) -> None:
    checked = check(form, Builder().basic().value("members_total", 86))
    f = only(checked, "rule_le")
    assert (f.severity, f.message) == ("warning", "工会会员数（86）不应大于在职教职工数（85）")
    assert checked.accepted


def test_rule_skipped_when_a_side_is_not_reported(form: FormDefinition) -> None:
    assert check(form, Builder().basic().value("proposals_resolved", 5)).accepted
    assert check(form, Builder().basic().value("proposals_collected", "")
                 .value("proposals_resolved", 5)).accepted  # fmt: skip


def test_rule_positive_requires_positive(form: FormDefinition) -> None:
    checked = check(form, Builder().basic().value("care_funds", "2500.5")
                    .value("needy_staff_visited", 0))  # fmt: skip
    f = only(checked, "rule_positive_requires_positive")
    assert (f.severity, f.message) == (
        "warning",
        "填报了慰问金、帮扶金，但走访慰问困难教职工为 0"
        "（发放慰问金、帮扶金：2500.5，走访慰问困难教职工：0）",
    )  # fmt: skip
    ok = check(form, Builder().basic().value("care_funds", 0).value("needy_staff_visited", 0))
    assert ok.findings == []


def test_rule_default_message_for_positive_requires_positive() -> None:
    small = parse_form(
        {
            "id": "f", "version": 1, "title": "测试", "levels": ["school"],
            "sections": [{"id": "s", "name": "分类", "indicators": [
                {"id": "a", "label": "经费", "unit": "元", "type": "money", "agg": "sum"},
                {"id": "b", "label": "人数", "unit": "人", "type": "int", "agg": "sum"},
            ]}],
            "rules": [{"indicator": "a", "positive_requires_positive": "b"}],
        }
    )  # fmt: skip
    b = Builder().value("a", 10).value("b", 0)
    checked = check(small, b)
    f = only(checked, "rule_positive_requires_positive")
    assert (f.severity, f.message) == (
        "error",
        "经费为 10，但人数为 0：前者大于 0 时，后者也应大于 0",
    )


# --- registers -----------------------------------------------------------------------


def test_register_refusals(form: FormDefinition) -> None:
    b = Builder().basic()
    b.row("awards", 1, holder_type="个人", holder="张老师", title="优秀教师", level="校级",
          month="13月", category="其他")  # fmt: skip
    b.row("events", 2, name="x" * 201, category="文体活动", participants="-5")
    checked = check(form, b)
    by_code = {f.code: f for f in checked.findings}
    assert set(by_code) == {
        "bad_award_level",
        "bad_month",
        "unknown_category",
        "too_long",
        "negative",
    }
    assert by_code["bad_award_level"].message == (
        "获奖情况第 1 条记录的“级别”填写的“校级”"
        "不是有效的级别，应为以下之一：国家、省、市、县、乡镇"
    )
    assert by_code["bad_award_level"].location == cell("D2", "awards")
    assert by_code["bad_month"].message == (
        "获奖情况第 1 条记录的“月份”填写的“13月”不是有效的月份（应在 1–12 之间）"
    )
    assert by_code["unknown_category"].message.startswith(
        "获奖情况第 1 条记录的“工作类别”填写的“其他”"
        "不是本报表的工作类别，应为以下之一：基本情况、送温暖帮扶"
    )
    assert by_code["too_long"].message.endswith("共 201 字，超过了 200 字的上限")
    assert by_code["negative"].message == "主要活动第 2 条记录的“参与人次”填写的“-5”不能为负数"
    assert all(f.severity == "error" for f in checked.findings)


def test_register_required_columns(form: FormDefinition) -> None:
    checked = check(form, Builder().basic().row("awards", 3, holder="张老师", month=5))
    missing = [f for f in checked.findings if f.code == "register_required_missing"]
    assert [f.message for f in missing] == [
        "获奖情况第 3 条记录缺少“获奖类型”（必填）",
        "获奖情况第 3 条记录缺少“奖项或称号”（必填）",
        "获奖情况第 3 条记录缺少“级别”（必填）",
    ]
    assert missing[0].location == cell("A4", "awards")  # the row, as the cell was never read


def test_unknown_register(form: FormDefinition) -> None:
    b = Builder().basic().row("trainings", 1, name="培训").row("trainings", 2, name="培训2")
    f = only(check(form, b), "unknown_register")
    assert f.message == (
        "报表“教育工会工作季度报表”没有登记表“trainings”，其中 2 条记录无法录入"
        "（本报表的登记表：获奖情况、主要活动、工作亮点、存在问题、下半年工作计划）"
    )


def test_unknown_register_column_warns_once(form: FormDefinition) -> None:
    b = Builder().basic()
    for n in (1, 2):
        b.row("highlights", n, category="文体活动", text="篮球赛", remark="备注")
    f = only(check(form, b), "unknown_column")
    assert (f.severity, f.message) == ("warning", "工作亮点没有“remark”这一列，该列内容未录入")
    # once a return: the next return with the same column is told too, and an unknown
    # column of another register with the same name is a warning of its own
    b.row("problems", 1, text="经费不足", remark="备注")
    checked = check(form, b)
    warned = [f.message for f in checked.findings if f.code == "unknown_column"]
    assert warned == [f.message, "存在问题没有“remark”这一列，该列内容未录入"]


def test_priorities(form: FormDefinition) -> None:
    b = Builder().basic()
    b.row(
        "priorities",
        1,
        category="自身建设",
        text="争取10处基层工会达标",
        indicator="达到规范化建设标准的基层工会",
        target="10个",
        month="12月",
    )
    b.row(
        "priorities",
        2,
        category="女工工作与健康福利",
        text="组织妇科检查",
        indicator="women_health_checks",
        target=-1,
    )
    b.row("priorities", 3, category="文体活动", text="举办运动会", indicator="入会率")
    b.row("priorities", 4, category="文体活动", text="举办运动会", target=3)
    b.row("priorities", 5, category="文体活动", text="举办运动会", indicator="运动会")  # fmt: skip
    checked = check(form, b)
    first = checked.registers[0]
    assert first.data == {
        "category": "self_building", "text": "争取10处基层工会达标",
        "indicator": "units_standardised", "target": 10.0, "month": 12,
    }  # fmt: skip
    assert (first.category, first.month) == ("self_building", 12)
    assert codes(checked) == [
        "negative", "not_numeric_indicator", "target_without_indicator", "unknown_indicator_ref",
    ]  # fmt: skip
    messages = [f.message for f in checked.findings]
    assert messages[0] == "下半年工作计划第 2 条记录的“目标值”填写的“-1”不能为负数"
    assert messages[1] == (
        "下半年工作计划第 3 条记录的“对应指标”填写的“入会率”"
        "是“入会率”，不是数值指标，无法设定目标值"
    )
    assert messages[2] == (
        "下半年工作计划第 4 条记录填写了“目标值”（3），"
        "但没有填写“对应指标”，该目标值无法与完成情况对照"
    )
    assert messages[3].startswith(
        "下半年工作计划第 5 条记录的“对应指标”填写的“运动会”不是本报表的指标"
    )


def test_empty_register_rows_are_skipped(form: FormDefinition) -> None:
    b = Builder().basic()
    b.row("awards", 1, holder_type=None, holder="", title="  ", level=None)
    b.row("events", 1)
    checked = check(form, b)
    assert checked.findings == [] and checked.registers == []


def test_register_dash_note(form: FormDefinition) -> None:
    b = Builder().basic().row("events", 1, name="讲座", category="师德建设", participants="/")
    checked = check(form, b)
    f = only(checked, "placeholder_blank")
    assert f.message == "主要活动第 1 条记录的“参与人次”填写的“/”视为未填报（如为 0 请填 0）"
    assert "participants" not in checked.registers[0].data


def test_ten_thousand_register_rows_validate_quickly(form: FormDefinition) -> None:
    b = Builder().basic()
    for n in range(1, 10_001):
        b.row("events", n, name=f"活动{n}", category="文体活动", month=f"{n % 12 + 1}月",
              role="主办", participants=f"{n % 300}人次")  # fmt: skip
    for n in range(1, 2_001):
        b.row("awards", n, holder_type="个人", holder=f"教师{n}", title="优秀班主任",
              level="县级", month=6, category="师德建设与学习")  # fmt: skip
    start = timer.perf_counter()
    checked = check(form, b)
    elapsed = timer.perf_counter() - start
    assert checked.findings == []
    assert len(checked.registers) == 12_000
    assert checked.registers[9_999].data["participants"] == 10_000 % 300
    # Not a timing (bench/ has those): checking the rows one against another would take
    # minutes; about 0.2 s on a laptop, a second on a slow, busy machine.
    assert elapsed < 15.0, f"12,000 rows took {elapsed:.2f}s"


# --- extra validators ----------------------------------------------------------------


class StaffPerCadre(Validator):
    name: ClassVar[str] = "staff-per-cadre"
    description: ClassVar[str] = "工会干部数不应为 0"

    def check(self, checked: CheckedReturn, form: FormDefinition) -> list[Finding]:
        if checked.values.get("union_cadres") == 0 and checked.values.get("staff_total", 0):
            where = checked.value_locations.get("union_cadres")
            return [Finding("warning", "no_cadres", "有教职工但工会干部数为 0", where)]
        return []


class Broken(Validator):
    name: ClassVar[str] = "broken-check"

    def check(self, checked: CheckedReturn, form: FormDefinition) -> list[Finding]:
        raise ZeroDivisionError("division by zero")


class ReturnsStrings(Validator):
    name: ClassVar[str] = "returns-strings"

    def check(self, checked: CheckedReturn, form: FormDefinition) -> list[Finding]:
        return ["不是 Finding"]  # type: ignore[list-item]


def test_validator_adds_finding(form: FormDefinition) -> None:
    checked = check(form, Builder().basic().value("union_cadres", 0), validators=(StaffPerCadre(),))
    f = only(checked, "no_cadres")
    assert f.location == cell("D8")
    assert checked.status == "accepted_with_warnings"


def test_validator_that_raises_becomes_a_warning(form: FormDefinition) -> None:
    checked = check(
        form,
        Builder().basic().value("union_cadres", 0),
        validators=(Broken(), ReturnsStrings(), StaffPerCadre()),
    )
    assert codes(checked) == ["validator_failed", "validator_failed", "no_cadres"]
    assert checked.findings[0].message == (
        "附加检查“broken-check”运行出错，已跳过（ZeroDivisionError：division by zero）"
    )
    assert "returns-strings" in checked.findings[1].message
    assert all(f.severity == "warning" for f in checked.findings)
    assert checked.accepted


def test_validator_sees_the_form_version_used(form: FormDefinition) -> None:
    seen: list[int] = []

    class Spy(Validator):
        name: ClassVar[str] = "spy"

        def check(self, checked: CheckedReturn, form: FormDefinition) -> list[Finding]:
            seen.append(form.version)
            return []

    v2 = older_form()
    check(form, Builder(form_version=2).value("old_only", 1), validators=(Spy(),),
          forms={form.name: form, v2.name: v2})  # fmt: skip
    assert seen == [2]
