"""The ``xlsx-return`` adapter, on real workbooks: templates written by unionroll, filled
with openpyxl from the documented layout only, re-saved by LibreOffice, and broken in every
way people (and attackers) break them."""

from __future__ import annotations

import io
import re
import shutil
import struct
import time
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from office import SOFFICE, soffice_convert

from unionroll.adapters import xlsx_safety
from unionroll.adapters import xlsx_template as xt
from unionroll.adapters.xlsx_return import XlsxReturnAdapter
from unionroll.core.contracts import ReadContext
from unionroll.core.errors import SourceError
from unionroll.core.model import Location, ReturnData, UnitInfo
from unionroll.core.periods import Period
from unionroll.core.plugins import create_plugin_manager, registered_adapters
from unionroll.forms.builtin import standard_form

FORM = standard_form()
PERIOD = Period.parse("2025Q1")
SCHOOL = UnitInfo(code="S001", name="城关第一小学", level="school", parent_code="T01")
ADAPTER = XlsxReturnAdapter()


@pytest.fixture
def context() -> ReadContext:
    return ReadContext(form=FORM, forms={FORM.name: FORM})


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return make_template(tmp_path / "template.xlsx")


def make_template(path: Path, unit: UnitInfo = SCHOOL) -> Path:
    level = {"school": "学校", "township": "学区", "county": "县"}[unit.level]
    return xt.write_template(
        path, form=FORM, unit=unit, period=PERIOD, level_name=level, template_id="tpl-1"
    )


def read_one(path: Path, context: ReadContext, display: str | None = None) -> ReturnData:
    context.display_name = display or path.name
    datas = ADAPTER.read(path, context)
    assert len(datas) == 1
    return datas[0]


def read_error(path: Path, context: ReadContext) -> SourceError:
    context.display_name = path.name
    with pytest.raises(SourceError) as info:
        ADAPTER.read(path, context)
    return info.value


def values_of(data: ReturnData) -> dict[str, Any]:
    return {v.indicator_id: v.raw for v in data.values}


def findings_of(data: ReturnData) -> list[tuple[str, str, str | None]]:
    return [(f.severity, f.code, f.location.cell if f.location else None) for f in data.findings]


def rewrite(path: Path, out: Path, edits: dict[str, Callable[[bytes], bytes] | None]) -> Path:
    """Copy a workbook, changing (or, with None, dropping) some of its zip members."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename in edits:
                fn = edits[info.filename]
                if fn is None:
                    continue
                data = fn(data)
            dst.writestr(info.filename, data)
    return out


def sheet_part(path: Path, sheet: str) -> str:
    info = xlsx_safety.check_file(path, path.name)
    return info.sheets[sheet]


def add_rows(xml: bytes, rows: str) -> bytes:
    return xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>")


# --- filling from the documented layout ---------------------------------------------------


def sample_value(ind: Any, n: int) -> Any:
    if ind.type == "int":
        return 10 + n
    if ind.type == "money":
        return 1000 + n + 0.5
    if ind.type == "decimal":
        return n + 0.25
    if ind.type == "bool":
        return "是" if n % 2 else "否"
    if ind.type == "choice":
        return ind.options[n % len(ind.options)]
    return f"文字{n}"


def sample_cell(col: Any, n: int) -> Any:
    sections = [s.name for s in FORM.sections]
    if col.type == "choice":
        return col.options[n % len(col.options)]
    if col.type == "category":
        return sections[n % len(sections)]
    if col.type == "month":
        return n % 12 + 1
    if col.type == "indicator":
        return xt.list_indicators(FORM, "school")[n].label
    if col.type in ("int", "number"):
        return 5 + n
    return f"{col.label}{n}：=不是公式"


def fill_documented(path: Path, out: Path, n_rows: int = 3) -> tuple[dict, dict]:
    """Fill every indicator and ``n_rows`` rows of every register using only what
    docs/return-format.md says: sheet names, the id in column F and the value in column D of
    报表, the ids in row 3 and data from row 4 of the register sheets."""
    wb = openpyxl.load_workbook(path)
    ws = wb["报表"]
    values: dict[str, Any] = {}
    n = 0
    for row in ws.iter_rows(min_row=10):  # below the column header row 9
        key = row[5].value
        if isinstance(key, str) and key and not key.startswith("_"):
            ind = FORM.indicator(key)
            values[key] = sample_value(ind, n)
            row[3].value = values[key]
            n += 1
    registers: dict[str, list[dict[str, Any]]] = {}
    for reg in FORM.registers:
        sheet = wb[reg.name]
        ids = [c.value for c in sheet[3]]
        registers[reg.id] = []
        for i in range(n_rows):
            item = {col.id: sample_cell(col, i) for col in reg.columns}
            for c, cid in enumerate(ids, start=1):
                if cid in item:
                    sheet.cell(row=4 + i, column=c, value=item[cid])
            registers[reg.id].append(item)
    wb.save(out)
    return values, registers


def check_round_trip(data: ReturnData, values: dict, registers: dict) -> None:
    assert values_of(data) == values
    assert {v.indicator_id for v in data.values} == {
        i.id for i in FORM.input_indicators_for_level("school")
    }
    by_reg: dict[str, list] = {}
    for row in data.registers:
        by_reg.setdefault(row.register, []).append(row)
    assert set(by_reg) == set(registers)
    for reg_id, items in registers.items():
        rows = by_reg[reg_id]
        assert [r.row_no for r in rows] == list(range(4, 4 + len(items)))
        for row, item in zip(rows, items, strict=True):
            expected = dict(item)
            if "indicator" in expected:  # the label chosen in the drop-down comes back as id
                expected["indicator"] = xt.list_indicators(FORM, "school")[row.row_no - 4].id
            assert row.cells == expected
            assert row.location == Location(
                file=data.source.name, sheet=FORM.register(reg_id).name, line=row.row_no
            )


def test_documented_layout_round_trip(tmp_path: Path, template: Path, context: ReadContext) -> None:
    filled = tmp_path / "filled.xlsx"
    values, registers = fill_documented(template, filled)
    data = read_one(filled, context)
    assert (data.unit_code, data.period, data.form_id, data.form_version) == (
        "S001",
        "2025Q1",
        "edu-union-quarterly",
        1,
    )
    assert data.adapter == "xlsx-return" and data.template_id == "tpl-1"
    assert data.source == filled and not data.consolidated
    assert data.unit_location == Location(file="filled.xlsx", sheet="_meta", cell="B6")
    assert data.period_location == Location(file="filled.xlsx", sheet="_meta", cell="B10")
    check_round_trip(data, values, registers)
    staff = next(v for v in data.values if v.indicator_id == "staff_total")
    assert staff.location == Location(file="filled.xlsx", sheet="报表", cell="D11")
    assert staff.formula is None
    assert data.findings == []


def test_the_adapter_is_a_registered_plugin() -> None:
    adapters = registered_adapters(create_plugin_manager(load_entry_points=False))
    assert isinstance(adapters["xlsx-return"], XlsxReturnAdapter)


def test_blank_is_not_zero_and_values_are_passed_raw(
    tmp_path: Path, template: Path, context: ReadContext
) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb["报表"]
    ws["D11"] = 0  # staff_total
    ws["D12"] = "  "  # female_staff: spaces only
    ws["D13"] = "约30人"  # members_total: text is passed on for validation to judge
    ws["D14"] = datetime(2025, 3, 1)  # retirees_total: a date where a number belongs
    wb["获奖情况"]["B5"] = "只填了一格"
    wb.save(tmp_path / "f.xlsx")
    data = read_one(tmp_path / "f.xlsx", context)
    assert values_of(data) == {
        "staff_total": 0,
        "members_total": "约30人",
        "retirees_total": date(2025, 3, 1),  # a date cell comes as a date, not a number
    }
    [row] = data.registers
    assert row.row_no == 5 and row.cells["holder"] == "只填了一格"
    assert row.cells["holder_type"] is None and row.cells["month"] is None


def test_inserted_rows_and_moved_columns_still_read_right(
    tmp_path: Path, template: Path, context: ReadContext
) -> None:
    filled = tmp_path / "filled.xlsx"
    values, registers = fill_documented(template, filled)
    wb = openpyxl.load_workbook(filled)
    ws = wb["报表"]
    ws.insert_rows(12, amount=3)  # rows inserted inside the table
    ws["B12"] = "自己加的说明行"
    ws.insert_cols(1)  # every column moves one to the right
    awards = wb["获奖情况"]
    awards.insert_cols(1, amount=2)  # columns moved right
    awards["A4"] = "备注"  # a column of the user's own, with no id: ignored
    # swap two columns (ids travel with their data)
    for r in range(2, 8):  # row 1 is the merged title
        a, b = awards.cell(row=r, column=3), awards.cell(row=r, column=4)
        a.value, b.value = b.value, a.value
    wb.save(filled)
    data = read_one(filled, context)
    assert values_of(data) == values
    staff = next(v for v in data.values if v.indicator_id == "staff_total")
    assert staff.location.cell == "E11"
    female = next(v for v in data.values if v.indicator_id == "female_staff")
    assert female.location.cell == "E15"
    check_round_trip_registers = [r for r in data.registers if r.register == "awards"]
    assert [r.cells for r in check_round_trip_registers] == registers["awards"]
    assert check_round_trip_registers[0].locations["holder_type"].cell == "D4"
    assert data.findings == []


def test_consolidated_flag_from_metadata(
    tmp_path: Path, template: Path, context: ReadContext
) -> None:
    wb = openpyxl.load_workbook(template)
    wb["_meta"].append(["consolidated", "是"])
    wb.save(tmp_path / "c.xlsx")
    assert read_one(tmp_path / "c.xlsx", context).consolidated


# --- sniffing -----------------------------------------------------------------------------


def test_sniff(tmp_path: Path, template: Path) -> None:
    def sniff(path: Path) -> bool:
        return ADAPTER.sniff(path, path.read_bytes()[:8192])

    assert sniff(template)
    plain = tmp_path / "data.bin"
    plain.write_bytes(template.read_bytes())  # an xlsx by content, whatever its name
    assert sniff(plain)
    (tmp_path / "r.json").write_text('{"unit": "S001"}', encoding="utf-8")
    assert not sniff(tmp_path / "r.json")
    (tmp_path / "r.csv").write_text("unit,period\n", encoding="utf-8")
    assert not sniff(tmp_path / "r.csv")
    (tmp_path / "fake.xlsx").write_text("not a workbook", encoding="utf-8")
    assert sniff(tmp_path / "fake.xlsx")  # claimed, so that read() says what it is
    other_zip = tmp_path / "a.zip"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("readme.txt", "x")
    assert not sniff(other_zip)
    ole = tmp_path / "old.xls"
    ole.write_bytes(xlsx_safety.OLE_MAGIC + bytes(504))
    assert sniff(ole)
    doc = tmp_path / "old.doc"
    doc.write_bytes(xlsx_safety.OLE_MAGIC + bytes(504))
    assert not sniff(doc)


# --- header and metadata checks -----------------------------------------------------------


def test_unit_code_shown_differs_from_metadata(
    tmp_path: Path, template: Path, context: ReadContext
) -> None:
    wb = openpyxl.load_workbook(template)
    wb["报表"]["D3"] = "S002"
    wb["报表"]["D2"] = "城关第二小学"
    wb.save(tmp_path / "copied.xlsx")
    data = read_one(tmp_path / "copied.xlsx", context)
    assert data.unit_code == "S001"  # the metadata is what counts
    assert findings_of(data) == [
        ("error", "unit_mismatch", "D3"),
        ("warning", "unit_name_mismatch", "D2"),
    ]
    msg = data.findings[0].message
    assert "“S002”（报表!D3）" in msg and "“S001”（隐藏工作表 _meta!B6）" in msg
    assert (data.findings[0].found, data.findings[0].expected) == ("S002", "S001")


def test_period_shown_differs_from_metadata(
    tmp_path: Path, template: Path, context: ReadContext
) -> None:
    wb = openpyxl.load_workbook(template)
    wb["报表"]["D6"] = "2025Q2"
    wb["报表"]["D5"] = "2025年第二季度"
    wb.save(tmp_path / "p.xlsx")
    data = read_one(tmp_path / "p.xlsx", context)
    assert findings_of(data) == [
        ("error", "period_mismatch", "D6"),
        ("error", "period_mismatch", "D5"),
    ]
    assert "“2025Q2”（报表!D6）" in data.findings[0].message
    assert "“2025Q1”（隐藏工作表 _meta!B10）" in data.findings[0].message
    # the same period written another way is no mismatch
    wb["报表"]["D6"] = "2025Q1"
    wb["报表"]["D5"] = "2025年一季度"
    wb.save(tmp_path / "p2.xlsx")
    assert read_one(tmp_path / "p2.xlsx", context).findings == []


def test_another_form_version_is_left_for_validation(
    tmp_path: Path, template: Path, context: ReadContext
) -> None:
    wb = openpyxl.load_workbook(template)
    wb["_meta"]["B4"] = "2"
    wb["报表"]["D11"] = 85
    wb.save(tmp_path / "v2.xlsx")
    data = read_one(tmp_path / "v2.xlsx", context)
    assert (data.form_id, data.form_version) == ("edu-union-quarterly", 2)
    assert values_of(data) == {"staff_total": 85}  # still read by id
    assert data.findings == []  # labels are not checked against a form it is not made from
    from unionroll.core.validation import validate

    checked = validate(
        data,
        form=FORM,
        forms=context.forms,
        units={"S001": SCHOOL},
        today=PERIOD.end,
    )
    assert not checked.accepted
    refused = next(f for f in checked.errors if f.code == "unknown_form_version")
    assert (refused.location.sheet, refused.location.cell) == ("_meta", "B4")


def test_label_edited(tmp_path: Path, template: Path, context: ReadContext) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb["报表"]
    ws["B11"] = "在职 教职工数"  # spaces do not count as an edit
    ws["B12"] = "女职工人数"  # female_staff, with a value: error
    ws["D12"] = 40
    ws["B13"] = "会员数"  # members_total, blank: warning
    ws["B14"] = "离退休教职工数".replace("数", "數")  # a different character, blank
    wb.save(tmp_path / "l.xlsx")
    data = read_one(tmp_path / "l.xlsx", context)
    assert findings_of(data) == [
        ("error", "label_changed", "B12"),
        ("warning", "label_changed", "B13"),
        ("warning", "label_changed", "B14"),
    ]
    first = data.findings[0]
    assert "“女职工人数”" in first.message and "“女教职工数”" in first.message
    assert first.indicator_id == "female_staff"
    assert values_of(data) == {"female_staff": 40}


def test_formula_without_cached_value(tmp_path: Path, template: Path, context: ReadContext) -> None:
    wb = openpyxl.load_workbook(template)
    wb["报表"]["D21"] = "=30+31"  # needy_staff_visited; openpyxl stores no cached value
    wb.save(tmp_path / "f.xlsx")
    data = read_one(tmp_path / "f.xlsx", context)
    [value] = data.values
    assert (value.indicator_id, value.raw, value.formula) == ("needy_staff_visited", None, "=30+31")


def test_formula_with_cached_value(tmp_path: Path, template: Path, context: ReadContext) -> None:
    part = sheet_part(template, "报表")
    reg_part = sheet_part(template, "获奖情况")

    def data_sheet(xml: bytes) -> bytes:
        cell = re.search(rb'<c r="D21" s="(\d+)"/>', xml)
        assert cell
        new = b'<c r="D21" s="' + cell.group(1) + b'"><f>SUM(30,31)&amp;""</f><v>61</v></c>'
        return xml.replace(cell.group(0), new)

    def awards(xml: bytes) -> bytes:
        return add_rows(
            xml,
            '<row r="4"><c r="A4" t="str"><f>"单"&amp;"位"</f><v>单位</v></c>'
            '<c r="B4" t="inlineStr"><is><t>城关一小</t></is></c></row>',
        )

    out = rewrite(template, tmp_path / "cached.xlsx", {part: data_sheet, reg_part: awards})
    data = read_one(out, context)
    [value] = data.values
    assert (value.raw, value.formula, value.location.cell) == (61, '=SUM(30,31)&""', "D21")
    [row] = data.registers
    assert row.cells["holder_type"] == "单位"
    assert findings_of(data) == [("warning", "formula", "A4")]
    assert '="单"&"位"' in data.findings[0].message


# --- files that are not (good) workbooks ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "code", "phrase"),
    [
        (
            "报表.xlsx",
            "这是一个文本文件".encode(),
            "not_xlsx",
            "其他格式的文件，虽然文件名是 .xlsx",
        ),
        ("报表.xlsx", b"%PDF-1.7\n%...", "not_xlsx", "而是PDF 文件"),
        ("报表.xlsx", b"<html><body>export</body></html>", "not_xlsx", "网页（HTML）文件"),
        ("报表.xlsx", b"", "empty", "文件是空的"),
        (
            "报表.xls",
            xlsx_safety.OLE_MAGIC + bytes(1024),
            "old_xls",
            "请在 Excel/WPS 中另存为 .xlsx",
        ),
        ("报表.et", xlsx_safety.OLE_MAGIC + bytes(1024), "wps_et", "WPS 表格格式（.et）"),
        ("报表.xlsx", xlsx_safety.OLE_MAGIC + bytes(1024), "old_xls", "旧版 Excel 97-2003"),
    ],
)
def test_not_a_workbook(
    tmp_path: Path, context: ReadContext, name: str, content: bytes, code: str, phrase: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    err = read_error(path, context)
    assert err.code == code
    assert phrase in err.message, err.message
    assert err.location == Location(file=name)


def test_other_zip_formats(tmp_path: Path, context: ReadContext) -> None:
    cases = {
        "docx": (["word/document.xml"], "Word 文档"),
        "xlsb": (["xl/workbook.bin"], ".xlsb"),
        "ods": (["mimetype", "content.xml"], ".ods"),
        "zip": (["readme.txt"], "压缩文件，但不是 Excel 工作簿"),
    }
    for kind, (members, phrase) in cases.items():
        path = tmp_path / f"{kind}.xlsx"
        with zipfile.ZipFile(path, "w") as zf:
            for m in members:
                zf.writestr(m, "x")
        err = read_error(path, context)
        assert phrase in err.message, kind


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_real_xls_saved_by_libreoffice(
    tmp_path: Path, template: Path, context: ReadContext
) -> None:
    xls = soffice_convert(tmp_path, template, "xls")
    assert xls.read_bytes().startswith(xlsx_safety.OLE_MAGIC)
    err = read_error(xls, context)
    assert err.code == "old_xls" and "另存为 .xlsx" in err.message


def test_password_protected_workbook(tmp_path: Path, template: Path, context: ReadContext) -> None:
    # A workbook saved with an opening password, encrypted exactly as Excel and WPS do
    # (ECMA-376 agile encryption in an OLE container), by msoffcrypto-tool.
    ooxml = pytest.importorskip(
        "msoffcrypto.format.ooxml", reason="msoffcrypto-tool is a test dependency"
    )
    out = tmp_path / "加密.xlsx"
    with template.open("rb") as src, out.open("wb") as dst:
        ooxml.OOXMLFile(src).encrypt("密码123", dst)
    err = read_error(out, context)
    assert err.code == "encrypted"
    assert "设置了打开密码" in err.message and "取消" in err.message


def test_truncated_and_damaged_zip(tmp_path: Path, template: Path, context: ReadContext) -> None:
    blob = template.read_bytes()
    half = tmp_path / "half.xlsx"
    half.write_bytes(blob[: len(blob) // 2])
    err = read_error(half, context)
    assert err.code == "corrupt" and "损坏或不完整" in err.message
    # the end (central directory) intact, a member's data damaged: caught by its CRC
    info = zipfile.ZipFile(template).getinfo(sheet_part(template, "报表"))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(blob)
    for i in range(start + 100, start + 120):
        damaged[i] ^= 0x55
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(damaged))
    assert read_error(bad, context).code == "corrupt"


def test_metadata_sheet_deleted(tmp_path: Path, template: Path, context: ReadContext) -> None:
    wb = openpyxl.load_workbook(template)
    del wb["_meta"]
    wb.save(tmp_path / "nometa.xlsx")
    err = read_error(tmp_path / "nometa.xlsx", context)
    assert err.code == "meta_missing"
    assert "“_meta”" in err.message and "重新下载本单位的报表模板" in err.message


def test_metadata_incomplete(tmp_path: Path, template: Path, context: ReadContext) -> None:
    wb = openpyxl.load_workbook(template)
    wb["_meta"]["A6"] = "unit"  # unit_code's key edited
    wb.save(tmp_path / "m.xlsx")
    err = read_error(tmp_path / "m.xlsx", context)
    assert err.code == "meta_incomplete" and "unit_code" in err.message


def test_newer_template_format(tmp_path: Path, template: Path, context: ReadContext) -> None:
    wb = openpyxl.load_workbook(template)
    wb["_meta"]["B2"] = "99"
    wb.save(tmp_path / "new.xlsx")
    err = read_error(tmp_path / "new.xlsx", context)
    assert err.code == "template_too_new" and "请升级 unionroll" in err.message


def test_data_sheet_renamed(tmp_path: Path, template: Path, context: ReadContext) -> None:
    wb = openpyxl.load_workbook(template)
    wb["报表"].title = "城关一小报表"
    wb.save(tmp_path / "renamed.xlsx")
    err = read_error(tmp_path / "renamed.xlsx", context)
    assert err.code == "data_sheet_missing"
    assert "找不到工作表“报表”" in err.message and "“城关一小报表”" in err.message
    assert "_meta" not in err.message


def test_register_sheet_deleted_or_without_ids(
    tmp_path: Path, template: Path, context: ReadContext
) -> None:
    wb = openpyxl.load_workbook(template)
    del wb["存在问题"]
    wb["工作亮点"].delete_rows(3)  # the id row
    wb["工作亮点"]["A3"] = "文体活动"
    wb["获奖情况"].delete_cols(5)  # 授予单位
    wb.save(tmp_path / "r.xlsx")
    data = read_one(tmp_path / "r.xlsx", context)
    assert [(f.severity, f.code, f.location.sheet) for f in data.findings] == [
        ("warning", "register_column_missing", "获奖情况"),
        ("error", "register_ids_missing", "工作亮点"),
        ("warning", "register_sheet_missing", None),
    ]
    assert "授予单位" in data.findings[0].message
    assert "存在问题" in data.findings[2].message


def test_file_name_with_spaces_and_chinese(tmp_path: Path, context: ReadContext) -> None:
    folder = tmp_path / "二〇二五 一季度 报表"
    folder.mkdir()
    path = make_template(folder / "城关 第一小学（2025年 一季度）.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["报表"]["D11"] = 85
    wb.save(path)
    assert ADAPTER.sniff(path, path.read_bytes()[:8192])
    data = read_one(path, context, display="城关 第一小学（2025年 一季度）.xlsx")
    assert values_of(data) == {"staff_total": 85}
    assert data.values[0].location.file == "城关 第一小学（2025年 一季度）.xlsx"


# --- hostile files --------------------------------------------------------------------------


def _timed_error(path: Path, context: ReadContext) -> SourceError:
    start = time.perf_counter()
    err = read_error(path, context)
    # Refused before anything is unpacked: seconds would mean the bomb went off.
    assert time.perf_counter() - start < 5.0
    return err


def test_zip_bomb_by_ratio(tmp_path: Path, template: Path, context: ReadContext) -> None:
    out = tmp_path / "bomb.xlsx"
    shutil.copy(template, out)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/image1.png", bytes(8 * 1024 * 1024))  # 8 MB of zeros, ~8 KB packed
    err = _timed_error(out, context)
    assert err.code == "hostile" and "压缩炸弹" in err.message


def test_zip_bomb_in_total(tmp_path: Path, template: Path, context: ReadContext) -> None:
    out = tmp_path / "bomb.xlsx"
    shutil.copy(template, out)
    chunk = bytes(range(256)) * 4096 * 6  # 6 MB that packs only ~40:1, under the ratio limit
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
        for i in range(9):
            zf.writestr(f"xl/media/image{i}.png", chunk)
    err = _timed_error(out, context)
    assert err.code == "hostile" and "压缩炸弹" in err.message


def test_member_inflating_past_its_declared_size(
    tmp_path: Path, template: Path, context: ReadContext
) -> None:
    part = sheet_part(template, "获奖情况")
    out = rewrite(template, tmp_path / "liar.xlsx", {part: lambda x: x + b" " * 3_000_000})
    blob = bytearray(out.read_bytes())
    info = zipfile.ZipFile(out).getinfo(part)
    # claim 1,000 bytes unpacked, in the central directory and the local header
    cd = blob.rfind(b"PK\x01\x02" + blob[info.header_offset + 4 : info.header_offset + 6])
    cd = blob.find(b"PK\x01\x02")
    while cd != -1:
        (off,) = struct.unpack("<I", blob[cd + 42 : cd + 46])
        if off == info.header_offset:
            blob[cd + 24 : cd + 28] = struct.pack("<I", 1000)
        cd = blob.find(b"PK\x01\x02", cd + 4)
    blob[info.header_offset + 22 : info.header_offset + 26] = struct.pack("<I", 1000)
    liar = tmp_path / "liar2.xlsx"
    liar.write_bytes(bytes(blob))
    err = _timed_error(liar, context)
    assert err.code == "hostile"


def test_xml_entity_bomb(tmp_path: Path, template: Path, context: ReadContext) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 10)
        )
        + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"'
        ' uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    out = rewrite(
        template, tmp_path / "lol.xlsx", {"xl/sharedStrings.xml": lambda _: laughs.encode()}
    )
    err = _timed_error(out, context)
    assert err.code == "hostile" and "DTD" in err.message


_FAR = "超出报表的合理范围"
_MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_AREA = "已用区域过大"


@pytest.mark.parametrize(
    ("edit", "code", "phrase"),
    [
        # one cell at the far corner of the grid
        (
            lambda x: add_rows(x, '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
            "hostile",
            "（XFD1048576）",
        ),
        # the declared extent alone
        (
            lambda x: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', x),
            "hostile",
            "（A1:XFD1048576）",
        ),
        # within each bound, but a grid of 20 million cells
        (
            lambda x: add_rows(x, '<row r="99999"><c r="GR99999"><v>1</v></c></row>'),
            "hostile",
            _AREA,
        ),
        # cells without references, one after another
        (
            lambda x: add_rows(x, '<row r="300">' + "<c><v>1</v></c>" * 300 + "</row>"),
            "hostile",
            "第 300 行、第 201 列",
        ),
        # references spelled differently from every normal writer
        (
            lambda x: add_rows(x, '<row r="400"><c t="n" r = "ZZZ9"><v>1</v></c></row>'),
            "hostile",
            "第 9 行、第 18278 列",
        ),
        (
            lambda x: add_rows(x, "<row r='400'><c r='zz9'><v>1</v></c></row>"),
            "hostile",
            "第 9 行、第 702 列",
        ),
        # a second reference on one cell: the reader would take the last
        (
            lambda x: add_rows(x, '<row r="5"><c r="B5"\tr="XFD1048576"><v>1</v></c></row>'),
            "hostile",
            "（XFD1048576）",
        ),
        (
            lambda x: add_rows(x, '<row r="5"><c r="B5"\nr="XFD1048576"><v>1</v></c></row>'),
            "hostile",
            "（XFD1048576）",
        ),
        (
            lambda x: add_rows(x, '<row r="5"><c r="B5"\r\nr="XFD1048576"><v>1</v></c></row>'),
            "hostile",
            "（XFD1048576）",
        ),
        (
            lambda x: add_rows(x, '<row r="5"><c r="B5" r = "XFD1048576"><v>1</v></c></row>'),
            "corrupt",  # not well-formed XML
            "损坏",
        ),
        # a namespace prefix, and cells without references
        (
            lambda x: add_rows(
                x, '<x:row xmlns:x="urn:x" r="401">' + "<x:c><x:v>1</x:v></x:c>" * 250 + "</x:row>"
            ),
            "hostile",
            "第 401 行、第 201 列",
        ),
        # a far cell in a cell table that is never closed (the sheet cut short)
        (
            lambda x: x.replace(
                b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
            ),
            "hostile",
            "（XFD1048576）",
        ),
        # a second cell table after the first, with a far cell
        (
            lambda x: (
                add_rows(x, "")
                + b'<sheetData><row r="9"><c r="XFD9"><v>1</v></c></row></sheetData>'
            ),
            "hostile",
            "（XFD9）",
        ),
        # the cell table's tags with a prefix, the closing one with a space
        (
            lambda x: (
                x.replace(b"<sheetData>", b'<y:sheetData xmlns:y="' + _MAIN_NS + b'">')
                .replace(
                    b"<sheetData/>", b'<y:sheetData xmlns:y="' + _MAIN_NS + b'"></y:sheetData>'
                )
                .replace(
                    b"</sheetData>",
                    b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></y:sheetData >',
                )
            ),
            "hostile",
            "（XFD1048576）",
        ),
    ],
    ids=[
        "far-cell",
        "dimension",
        "huge-area",
        "unnamed-cells",
        "spaced-attribute",
        "lowercase-quoted",
        "second-ref-after-tab",
        "second-ref-after-line-break",
        "second-ref-after-crlf",
        "second-ref-spaced",
        "prefixed",
        "unclosed-cell-table",
        "second-cell-table",
        "closing-tag-spelled-otherwise",
    ],
)
def test_absurd_cell_coordinates(
    tmp_path: Path,
    template: Path,
    context: ReadContext,
    edit: Callable[[bytes], bytes],
    code: str,
    phrase: str,
) -> None:
    part = sheet_part(template, "工作亮点")
    out = rewrite(template, tmp_path / "far.xlsx", {part: edit})
    err = _timed_error(out, context)
    assert (err.code, phrase in err.message) == (code, True), err.message
    if code == "hostile":
        assert _FAR in err.message or _AREA in err.message
        assert err.location.sheet == "工作亮点"


def test_what_follows_the_cell_table_does_not_bound_the_grid(
    tmp_path: Path, template: Path, context: ReadContext
) -> None:
    """A reader takes cells only from <sheetData>: what a sheet holds after it (here an
    element of another program's with reference-like attributes) is not taken for cells,
    while the same inside the cell table is refused."""
    part = sheet_part(template, "工作亮点")
    after = b'<extLst><ext uri="urn:x"><x r="XFD1048576"/><row r="1048576"/></ext></extLst>'

    def outside(xml: bytes) -> bytes:
        return xml.replace(b"</worksheet>", after + b"</worksheet>")

    data = read_one(rewrite(template, tmp_path / "after.xlsx", {part: outside}), context)
    assert data.registers == []

    def inside(xml: bytes) -> bytes:
        return add_rows(xml, '<row r="1048576"><c r="XFD1048576"/></row>')

    err = read_error(rewrite(template, tmp_path / "inside.xlsx", {part: inside}), context)
    assert err.code == "hostile" and "XFD1048576" in err.message


def test_sheets_with_line_breaks_between_elements_read_the_same(
    tmp_path: Path, template: Path, context: ReadContext
) -> None:
    filled = tmp_path / "filled.xlsx"
    values, registers = fill_documented(template, filled)
    with zipfile.ZipFile(filled) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
    # as a writer that indents its XML would put them: before each opening tag
    broken = {name: lambda x: re.sub(rb">(<[^/])", rb">\r\n\t\1", x) for name in sheets}
    out = rewrite(filled, tmp_path / "broken.xlsx", broken)
    check_round_trip(read_one(out, context), values, registers)


def test_a_few_unnamed_cells_are_fine(tmp_path: Path, template: Path, context: ReadContext) -> None:
    part = sheet_part(template, "工作亮点")
    row = (
        '<row r="4"><c r="A4" t="inlineStr"><is><t>文体活动</t></is></c>'
        '<c t="inlineStr"><is><t>好</t></is></c></row>'  # the second cell has no reference
    )
    out = rewrite(template, tmp_path / "ok.xlsx", {part: lambda x: add_rows(x, row)})
    data = read_one(out, context)
    assert [r.cells for r in data.registers] == [{"category": "文体活动", "text": "好"}]


def test_duplicate_member_names_are_refused(
    tmp_path: Path, template: Path, context: ReadContext
) -> None:
    out = tmp_path / "dup.xlsx"
    shutil.copy(template, out)
    with pytest.warns(UserWarning), zipfile.ZipFile(out, "a") as zf:
        zf.writestr(sheet_part(template, "报表"), "<worksheet/>")
    assert read_error(out, context).code == "hostile"


def test_ten_thousand_row_register(tmp_path: Path, template: Path, context: ReadContext) -> None:
    part = sheet_part(template, "主要活动")
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>活动{r}</t></is></c>'
        f'<c r="B{r}" t="inlineStr"><is><t>文体活动</t></is></c>'
        f'<c r="C{r}"><v>{r % 12 + 1}</v></c><c r="E{r}"><v>{r}</v></c></row>'
        for r in range(4, 10_004)
    )
    out = rewrite(template, tmp_path / "big.xlsx", {part: lambda x: add_rows(x, rows)})
    start = time.perf_counter()
    data = read_one(out, context)
    elapsed = time.perf_counter() - start
    assert len(data.registers) == 10_000
    last = data.registers[-1]
    assert (last.row_no, last.cells) == (
        10_003,
        {
            "name": "活动10003",
            "category": "文体活动",
            "month": 10_003 % 12 + 1,
            "role": None,
            "participants": 10_003,
        },
    )
    assert elapsed < 30.0  # a guard against quadratic work, not a timing


def test_reading_is_fast(tmp_path: Path, template: Path, context: ReadContext) -> None:
    filled = tmp_path / "filled.xlsx"
    fill_documented(template, filled)
    read_one(filled, context)
    start = time.perf_counter()
    for _ in range(20):
        ADAPTER.read(filled, context)
    assert (time.perf_counter() - start) / 20 < 0.5  # a few ms; bench/ingest.py times it


def test_safety_limits_are_adjustable(template: Path) -> None:
    tight = xlsx_safety.Limits(max_entries=5)
    with pytest.raises(SourceError) as info:
        xlsx_safety.check_bytes(template.read_bytes(), "t.xlsx", limits=tight)
    assert info.value.code == "too_many_parts"
    ok = xlsx_safety.check_bytes(template.read_bytes(), "t.xlsx")
    assert ok.sheets["报表"] == "xl/worksheets/sheet1.xml"
    assert ok.formulas == {}


# --- LibreOffice --------------------------------------------------------------------------


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_resave_reads_identically(
    tmp_path: Path, template: Path, context: ReadContext
) -> None:
    filled = tmp_path / "filled.xlsx"
    values, registers = fill_documented(template, filled)
    wb = openpyxl.load_workbook(filled)
    wb["报表"]["D21"] = "=30+31"  # LibreOffice computes and stores the result
    wb.save(filled)
    values["needy_staff_visited"] = 61
    resaved = soffice_convert(tmp_path, filled, "xlsx:Calc MS Excel 2007 XML")
    assert resaved.read_bytes() != filled.read_bytes()
    data = read_one(resaved, context)
    check_round_trip(data, values, registers)
    visited = next(v for v in data.values if v.indicator_id == "needy_staff_visited")
    assert visited.formula == "=30+31"
    assert data.findings == []
    assert read_one(filled, context).template_id == data.template_id == "tpl-1"


def test_check_bytes_on_bytes_in_memory(template: Path) -> None:
    buf = io.BytesIO(template.read_bytes())
    info = xlsx_safety.check_bytes(buf.getvalue(), "mem.xlsx")
    assert set(info.sheets) >= {"报表", "_meta", "获奖情况"}
    assert info.extents["xl/worksheets/sheet1.xml"][1] == 6


def test_too_many_parts(tmp_path: Path, template: Path, context: ReadContext) -> None:
    out = tmp_path / "parts.xlsx"
    shutil.copy(template, out)
    with zipfile.ZipFile(out, "a") as zf:
        for i in range(600):
            zf.writestr(f"customXml/item{i}.xml", "<a/>")
    err = _timed_error(out, context)
    assert err.code == "too_many_parts" and "部件太多（618 个）" in err.message
    # a directory that claims 60,000 entries is refused before it is parsed
    blob = bytearray(template.read_bytes())
    eocd = blob.rfind(b"PK\x05\x06")
    blob[eocd + 8 : eocd + 12] = struct.pack("<HH", 60_000, 60_000)
    claims = tmp_path / "claims.xlsx"
    claims.write_bytes(bytes(blob))
    err = _timed_error(claims, context)
    assert err.code == "too_many_parts" and "60000" in err.message


def test_cell_count_limit_on_the_exact_path(template: Path) -> None:
    part = sheet_part(template, "工作亮点")
    cells = "<x:c/>" * 5
    rows = "".join(f'<x:row xmlns:x="urn:x" r="{r}">{cells}</x:row>' for r in range(4, 104))
    out = rewrite(template, template.with_name("many.xlsx"), {part: lambda x: add_rows(x, rows)})
    tight = xlsx_safety.Limits(max_cell_count=400)  # the data sheet has 372 cells
    with pytest.raises(SourceError) as info:
        xlsx_safety.check_bytes(out.read_bytes(), "many.xlsx", limits=tight)
    assert info.value.code == "hostile" and "单元格太多（401 个）" in info.value.message
    xlsx_safety.check_bytes(out.read_bytes(), "many.xlsx")  # within the default limits


@pytest.mark.parametrize("version", ["第二版", "inf", "nan"])
def test_unreadable_form_version(
    tmp_path: Path, template: Path, context: ReadContext, version: str
) -> None:
    wb = openpyxl.load_workbook(template)
    wb["_meta"]["B4"] = version
    wb.save(tmp_path / "v.xlsx")
    err = read_error(tmp_path / "v.xlsx", context)
    assert err.code == "meta_incomplete" and f"报表版本“{version}”无法识别" in err.message
    assert err.location == Location(file="v.xlsx", sheet="_meta", cell="B4")
