"""The Excel return template: real workbooks written with xlsxwriter and inspected with
openpyxl (an independent reader) and python-calamine, and re-saved by LibreOffice."""

from __future__ import annotations

import re
import time
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from office import SOFFICE, soffice_convert
from openpyxl.worksheet.worksheet import Worksheet

from unionroll.adapters import xlsx_template as xt
from unionroll.adapters.xlsx_return import XlsxReturnAdapter
from unionroll.core.contracts import ReadContext
from unionroll.core.model import UnitInfo
from unionroll.core.periods import Period
from unionroll.forms.builtin import standard_form

FORM = standard_form()
PERIOD = Period.parse("2025Q1")
SCHOOL = UnitInfo(code="S001", name="城关第一小学", level="school", parent_code="T01")
TOWNSHIP = UnitInfo(code="T01", name="城关学区", level="township", parent_code="C01")
COUNTY = UnitInfo(code="C01", name="某某县教育工会", level="county")
LEVEL_NAMES = {"county": "县", "township": "学区", "school": "学校"}


def make(tmp_path: Path, unit: UnitInfo = SCHOOL, **kw: object) -> Path:
    kw.setdefault("county_name", "某某县教育工会")
    return xt.write_template(
        tmp_path / f"{unit.code}.xlsx",
        form=FORM,
        unit=unit,
        period=PERIOD,
        level_name=LEVEL_NAMES[unit.level],
        **kw,  # type: ignore[arg-type]
    )


def id_rows(ws: Worksheet) -> dict[str, int]:
    """Indicator id → Excel row, from the 指标代码 column."""
    return {
        str(row[xt.COL_ID].value): row[0].row
        for row in ws.iter_rows(min_row=xt.COLUMN_HEADER_ROW + 2)
        if row[xt.COL_ID].value
    }


def validation_for(ws: Worksheet, cell: str):  # type: ignore[no-untyped-def]
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, f"{cell}: {len(found)} validations"
    return found[0]


# --- content per level -------------------------------------------------------------------


def test_school_template_lists_its_indicators_by_section(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(make(tmp_path))
    assert wb.sheetnames == [
        "报表",
        "获奖情况",
        "主要活动",
        "工作亮点",
        "存在问题",
        "下半年工作计划",
        "填表说明",
        "_lists",
        "_meta",
    ]
    ws = wb["报表"]
    assert wb.active.title == "报表"
    assert ws["A1"].value == "教育工会工作季度报表（2025年第一季度）"
    header = {ws.cell(row=r, column=6).value: ws.cell(row=r, column=4).value for r in range(2, 8)}
    assert header == {
        "_unit_name": "城关第一小学",
        "_unit_code": "S001",
        "_unit_level": "学校",
        "_period_label": "2025年第一季度",
        "_period": "2025Q1",
        "_deadline": "2025年4月10日",
    }
    assert [c.value for c in ws[9]] == ["序号", "指标", "单位", "填报值", "说明", "指标代码"]
    ids = id_rows(ws)
    expected = [i.id for i in FORM.input_indicators_for_level("school")]
    assert list(ids) == expected
    assert "staff_total" in ids and "membership_rate" not in ids  # derived: never entered
    assert "units_standardised" not in ids and "inspections" not in ids
    sections = [ws.cell(row=r, column=1).value for r in range(10, ws.max_row + 1)]
    headings = [s for s in sections if isinstance(s, str) and "、" in s]
    assert headings[0] == "一、基本情况"
    assert headings[-1] == "八、自身建设"
    row = ids["care_funds"]
    assert ws.cell(row=row, column=2).value == "发放慰问金、帮扶金"
    assert ws.cell(row=row, column=3).value == "元"
    note = ws.cell(row=ids["female_staff"], column=5).value
    assert "不大于“在职教职工数”" in note
    assert ws.cell(row=ids["staff_total"], column=5).value.startswith("必填")
    # merged section headings, a merged title
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A1:F1" in merged and "A10:E10" in merged


@pytest.mark.parametrize("unit", [TOWNSHIP, COUNTY])
def test_township_and_county_templates_have_no_profile_and_add_their_own(
    tmp_path: Path, unit: UnitInfo
) -> None:
    ws = openpyxl.load_workbook(make(tmp_path, unit))["报表"]
    ids = id_rows(ws)
    assert list(ids) == [i.id for i in FORM.input_indicators_for_level(unit.level)]
    assert "units_standardised" in ids and "inspections" in ids
    assert "staff_total" not in ids
    texts = [ws.cell(row=r, column=1).value for r in range(10, ws.max_row + 1)]
    assert not any(isinstance(t, str) and "基本情况" in t for t in texts)
    assert texts[0] == "一、送温暖帮扶"  # sections renumber from 一
    assert ws["D4"].value == LEVEL_NAMES[unit.level]


# --- input checks, protection, formats ---------------------------------------------------


def test_input_cells_have_validations_with_chinese_messages(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(make(tmp_path))["报表"]
    ids = id_rows(ws)

    dv = validation_for(ws, f"D{ids['staff_total']}")
    # "between" is the default operator, so the file leaves it out
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", None, "0", "1000000000")
    assert dv.showInputMessage and dv.promptTitle == "在职教职工数"
    assert "整数" in dv.prompt and "空着表示未填报" in dv.prompt
    assert dv.errorStyle in (None, "stop") and dv.showErrorMessage

    dv = validation_for(ws, f"D{ids['care_funds']}")
    assert (dv.type, dv.formula1) == ("decimal", "0")
    assert "两位小数" in dv.prompt and "元" in dv.prompt

    dv = validation_for(ws, f"D{ids['has_women_committee']}")
    assert (dv.type, dv.formula1) == ("list", '"是,否"')

    dv = validation_for(ws, f"D{ids['staff_home_level']}")
    assert (dv.type, dv.formula1) == ("list", '"无,合格,先进,模范"')


def test_register_sheets_have_ids_and_drop_downs(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(make(tmp_path))
    for reg in FORM.registers:
        ws = wb[reg.name]
        assert [c.value for c in ws[3]] == [c.id for c in reg.columns]
        labels = [c.value for c in ws[2]]
        assert [lbl.removesuffix("（必填）") for lbl in labels] == [c.label for c in reg.columns]
        assert ws.freeze_panes == "A4"
    awards = wb["获奖情况"]
    dv = validation_for(awards, "D4")  # level
    assert (dv.type, dv.formula1) == ("list", '"国家,省,市,县,乡镇"')
    assert "D203" in dv.sqref and "D204" not in dv.sqref  # 200 input rows
    assert validation_for(awards, "A50").formula1 == '"单位,集体,个人"'
    assert validation_for(awards, "F4").formula1 == '"' + ",".join(map(str, range(1, 13))) + '"'
    category = validation_for(awards, "G4").formula1
    assert category == '"' + ",".join(FORM.category_names()) + '"'
    events = wb["主要活动"]
    assert validation_for(events, "D4").formula1 == '"主办,参加"'
    assert validation_for(events, "E4").type == "whole"
    plan = wb["下半年工作计划"]
    ind = validation_for(plan, "C4")
    assert ind.type == "list" and ind.formula1.startswith("'_lists'!$A$2:$A$")
    listed = [c.value for c in wb["_lists"]["A"][1:]]
    assert listed == [i.label for i in xt.list_indicators(FORM, "school")]
    assert "入会率" not in listed and "建立女工委员会" not in listed  # numeric inputs only
    assert validation_for(plan, "D4").type == "decimal"
    text = validation_for(wb["工作亮点"], "B4")
    assert (text.type, text.operator, text.formula1) == ("textLength", "lessThanOrEqual", "500")


def test_sheets_are_protected_without_password_labels_locked_inputs_open(
    tmp_path: Path,
) -> None:
    wb = openpyxl.load_workbook(make(tmp_path))
    for name in wb.sheetnames:
        prot = wb[name].protection
        assert prot.sheet, name
        assert not prot.password, name
    ws = wb["报表"]
    ids = id_rows(ws)
    row = ids["staff_total"]
    assert ws.cell(row=row, column=2).protection.locked  # label
    assert ws.cell(row=row, column=6).protection.locked  # id
    assert ws["D3"].protection.locked  # the unit code shown
    assert not ws.cell(row=row, column=4).protection.locked  # input
    assert ws.cell(row=row, column=4).number_format == "0"
    assert ws.cell(row=ids["care_funds"], column=4).number_format == "0.00"
    assert ws.cell(row=ids["has_women_committee"], column=4).number_format == "@"
    # register sheets let people insert rows (their column formats: see the next test)
    assert wb["获奖情况"].protection.insertRows is False  # False = inserting is allowed


def test_register_columns_are_unlocked_text_formatted_in_the_xml(tmp_path: Path) -> None:
    """openpyxl does not resolve column styles onto empty cells; read the XML."""
    path = make(tmp_path)
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet2.xml").decode()
        styles = zf.read("xl/styles.xml").decode()
    cols = re.findall(r'<col min="(\d+)" max="(\d+)" width="[\d.]+" style="(\d+)"', sheet)
    assert sum(int(hi) - int(lo) + 1 for lo, hi, _ in cols) == 7  # equal neighbours merge
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
    assert xfs
    xf_list = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", xfs.group(1), re.S)
    for _, _, style in cols:
        assert 'locked="0"' in xf_list[int(style)]


# --- metadata and instructions ----------------------------------------------------------


def test_metadata_sheet_is_hidden_and_complete(tmp_path: Path) -> None:
    when = datetime(2025, 3, 20, 9, 30)
    wb = openpyxl.load_workbook(make(tmp_path, template_id="tpl-123", generated_at=when))
    meta = wb["_meta"]
    assert meta.sheet_state == "hidden"
    assert wb["_lists"].sheet_state == "hidden"
    assert (meta["A1"].value, meta["B1"].value) == ("key", "value")
    pairs = {
        meta.cell(row=r, column=1).value: meta.cell(row=r, column=2).value for r in range(2, 16)
    }
    assert pairs == {
        "template_format": "1",
        "form_id": "edu-union-quarterly",
        "form_version": "1",
        "form_title": "教育工会工作季度报表",
        "unit_code": "S001",
        "unit_name": "城关第一小学",
        "unit_level": "school",
        "unit_level_name": "学校",
        "period": "2025Q1",
        "period_label": "2025年第一季度",
        "deadline": "2025-04-10",
        "template_id": "tpl-123",
        "generated_at": "2025-03-20T09:30:00",
        "generator": pairs["generator"],
    }
    assert pairs["generator"].startswith("unionroll ")
    assert xt.meta_cell("unit_code") == "B6" and xt.meta_cell("period") == "B10"
    # every value is text, even numbers and a code with leading zeros
    assert all(isinstance(v, str) for v in pairs.values())


def test_template_ids_are_unique_by_default(tmp_path: Path) -> None:
    a = openpyxl.load_workbook(make(tmp_path))["_meta"]["B13"].value
    b = openpyxl.load_workbook(make(tmp_path))["_meta"]["B13"].value
    assert a and b and a != b


def test_instructions_sheet_says_how_to_fill_in(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(make(tmp_path))["填表说明"]
    text = "\n".join(str(c.value) for c in ws["A"] if c.value)
    for phrase in (
        "城关第一小学",
        "空着不填表示“未填报”，不等于 0",
        "单位是“元”",
        "不要修改工作表的名称",
        "2025年4月10日",
        "报送某某县教育工会",
        ".xlsx",
        "获奖类型（必填）",
    ):
        assert phrase in text, phrase


def test_user_text_is_never_a_formula(tmp_path: Path) -> None:
    unit = UnitInfo(code="0012", name='=HYPERLINK("http://x","点我")', level="school")
    path = make(tmp_path, unit, county_name="=1+1")
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in zf.read(name).decode(), name
    wb = openpyxl.load_workbook(path)
    assert wb["报表"]["D2"].value == '=HYPERLINK("http://x","点我")'
    assert wb["报表"]["D2"].data_type == "s"
    assert wb["报表"]["D3"].value == "0012"  # a code keeps its leading zeros
    assert wb["_meta"]["B6"].value == "0012"


def test_long_choice_lists_go_to_the_lists_sheet(tmp_path: Path) -> None:
    raw = dict(FORM.raw)
    raw["sections"] = [dict(s) for s in FORM.raw["sections"]]
    raw["sections"][1] = dict(raw["sections"][1])
    options = [f"选项{i:02d}，含逗号" for i in range(40)]
    raw["sections"][1]["indicators"] = [
        *raw["sections"][1]["indicators"],
        {
            "id": "many",
            "label": "很多选项",
            "unit": "",
            "type": "choice",
            "agg": "choice",
            "options": options,
        },
    ]
    from unionroll.core.forms import parse_form

    form = parse_form(raw)
    path = xt.write_template(
        tmp_path / "x.xlsx", form=form, unit=SCHOOL, period=PERIOD, level_name="学校"
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["报表"]
    dv = validation_for(ws, f"D{id_rows(ws)['many']}")
    assert dv.formula1 == "'_lists'!$A$2:$A$41"  # the data sheet is written first
    assert [c.value for c in wb["_lists"]["A"][1:] if c.value] == options
    plan = validation_for(wb["下半年工作计划"], "C4")
    assert plan.formula1.startswith("'_lists'!$B$2:$B$")


# --- many templates ---------------------------------------------------------------------


def _units(n: int) -> list[UnitInfo]:
    return [
        UnitInfo(code=f"S{i:04d}", name=f"第{i}小学/分校:*?", level="school", parent_code="T01")
        for i in range(n)
    ]


@pytest.mark.parametrize(("count", "workers"), [(3, None), (45, 2)])
def test_write_templates_for_many_units(tmp_path: Path, count: int, workers: int | None) -> None:
    seen: list[str] = []
    paths = xt.write_templates(
        tmp_path / "out",
        _units(count),
        form=FORM,
        period=PERIOD,
        level_names=LEVEL_NAMES,
        county_name="某某县教育工会",
        workers=workers,
        on_written=lambda unit, path: seen.append(unit.code),
    )
    assert len(paths) == count and len(set(paths)) == count
    assert sorted(seen) == sorted(u.code for u in _units(count))
    assert paths[1].name == "2025Q1_S0001_第1小学分校.xlsx"  # unsafe characters dropped
    form = FORM
    ctx = ReadContext(form=form, forms={form.name: form})
    ids = set()
    for unit, path in zip(_units(count), paths, strict=True):
        [data] = XlsxReturnAdapter().read(path, ctx)
        assert (data.unit_code, data.period, data.values) == (unit.code, "2025Q1", [])
        ids.add(data.template_id)
    assert len(ids) == count


def test_template_filename() -> None:
    assert xt.template_filename(SCHOOL, PERIOD) == "2025Q1_S001_城关第一小学.xlsx"
    odd = UnitInfo(code="A/B 1", name="  ..", level="school")
    assert xt.template_filename(odd, PERIOD) == "2025Q1_A_B_1.xlsx"


def test_one_template_is_written_quickly(tmp_path: Path) -> None:
    make(tmp_path)  # warm up imports and the instructions template
    start = time.perf_counter()
    for _ in range(5):
        make(tmp_path)
    assert (time.perf_counter() - start) / 5 < 3.0  # a tenth of a second; a guard, not a timing


# --- LibreOffice ------------------------------------------------------------------------


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_and_resaves_the_template(tmp_path: Path) -> None:
    src = make(tmp_path)
    pdf = soffice_convert(tmp_path, src, "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    resaved = soffice_convert(tmp_path, src, "xlsx:Calc MS Excel 2007 XML")
    wb = openpyxl.load_workbook(resaved)
    assert wb.sheetnames == openpyxl.load_workbook(src).sheetnames
    assert wb["_meta"].sheet_state == "hidden"
    ws = wb["报表"]
    assert id_rows(ws) == id_rows(openpyxl.load_workbook(src)["报表"])
    dv = validation_for(ws, f"D{id_rows(ws)['has_women_committee']}")
    assert dv.type == "list"
    form = FORM
    [data] = XlsxReturnAdapter().read(resaved, ReadContext(form=form, forms={form.name: form}))
    assert (data.unit_code, data.period, data.values, data.findings) == ("S001", "2025Q1", [], [])


def test_unwritable_path_is_a_user_error(tmp_path: Path) -> None:
    from unionroll.core.errors import UnionrollError

    with pytest.raises(UnionrollError) as info:
        make(tmp_path / "no such folder")
    assert "无法写入模板文件" in info.value.message and "请先关闭" in info.value.message


def test_cell_names_are_xlsxwriters() -> None:
    from xlsxwriter.utility import xl_rowcol_to_cell

    for row in (0, 1, 9, 99, 1_048_575):
        for col in [*range(800), 16_383]:
            assert xt.cell_name(row, col) == xl_rowcol_to_cell(row, col)
