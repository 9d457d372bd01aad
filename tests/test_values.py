"""Forgiving value reading: every accepted spelling and every refusal, with its reason."""

from __future__ import annotations

import time as timer
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from unionroll.core.forms import FormDefinition, Indicator, RegisterColumn, parse_form
from unionroll.core.values import (
    ParseError,
    is_blank,
    normalize,
    parse_award_level,
    parse_bool,
    parse_choice,
    parse_indicator_value,
    parse_month,
    parse_number,
    parse_register_cell,
    parse_text,
    read_indicator_value,
    read_register_cell,
)
from unionroll.forms.builtin import standard_form


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return standard_form()


def ind(form: FormDefinition, indicator_id: str) -> Indicator:
    return form.indicator(indicator_id)


def col(form: FormDefinition, register: str, column: str) -> RegisterColumn:
    return form.register(register).column(column)


def refused(indicator: Indicator, raw: object) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_indicator_value(indicator, raw)
    return info.value


# --- numbers: accepted ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("61", 61.0),
        (" 61 ", 61.0),
        ("\u300061\u3000", 61.0),  # ideographic spaces around
        ("６１", 61.0),  # full-width digits
        ("61人", 61.0),
        ("61人次", 61.0),  # the indicator's own unit
        ("61 人", 61.0),
        ("61名", 61.0),
        ("61(人)", 61.0),
        ("６１（人）", 61.0),
        ("2.5万", 25000.0),
        ("1,200", 1200.0),
        ("1，200", 1200.0),
        ("1 200", 1200.0),
        ("1\u3000200 人", 1200.0),
        (61, 61.0),
        (61.0, 61.0),
        ("61.0", 61.0),
        ("+61", 61.0),
        ("0", 0.0),
        (0, 0.0),
        (Decimal("61"), 61.0),
        (61.00000000001, 61.0),  # a formula's cached result with float noise
    ],
)
def test_int_indicator_accepts(form: FormDefinition, raw: object, expected: float) -> None:
    value = parse_indicator_value(ind(form, "needy_staff_visited"), raw)  # 人次
    assert value == expected
    assert isinstance(value, float)


@pytest.mark.parametrize(
    ("indicator_id", "raw"),
    [
        ("proposals_collected", "12件"),
        ("essays_submitted", "30篇"),
        ("ethics_events", "3场"),
        ("trainings_held", "2期"),
        ("teams_sent", "2支"),
        ("mentoring_pairs", "5对"),
        ("units_standardised", "10个"),
        ("survey_questionnaires", "100份"),
        ("suggestions_collected", "8条"),
        ("inspections", "6个次"),
        ("affairs_disclosures", "4次"),
        ("affairs_disclosures", "4场"),  # a common unit, not the indicator's own, is fine
    ],
)
def test_common_units_accepted(form: FormDefinition, indicator_id: str, raw: str) -> None:
    number = float("".join(ch for ch in raw if ch.isdigit()))
    assert parse_indicator_value(ind(form, indicator_id), raw) == number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2.5万元", 25000.0),
        ("2.5万", 25000.0),
        ("25000元", 25000.0),
        ("¥2,500.50", 2500.5),
        ("￥2500", 2500.0),
        ("1234.5", 1234.5),
        ("12.30", 12.3),
        ("12.340", 12.34),
        (0.1 + 0.2, 0.3),  # float noise from an Excel formula, not a third decimal
        (1234.56, 1234.56),
        (Decimal("99.90"), 99.9),
        ("1.234567万", 12345.67),
        ("¥ 1 200.50", 1200.5),
    ],
)
def test_money_accepts(form: FormDefinition, raw: object, expected: float) -> None:
    assert parse_indicator_value(ind(form, "care_funds"), raw) == expected


def test_blank_means_not_reported_and_zero_is_zero(form: FormDefinition) -> None:
    visited = ind(form, "needy_staff_visited")
    for raw in (None, "", "   ", "\u3000", "\t\n"):
        assert parse_indicator_value(visited, raw) is None
    assert parse_indicator_value(visited, "0") == 0.0
    assert parse_indicator_value(visited, 0) == 0.0


def test_wu_is_zero_with_a_note(form: FormDefinition) -> None:
    parsed = read_indicator_value(ind(form, "needy_staff_visited"), "无")
    assert parsed.value == 0.0
    assert parsed.note is not None and parsed.note.code == "zero_word"
    assert "按 0 计入" in parsed.note.reason


@pytest.mark.parametrize("raw", ["-", "—", "——", "－", "/", "／", "\\"])
def test_dash_and_slash_are_not_reported_with_a_note(form: FormDefinition, raw: str) -> None:
    parsed = read_indicator_value(ind(form, "needy_staff_visited"), raw)
    assert parsed.value is None
    assert parsed.note is not None and parsed.note.code == "placeholder_blank"
    assert "视为未填报" in parsed.note.reason


# --- numbers: refused ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator_id", "raw", "code", "reason"),
    [
        ("needy_staff_visited", "三十余", "not_a_number", "不是数字，请用阿拉伯数字填写确切数字"),
        ("needy_staff_visited", "三十", "not_a_number", "不是数字"),
        ("needy_staff_visited", "abc", "not_a_number", "不是数字"),
        ("needy_staff_visited", "61个人", "not_a_number", "含有无法识别的内容“个人”"),
        ("needy_staff_visited", "1,20", "not_a_number", "不是数字"),
        ("needy_staff_visited", "1e3", "not_a_number", "不是数字"),
        ("needy_staff_visited", float("nan"), "not_a_number", "不是数字"),
        ("needy_staff_visited", "-3", "negative", "不能为负数"),
        ("needy_staff_visited", -3, "negative", "不能为负数"),
        ("needy_staff_visited", "－3", "negative", "不能为负数"),
        ("staff_total", "12.5", "not_integer", "应为整数"),
        ("staff_total", 12.5, "not_integer", "应为整数"),
        ("staff_total", datetime(2025, 5, 1), "looks_like_date", "看起来是日期"),
        ("staff_total", date(2025, 5, 1), "looks_like_date", "看起来是日期"),
        ("staff_total", time(10, 30), "looks_like_date", "看起来是日期"),
        ("staff_total", "2025-05-01", "looks_like_date", "看起来是日期"),
        ("staff_total", "2025/5/1", "looks_like_date", "看起来是日期"),
        ("staff_total", "2025年5月", "looks_like_date", "看起来是日期"),
        ("staff_total", "5月1日", "looks_like_date", "看起来是日期"),
        ("needy_staff_visited", "30余", "approximate", "请填写确切数字"),
        ("needy_staff_visited", "30余人", "approximate", "请填写确切数字"),
        ("needy_staff_visited", "约30", "approximate", "请填写确切数字"),
        ("needy_staff_visited", "30多", "approximate", "请填写确切数字"),
        ("needy_staff_visited", "30人左右", "approximate", "请填写确切数字"),
        ("needy_staff_visited", "100+", "approximate", "请填写确切数字"),
        ("care_funds", "2万余元", "approximate", "请填写确切数字"),
        ("needy_staff_visited", "1000000001", "too_large", "数值过大"),
        ("needy_staff_visited", 10**12, "too_large", "数值过大"),
        ("needy_staff_visited", 10**400, "too_large", "数值过大"),
        ("care_funds", "12.345", "too_many_decimals", "金额最多保留两位小数"),
        ("care_funds", 12.345, "too_many_decimals", "金额最多保留两位小数"),
        ("care_funds", "1.2345678万", "too_many_decimals", "金额最多保留两位小数"),
        ("staff_total", "85%", "percent", "是百分数"),
        ("staff_total", "百分之八十", "percent", "是百分数"),
        ("staff_total", True, "bool_in_number", "是“是/否”值，本项应填数字"),
        ("staff_total", False, "bool_in_number", "是“是/否”值，本项应填数字"),
        ("staff_total", "是", "bool_in_number", "本项应填数字"),
        ("staff_total", "61元", "wrong_unit", "带有单位“元”，与本项的单位“人”不符"),
        ("staff_total", "¥61", "wrong_unit", "带有货币符号"),
        ("care_funds", "61人", "wrong_unit", "带有单位“人”，本项应填金额（元）"),
        ("staff_total", [61], "not_a_number", "不是数字"),
        ("staff_total", "61 62", "not_a_number", "含有多个数字，请只填一个数字"),
        ("staff_total", "1 200 3", "not_a_number", "含有多个数字，请只填一个数字"),
        ("staff_total", timedelta(hours=3), "looks_like_date", "看起来是日期"),
    ],
)
def test_number_refusals(
    form: FormDefinition, indicator_id: str, raw: object, code: str, reason: str
) -> None:
    error = refused(ind(form, indicator_id), raw)
    assert error.code == code
    assert reason in error.reason
    assert error.expected  # every refusal says what belongs there


def test_refusal_expected_text(form: FormDefinition) -> None:
    assert refused(ind(form, "staff_total"), "12.5").expected == "非负整数（人）"
    assert refused(ind(form, "care_funds"), "-1").expected == "金额（最多两位小数）（元）"


def test_indicator_specific_min_and_max() -> None:
    temp = Indicator(
        id="t", label="温度", unit="度", type="decimal", agg="none", section="s",
        levels=("school",), min=-40, max=60,
    )  # fmt: skip
    assert parse_indicator_value(temp, "-12.5度") == -12.5
    with pytest.raises(ParseError, match="小于允许的最小值 -40"):
        parse_indicator_value(temp, "-41")
    with pytest.raises(ParseError, match="数值过大（不应超过 60）"):
        parse_indicator_value(temp, 61)


def test_percent_accepted_where_the_unit_is_percent() -> None:
    rate = Indicator(
        id="r", label="满意率", unit="%", type="decimal", agg="none", section="s",
        levels=("school",), max=100,
    )  # fmt: skip
    assert parse_indicator_value(rate, "95.5%") == 95.5
    assert parse_indicator_value(rate, "95.5") == 95.5


def test_wan_yuan_indicator_converts_yuan() -> None:
    funds = Indicator(
        id="f", label="经费", unit="万元", type="decimal", agg="sum", section="s",
        levels=("school",),
    )  # fmt: skip
    assert parse_indicator_value(funds, "2.5") == 2.5
    assert parse_indicator_value(funds, "2.5万元") == 2.5
    assert parse_indicator_value(funds, "25000元") == 2.5


# --- yes / no ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["是", "Y", "y", "YES", "yes", "Yes", "√", "✓", "✔", "1", "TRUE", "true", "有", "已建立",
     "Ｙ", " 是 ", 1, 1.0, True],
)  # fmt: skip
def test_bool_yes(form: FormDefinition, raw: object) -> None:
    assert parse_indicator_value(ind(form, "has_women_committee"), raw) == 1.0


@pytest.mark.parametrize(
    "raw",
    ["否", "N", "n", "NO", "no", "×", "✗", "0", "FALSE", "false", "无", "未建立", "Ｎ", 0, 0.0,
     False],
)  # fmt: skip
def test_bool_no(form: FormDefinition, raw: object) -> None:
    assert parse_indicator_value(ind(form, "has_women_committee"), raw) == 0.0


def test_bool_blank_and_refusal(form: FormDefinition) -> None:
    flag = ind(form, "congress_held")
    assert parse_indicator_value(flag, "") is None
    assert parse_indicator_value(flag, None) is None
    for raw in ("也许", 2, "正在筹建"):
        error = refused(flag, raw)
        assert error.code == "not_yes_no"
        assert error.reason == "不是“是”或“否”"
        assert error.expected == "是 或 否"
    assert parse_bool("—").value is None


# --- choices -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("模范", "模范"), (" 合格 ", "合格"), ("先进级", "先进"), ("模范级别", "模范"), ("无", "无")],
)
def test_choice_accepts(form: FormDefinition, raw: str, expected: str) -> None:
    assert parse_indicator_value(ind(form, "staff_home_level"), raw) == expected


@pytest.mark.parametrize("raw", ["不合格", "优秀", "先进模范", 3])
def test_choice_refuses_listing_options(form: FormDefinition, raw: object) -> None:
    error = refused(ind(form, "staff_home_level"), raw)
    assert error.code == "not_an_option"
    assert error.reason == "不是可选项，应为以下之一：无、合格、先进、模范"


def test_choice_tail_must_be_unambiguous() -> None:
    # 省市级 starts with 省 too, but only 省市 leaves a tolerated tail (级)
    assert parse_choice("省市级", ("省", "省市")).value == "省市"
    assert parse_choice("a级", ("A", "B")).value == "A"
    with pytest.raises(ParseError, match="应为以下之一：甲、甲乙"):
        parse_choice("甲乙丙", ("甲", "甲乙"))


# --- months --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (5, 5),
        (5.0, 5),
        ("5", 5),
        ("05", 5),
        ("5月", 5),
        ("5月份", 5),
        ("５月", 5),
        ("五月", 5),
        ("十二月", 12),
        ("十一", 11),
        ("2025-05", 5),
        ("2025/5", 5),
        ("2025年5月", 5),
        ("2025年5月20日", 5),
        ("2025-05-20 00:00:00", 5),
        ("5月上旬", 5),
        (date(2025, 5, 20), 5),
        (datetime(2025, 12, 1, 9, 0), 12),
    ],
)
def test_month_accepts(raw: object, expected: int) -> None:
    assert parse_month(raw).value == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("13", "不是有效的月份（应在 1–12 之间）"),
        (0, "不是有效的月份（应在 1–12 之间）"),
        (5.5, "不是有效的月份"),
        ("春季", "不是有效的月份"),
        ("5-6月", "是几个月份，请只填一个月份"),
        (True, "不是有效的月份"),
    ],
)
def test_month_refusals(raw: object, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_month(raw)
    assert info.value.code == "bad_month"
    assert reason in info.value.reason


# --- award levels, categories, indicators, text -------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("国家", "国家"), ("国家级", "国家"), ("全国", "国家"),
        ("省", "省"), ("省级", "省"),
        ("市", "市"), ("市级", "市"),
        ("县", "县"), ("县级", "县"), ("区级", "县"),
        ("乡镇", "乡镇"), ("乡镇级", "乡镇"), ("镇级", "乡镇"), ("学区", "乡镇"),
        (" 省 级 ", "省"),
    ],
)  # fmt: skip
def test_award_level_accepts(form: FormDefinition, raw: str, expected: str) -> None:
    assert parse_register_cell(col(form, "awards", "level"), raw, form) == expected


@pytest.mark.parametrize("raw", ["校级", "世界级", "一等奖"])
def test_award_level_refuses(form: FormDefinition, raw: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_register_cell(col(form, "awards", "level"), raw, form)
    assert info.value.code == "bad_award_level"
    assert info.value.reason == "不是有效的级别，应为以下之一：国家、省、市、县、乡镇"
    assert parse_award_level(None).value is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("送温暖帮扶", "care"),
        ("care", "care"),
        (" 文体 活动 ", "culture"),
        ("ＣＡＲＥ", "care"),
        ("女工工作", "women"),  # a unique beginning of 女工工作与健康福利
    ],
)
def test_category_accepts(form: FormDefinition, raw: str, expected: str) -> None:
    assert parse_register_cell(col(form, "events", "category"), raw, form) == expected


def test_category_refuses_listing_names(form: FormDefinition) -> None:
    with pytest.raises(ParseError) as info:
        parse_register_cell(col(form, "events", "category"), "其他", form)
    assert info.value.code == "unknown_category"
    assert info.value.reason == (
        "不是本报表的工作类别，应为以下之一：基本情况、送温暖帮扶、民主管理、师德建设与学习、"
        "建功立业与素质提升、文体活动、女工工作与健康福利、自身建设"
    )


def test_indicator_column(form: FormDefinition) -> None:
    column = col(form, "priorities", "indicator")
    assert parse_register_cell(column, "units_standardised", form) == "units_standardised"
    assert parse_register_cell(column, "达到规范化建设标准的基层工会", form) == "units_standardised"
    assert parse_register_cell(column, "走访慰问困难教职工（人次）", form) == "needy_staff_visited"
    with pytest.raises(ParseError, match="不是本报表的指标"):
        parse_register_cell(column, "规范化", form)
    with pytest.raises(ParseError, match="是“入会率”，不是数值指标"):
        parse_register_cell(column, "入会率", form)
    with pytest.raises(ParseError, match="是“建立女工委员会”，不是数值指标"):
        parse_register_cell(column, "has_women_committee", form)


def test_register_numbers(form: FormDefinition) -> None:
    participants = col(form, "events", "participants")
    assert parse_register_cell(participants, "120人次", form) == 120
    assert isinstance(parse_register_cell(participants, 120.0, form), int)
    with pytest.raises(ParseError, match="应为整数"):
        parse_register_cell(participants, "12.5", form)
    target = col(form, "priorities", "target")
    assert parse_register_cell(target, "10", form) == 10.0
    with pytest.raises(ParseError, match="不能为负数"):
        parse_register_cell(target, "-1", form)
    parsed = read_register_cell(participants, "—", form)
    assert parsed.value is None and parsed.note is not None


def test_text_is_never_interpreted(form: FormDefinition) -> None:
    text = col(form, "highlights", "text")
    assert parse_register_cell(text, "=SUM(A1:A3)", form) == "=SUM(A1:A3)"
    assert parse_register_cell(text, "  开展了送温暖活动  ", form) == "开展了送温暖活动"
    assert parse_register_cell(text, "   ", form) is None
    assert parse_register_cell(text, 2025.0, form) == "2025"
    assert parse_register_cell(text, "-", form) == "-"
    with pytest.raises(ParseError) as info:
        parse_register_cell(text, "字" * 501, form)
    assert info.value.code == "too_long"
    assert info.value.reason == "共 501 字，超过了 500 字的上限"
    assert parse_text("字" * 500, 500).value == "字" * 500


def test_text_indicator() -> None:
    form = parse_form(
        {
            "id": "f", "version": 1, "title": "测试", "levels": ["school"],
            "sections": [{"id": "s", "name": "分类", "indicators": [
                {"id": "note", "label": "备注", "type": "text", "agg": "none"},
            ]}],
        }
    )  # fmt: skip
    assert parse_indicator_value(form.indicator("note"), " =1+1 ") == "=1+1"
    assert parse_indicator_value(form.indicator("note"), "") is None


def test_helpers() -> None:
    assert normalize("　６１ 人　") == "61人"
    assert is_blank(None) and is_blank("") and is_blank(" \u3000") and is_blank("\u200b")
    assert not is_blank(0) and not is_blank("0")


def test_parsing_is_fast(form: FormDefinition) -> None:
    """Every cell of thousands of returns goes through here: keep it cheap."""
    visited = ind(form, "needy_staff_visited")
    funds = ind(form, "care_funds")
    samples = ["61", "６１人", "1,200", 61.0, "2.5万元", ""] * 5000
    start = timer.perf_counter()
    for raw in samples:
        parse_indicator_value(visited if raw != "2.5万元" else funds, raw)
    elapsed = timer.perf_counter() - start
    # A guard against work growing with what was parsed before, not a timing: about
    # 0.3 s on a laptop.
    assert elapsed < 15.0, f"30,000 cells took {elapsed:.2f}s"
    assert parse_number("61", kind="int").value == 61.0
