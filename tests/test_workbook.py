"""The rollup workbook: real returns ingested on SQLite and PostgreSQL, rolled up, written
as .xlsx and read back (python-calamine for values, openpyxl and the raw XML for formats,
cell types and charts), and opened in LibreOffice."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from office import SOFFICE, soffice_convert
from python_calamine import CalamineWorkbook

from unionroll.core import migrate, plugins
from unionroll.core.contracts import ReportOptions
from unionroll.core.errors import ConfigError, UsageError
from unionroll.core.ingest import IngestOptions, ingest_paths
from unionroll.core.rollup import rollup
from unionroll.core.rollup_types import RollupResult
from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace
from unionroll.plugins import workbook_write as workbook_mod
from unionroll.plugins.workbook import WorkbookReport
from unionroll.plugins.workbook_base import clean_text, display_width, sheet_name

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

UNITS = """code,name,level,parent_code
C,测试县教育工会,county,
T1,城关学区工会,township,C
T2,青石学区工会,township,C
S11,城关一小工会,school,T1
S12,城关二小工会,school,T1
S21,青石中学工会,school,T2
S22,青石小学工会,school,T2
"""

HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "+1",
    "@x",
    "-2\x07响铃",
]


def school(visited: int, trained: int, **extra: Any) -> dict[str, Any]:
    return {
        "staff_total": 80,
        "female_staff": 50,
        "members_total": 78,
        "needy_staff_visited": visited,
        "training_participants": trained,
        "care_funds": visited * 500,
        "proposals_collected": 10,
        "proposals_resolved": 9,
        "congress_held": "是",
        "staff_home_level": "先进",
        **extra,
    }


def write_return(folder: Path, unit: str, period: str, values: dict[str, Any], **regs: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{unit}-{period}.json"
    payload = {
        "form": "edu-union-quarterly",
        "form_version": 1,
        "unit": unit,
        "period": period,
        "values": values,
        **regs,
    }
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return path


def ingest(ws: Workspace, folder: Path, received: datetime) -> None:
    result = ingest_paths(
        ws, [folder], options=IngestOptions(received_at=received, today=date(2025, 11, 1))
    )
    statuses = [r.status for f in result.files for r in f.returns]
    assert statuses and all(s == "accepted" for s in statuses), result


def fill(ws: Workspace, tmp_path: Path) -> None:
    """A county with two townships of two schools each; returns for 2025H1 and a plan
    from 2024H2 with targets."""
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    import_units(ws, units)
    prev = tmp_path / "prev"
    write_return(
        prev,
        "C",
        "2024Q4",
        {"needy_staff_visited": 5},
        priorities=[
            {
                "category": "送温暖帮扶",
                "text": "走访慰问困难教职工不少于 100 人次",
                "indicator": "needy_staff_visited",
                "target": 100,
                "month": 12,
            },
            {
                "category": "建功立业与素质提升",
                "text": "参加培训 50 人次",
                "indicator": "training_participants",
                "target": 50,
            },
            {"category": "文体活动", "text": "=SUM(A1) 开展文体活动"},
        ],
    )
    ingest(ws, prev, datetime(2025, 1, 5, 9))
    now = tmp_path / "now"
    awards = [
        {
            "holder_type": "个人",
            "holder": HOSTILE[0],
            "title": "劳动模范",
            "level": "县级",
            "month": 3,
            "category": "建功立业与素质提升",
        },
        {
            "holder_type": "个人",
            "holder": HOSTILE[1],
            "title": "优秀教师",
            "level": "市级",
            "month": 2,
        },
        {
            "holder_type": "集体",
            "holder": HOSTILE[2],
            "title": "先进集体",
            "level": "国家级",
            "month": 1,
        },
        {
            "holder_type": "个人",
            "holder": HOSTILE[3],
            "title": "五一劳动奖章",
            "level": "省级",
            "month": 3,
        },
    ]
    write_return(
        now,
        "S11",
        "2025Q1",
        school(3, 20),
        awards=awards,
        events=[
            {
                "name": "=1+1 趣味运动会",
                "category": "文体活动",
                "month": 3,
                "role": "主办",
                "participants": 60,
            },
        ],
        highlights=[{"category": "送温暖帮扶", "text": "@走访全覆盖"}],
        priorities=[
            {
                "category": "送温暖帮扶",
                "text": "+走访困难教职工",
                "indicator": "needy_staff_visited",
                "target": 10,
                "month": 9,
            },
        ],
    )
    write_return(now, "S12", "2025Q1", school(2, 15))
    write_return(now, "S11", "2025Q2", school(4, 10))
    # the county reports the same award again: it is kept once, with both reporters
    write_return(
        now,
        "C",
        "2025Q1",
        {"needy_staff_visited": 40, "care_funds": 20000},
        awards=[{"holder_type": "个人", "holder": HOSTILE[0], "title": "劳动模范", "level": "县"}],
    )
    ingest(ws, now, datetime(2025, 4, 3, 9))
    late = tmp_path / "late"
    write_return(late, "S21", "2025Q1", school(5, 30, staff_home_level="模范"))
    ingest(ws, late, datetime(2025, 4, 20, 9))


@pytest.fixture
def rolled(workspace: Workspace, tmp_path: Path) -> RollupResult:
    fill(workspace, tmp_path)
    return rollup(workspace, "2025H1")


def render(result: RollupResult, out: Path, **options: Any) -> Path:
    opts = ReportOptions(formats=("xlsx",), title_prefix="测试县教育工会", **options)
    [path] = WorkbookReport().render(result, out, opts)
    return path


def read(path: Path) -> dict[str, list[list[Any]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def table(rows: list[list[Any]], first: str = "") -> tuple[list[Any], list[list[Any]]]:
    """The header row (the first whose first cell is ``first`` or that has a 单位代码 /
    分类 / 类别 heading) and the rows under it."""
    heads = (first,) if first else ("单位代码", "分类", "类别", "级别", "月份", "工作类别")
    for i, row in enumerate(rows):
        if row and row[0] in heads:
            body = []
            for r in rows[i + 1 :]:
                if not any(c not in ("", None) for c in r):
                    break
                body.append(r)
            return row, body
    raise AssertionError(f"no header in {rows[:6]}")


def by_key(header: list[Any], body: list[list[Any]], key: str) -> dict[Any, dict[Any, Any]]:
    col = header.index(key)
    return {r[col]: dict(zip(header, r, strict=False)) for r in body}


# --- the figures ------------------------------------------------------------------------


SHEETS = [
    "全县汇总",
    "按学区",
    "按学校",
    "报送情况",
    "未报及逾期名单",
    "审核情况",
    "获奖情况",
    "主要活动",
    "工作亮点",
    "存在问题",
    "下半年计划",
    "目标完成情况",
    "数据核查",
    "图表",
]


def test_file_name_sheets_and_no_part_file(rolled: RollupResult, tmp_path: Path) -> None:
    out = tmp_path / "out"
    path = render(rolled, out)
    assert path == out / "测试县教育工会2025年上半年汇总表.xlsx"
    assert [p.name for p in out.iterdir()] == [path.name]
    assert list(read(path)) == SHEETS


def test_county_total_equals_the_rollup(rolled: RollupResult, tmp_path: Path) -> None:
    rows = read(render(rolled, tmp_path))["全县汇总"]
    assert rows[0][0] == "测试县教育工会2025年上半年汇总表：全县汇总"
    assert rows[2][0] == rolled.completeness.summary_zh
    assert "实报 1 个" in rows[2][0] and "逾期报送 1 份" in rows[2][0]
    header, body = table(rows, "分类")
    assert header == [
        "分类",
        "指标",
        "单位",
        "汇总方式",
        "数值",
        "说明",
        "已报单位（个）",
        "应报单位（个）",
    ]
    got = by_key(header, body, "指标")
    form = rolled.form
    assert [r[1] for r in body] == [ind.label for ind in form.indicators]
    assert [r[0] for r in body] == [form.section(ind.section).name for ind in form.indicators]
    root = rolled.root
    for ind in form.indicators:
        fig = root.figure(ind.id)
        row = got[ind.label]
        assert (row["已报单位（个）"], row["应报单位（个）"]) == (fig.reported, fig.expected)
        if ind.agg in ("sum", "stock", "ratio") and fig.value is not None:
            assert row["数值"] == pytest.approx(fig.value), ind.id
    assert got["走访慰问困难教职工"]["数值"] == 3 + 2 + 4 + 5 + 40
    assert got["走访慰问困难教职工"]["汇总方式"] == "累计"
    assert got["发放慰问金、帮扶金"]["数值"] == 27_000
    assert got["在职教职工数"]["汇总方式"] == "期末数"
    assert got["在职教职工数"]["数值"] == 240  # the latest quarter of each school, not Q1+Q2
    assert got["入会率"]["数值"] == pytest.approx(234 / 240)
    assert got["入会率"]["说明"] == "工会会员数 234 人 / 在职教职工数 240 人"
    assert got["提案办结率"]["说明"] == "提案办结 36 件 / 征集提案 40 件"
    assert got["体检覆盖率"]["说明"] == "教职工体检 未填报 / 在职教职工数 240 人"
    assert got["召开教代会（教职工大会）"]["数值"] == 3
    assert got["召开教代会（教职工大会）"]["说明"] == "3 个单位（占 100%）"
    assert got["教工之家创建情况"]["数值"] == "先进 2、模范 1"
    assert got["建立女工委员会"]["说明"] == "没有单位填报"


def test_by_township_and_by_school(rolled: RollupResult, tmp_path: Path) -> None:
    sheets = read(render(rolled, tmp_path))
    header, body = table(sheets["按学区"])
    assert header[:2] == ["单位代码", "学区名称"] and header[-3:] == [
        "应报单位（个）",
        "实报单位（个）",
        "报送率",
    ]
    assert "走访慰问困难教职工（人次）" in header and "入会率（%）" in header
    assert "召开教代会（教职工大会）（个单位）" in header
    assert "教工之家创建情况" not in " ".join(header)  # choices are not one number
    rows = by_key(header, body, "单位代码")
    assert list(rows) == ["T1", "T2", "C"]
    for code in ("T1", "T2", "C"):
        node = rolled.node(code)
        row = rows[code]
        assert row["走访慰问困难教职工（人次）"] == node.figure("needy_staff_visited").value
        assert row["参加培训（人次）"] == node.figure("training_participants").value
        assert row["入会率（%）"] == pytest.approx(node.figure("membership_rate").value)
        assert row["应报单位（个）"] == node.completeness.expected
        assert row["报送率"] == pytest.approx(node.completeness.rate)
    assert rows["T1"]["走访慰问困难教职工（人次）"] == 9
    assert rows["C"]["学区名称"] == "测试县教育工会合计（含本级）"
    assert rows["T1"]["离退休教职工数（人）"] == ""  # nobody reported it: blank, not 0

    header, body = table(sheets["按学校"])
    assert header[:4] == ["单位代码", "学校名称", "所属学区", "报送情况"]
    rows = by_key(header, body, "单位代码")
    assert list(rows) == ["S11", "S12", "S21", "S22"]
    assert rows["S11"]["所属学区"] == "城关学区工会"
    assert rows["S11"]["报送情况"] == "已报"
    assert rows["S12"]["报送情况"] == "部分报送（缺第二季度）"
    assert rows["S21"]["报送情况"] == "部分报送（缺第二季度）（逾期 10 天）"
    assert rows["S22"]["报送情况"] == "未报"
    assert rows["S11"]["走访慰问困难教职工（人次）"] == 7
    assert rows["S11"]["召开教代会（教职工大会）（是/否）"] == "是"
    assert rows["S21"]["教工之家创建情况"] == "模范"
    assert rows["S22"]["走访慰问困难教职工（人次）"] == ""
    assert "督查、检查基层单位（个次）" not in header  # not asked of schools


def test_reporting_status_and_units_to_chase(rolled: RollupResult, tmp_path: Path) -> None:
    sheets = read(render(rolled, tmp_path))
    header, body = table(sheets["报送情况"])
    rows = by_key(header, body, "单位代码")
    assert [rows["T1"][k] for k in header[2:8]] == [3, 1, 1, 1, 0, 0]
    assert [rows["T2"][k] for k in header[2:8]] == [3, 0, 1, 2, 1, 0]
    total = rows["C"]
    c = rolled.completeness
    assert (total["应报单位（个）"], total["实报单位（个）"], total["未报（个）"]) == (
        c.expected,
        c.reported,
        len(c.missing),
    )
    header, body = table(sheets["未报及逾期名单"])
    assert header == ["类别", "所属学区", "单位代码", "单位名称", "说明"]
    listed = {(r[0], r[2]): r for r in body}
    assert set(listed) == {
        ("未报", "T1"),
        ("未报", "T2"),
        ("未报", "S22"),
        ("部分报送", "C"),
        ("部分报送", "S12"),
        ("部分报送", "S21"),
        ("逾期报送", "S21"),
    }
    assert listed[("未报", "S22")][1:4] == ["青石学区工会", "S22", "青石小学工会"]
    assert listed[("逾期报送", "S21")][4] == (
        "第一季度报表 2025-04-20 收到，截止日期 2025-04-10，逾期 10 天"
    )


def test_awards_events_plans_and_targets(rolled: RollupResult, tmp_path: Path) -> None:
    sheets = read(render(rolled, tmp_path))
    header, body = table(sheets["获奖情况"])
    assert header == [
        "级别",
        "获奖类型",
        "获奖单位或个人",
        "奖项或称号",
        "授予单位",
        "月份",
        "工作类别",
        "报送单位",
    ]
    assert [r[0] for r in body] == ["国家级", "省级", "市级", "县级"]  # 国家 → 乡镇
    assert [r[2] for r in body] == [HOSTILE[2], "-2响铃", HOSTILE[1], HOSTILE[0]]
    county_award = body[3]
    assert county_award[5:] == [3, "建功立业与素质提升", "测试县教育工会、城关一小工会"]
    assert "另有 1 条为不同单位重复报送的同一奖项" in sheets["获奖情况"][1][0]

    header, body = table(sheets["主要活动"])
    assert header == ["月份", "活动名称", "工作类别", "主办或参加", "参与人次", "报送单位"]
    assert body == [[3, "=1+1 趣味运动会", "文体活动", "主办", 60, "城关一小工会"]]

    header, body = table(sheets["下半年计划"])
    assert header == ["工作类别", "计划内容", "对应指标", "目标值", "完成月份", "报送单位"]
    assert body == [
        ["送温暖帮扶", "+走访困难教职工", "走访慰问困难教职工（人次）", 10, 9, "城关一小工会"]
    ]

    header, body = table(sheets["目标完成情况"])
    assert header == [
        "单位代码",
        "单位名称",
        "工作类别",
        "计划内容",
        "对应指标",
        "目标",
        "实际",
        "状态",
        "差距",
    ]
    assert [r[3:] for r in body] == [
        ["走访慰问困难教职工不少于 100 人次", "走访慰问困难教职工（人次）", 100, 54, "未完成", 46],
        ["参加培训 50 人次", "参加培训（人次）", 50, 75, "已完成", ""],
        ["=SUM(A1) 开展文体活动", "", "", "", "无法衡量（没有对应指标）", ""],
    ]
    checks = {t.text: t for t in rolled.targets}
    assert checks["参加培训 50 人次"].actual == 75
    assert ["", "", "", 1, "走访慰问困难教职工（人次）", 100, 54, "未完成", 46] in sheets[
        "目标完成情况"
    ]


# --- text stays text --------------------------------------------------------------------


def sheet_cells(path: Path, name: str) -> dict[str, tuple[str | None, bool, str]]:
    """Cell reference -> (t attribute, has a formula, text) straight from the sheet XML."""
    with zipfile.ZipFile(path) as zf:
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        rid = next(s.get(REL_NS) for s in book.iter(f"{{{NS['m']}}}sheet") if s.get("name") == name)
        part = "xl/" + targets[rid].lstrip("/").removeprefix("xl/")
        shared: list[str] = []
        if "xl/sharedStrings.xml" in zf.namelist():
            sst = ET.fromstring(zf.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in sst]
        sheet = ET.fromstring(zf.read(part))
    out = {}
    for c in sheet.iter(f"{{{NS['m']}}}c"):
        t = c.get("t")
        v = c.find("m:v", NS)
        if t == "s":
            text = shared[int(v.text)]
        elif t == "inlineStr":
            text = "".join(x.text or "" for x in c.iter(f"{{{NS['m']}}}t"))
        else:
            text = v.text if v is not None else ""
        out[c.get("r")] = (t, c.find("m:f", NS) is not None, text)
    return out


def assert_all_text(path: Path, wanted: dict[str, list[str]]) -> None:
    for sheet, texts in wanted.items():
        cells = sheet_cells(path, sheet)
        assert not any(f for _, f, _ in cells.values()), f"a formula in {sheet}"
        found = {text: t for t, _, text in cells.values()}
        for text in texts:
            assert found.get(text) in ("s", "inlineStr"), (sheet, text, found.get(text))


def test_text_from_returns_is_never_a_formula(rolled: RollupResult, tmp_path: Path) -> None:
    path = render(rolled, tmp_path)
    assert_all_text(
        path,
        {
            "获奖情况": [HOSTILE[0], "+1", "@x", "-2响铃"],
            "主要活动": ["=1+1 趣味运动会"],
            "工作亮点": ["@走访全覆盖"],
            "下半年计划": ["+走访困难教职工"],
            "目标完成情况": ["=SUM(A1) 开展文体活动"],
        },
    )
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name)
                assert b"\x07" not in zf.read(name)
            if name == "xl/sharedStrings.xml":
                assert b"\x07" not in zf.read(name)
    # and they carry the quote prefix, so editing the cell in Excel/WPS keeps it text
    ws = openpyxl.load_workbook(path)["获奖情况"]
    holders = {ws.cell(r, 3).value: ws.cell(r, 3) for r in range(5, ws.max_row + 1)}
    assert holders[HOSTILE[0]].quotePrefix and holders["+1"].quotePrefix
    assert holders["-2响铃"].data_type != "f"
    assert ws.cell(5, 4).quotePrefix is False  # 先进集体: ordinary text, no prefix


def test_streamed_workbook_for_large_rollups_is_the_same(
    rolled: RollupResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    normal = render(rolled, tmp_path / "normal")
    monkeypatch.setattr(workbook_mod, "CONSTANT_MEMORY_UNITS", 0)
    streamed = render(rolled, tmp_path / "streamed")
    a, b = read(normal), read(streamed)
    assert a == b
    cells = sheet_cells(streamed, "获奖情况")
    assert {t for t, _, text in cells.values() if text in HOSTILE[:3]} == {"inlineStr"}
    assert_all_text(streamed, {"获奖情况": HOSTILE[:3], "主要活动": ["=1+1 趣味运动会"]})
    wb = openpyxl.load_workbook(streamed)
    assert wb["按学区"].freeze_panes == "C5"


# --- layout, formats and charts ----------------------------------------------------------


def test_frozen_headers_filters_widths_and_number_formats(
    rolled: RollupResult, tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(render(rolled, tmp_path))
    total = wb["全县汇总"]
    assert total.freeze_panes == "C6"
    assert total.auto_filter.ref == f"A5:H{5 + len(rolled.form.indicators)}"
    assert total.print_title_rows == "$5:$5"
    rows = {total.cell(r, 2).value: r for r in range(6, total.max_row + 1)}
    assert total.cell(rows["走访慰问困难教职工"], 5).number_format == "#,##0"
    assert total.cell(rows["发放慰问金、帮扶金"], 5).number_format == "#,##0.00"
    assert total.cell(rows["入会率"], 5).number_format == "0.0%"
    assert total.cell(rows["走访慰问困难教职工"], 5).data_type == "n"
    assert total.column_dimensions["B"].width >= 20
    assert total["A1"].font.b and total["A5"].font.b

    town = wb["按学区"]
    assert town.freeze_panes == "C5"
    assert town.auto_filter.ref.startswith("A4:")
    assert town.auto_filter.ref.endswith("7")  # header, two townships and the total
    header = [c.value for c in town[4]]
    col = header.index("报送率") + 1
    assert town.cell(5, col).number_format == "0.0%"
    col = header.index("发放慰问金、帮扶金（元）") + 1
    assert town.cell(5, col).number_format == "#,##0.00"
    assert town.cell(7, 2).font.b  # the total row stands out
    for name in ("按学校", "报送情况", "未报及逾期名单", "获奖情况", "主要活动", "下半年计划"):
        ws = wb[name]
        assert ws.freeze_panes is not None and ws.auto_filter.ref, name
    assert wb["获奖情况"].cell(5, 6).number_format == '0"月"'


def test_native_charts_with_chinese_titles(rolled: RollupResult, tmp_path: Path) -> None:
    path = render(rolled, tmp_path)
    with zipfile.ZipFile(path) as zf:
        charts = sorted(n for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        xml = {n: zf.read(n).decode("utf-8") for n in charts}
    assert len(charts) == 4
    joined = "\n".join(xml.values())
    for title in (
        "各学区走访慰问困难教职工、参加培训",
        "各学区发放慰问金、帮扶金",
        "各学区报送率",
        "获奖情况（按级别）",
    ):
        assert title in joined
    assert "<c:barChart>" in joined and '<c:barDir val="bar"/>' in joined
    assert "<c:f>按学区!$B$5:$B$6</c:f>" in joined  # the townships, not the total row
    assert "<c:title>" in joined and ">学区<" in joined and ">人次<" in joined
    ws = openpyxl.load_workbook(path)["图表"]
    assert len(ws._charts) == 4  # openpyxl reads the drawings back too


def test_chart_setting_picks_indicators_and_rejects_unknown_ones(
    rolled: RollupResult, tmp_path: Path
) -> None:
    path = render(rolled, tmp_path / "ok", settings={"charts": [["proposals_collected"]]})
    with zipfile.ZipFile(path) as zf:
        joined = "".join(
            zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")
        )
    assert "各学区征集提案" in joined and "走访慰问" not in joined

    out = tmp_path / "bad"
    with pytest.raises(ConfigError) as info:
        render(rolled, out, settings={"charts": [["no_such_thing"]]})
    assert info.value.message == (
        "配置项 [reports.workbook] charts 中的指标“no_such_thing”不在报表中。"
        "可用 unionroll form show 查看全部指标。"
    )
    with pytest.raises(ConfigError) as info:
        render(rolled, out, settings={"charts": "needy_staff_visited"})
    assert info.value.message.startswith("配置项 [reports.workbook] charts 应为指标 id 列表的列表")
    with pytest.raises(ConfigError) as info:
        render(rolled, out, settings={"charts": [["staff_home_level"]]})
    assert info.value.message == (
        "配置项 [reports.workbook] charts 中的指标“staff_home_level”不是数值，不能画图。"
    )
    assert not out.exists() or not any(out.iterdir())


# --- other scopes, the contract, failures -------------------------------------------------


def test_township_rollup_lists_its_schools(workspace: Workspace, tmp_path: Path) -> None:
    fill(workspace, tmp_path)
    result = rollup(workspace, "2025H1", unit="T1")
    path = render(result, tmp_path / "out")
    assert path.name == "测试县教育工会城关学区工会2025年上半年汇总表.xlsx"
    sheets = read(path)
    assert "按学区" not in sheets and "全学区汇总" in sheets
    header, body = table(sheets["按学校"])
    assert header[2] == "上级单位"
    assert [r[:3] for r in body] == [
        ["S11", "城关一小工会", "城关学区工会"],
        ["S12", "城关二小工会", "城关学区工会"],
    ]
    header, body = table(sheets["全学区汇总"], "分类")
    got = by_key(header, body, "指标")
    assert got["走访慰问困难教职工"]["数值"] == 9
    with zipfile.ZipFile(path) as zf:  # the charts compare the schools instead
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3  # two by school and awards by level; no reporting-rate chart
    assert "各学校走访慰问困难教职工、参加培训" in charts[0]
    assert "<c:f>按学校!$B$5:$B$6</c:f>" in charts[0]


def test_depth_limited_rollup_has_no_per_school_sheet(workspace: Workspace, tmp_path: Path) -> None:
    fill(workspace, tmp_path)
    sheets = read(render(rollup(workspace, "2025Q1", depth=1), tmp_path / "out"))
    assert "按学校" not in sheets and "按学区" in sheets
    _, body = table(sheets["按学区"])
    assert [r[0] for r in body] == ["T1", "T2", "C"]


def test_registered_as_the_workbook_report() -> None:
    pm = plugins.create_plugin_manager(load_entry_points=False)
    report = plugins.registered_reports(pm)["workbook"]
    assert isinstance(report, WorkbookReport)
    assert (report.formats, report.default_formats) == (("xlsx",), ("xlsx",))
    assert report.description.startswith("汇总工作簿")


def test_unsupported_format_is_refused(rolled: RollupResult, tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        WorkbookReport().render(rolled, tmp_path, ReportOptions(formats=("pdf",)))
    assert info.value.message == "汇总工作簿不支持格式 pdf，只能生成 xlsx。"


def test_interrupted_run_leaves_the_old_workbook_alone(
    rolled: RollupResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = render(rolled, tmp_path)
    before = path.read_bytes()

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(workbook_mod, "write_chart_sheet", interrupted)
    with pytest.raises(KeyboardInterrupt):
        render(rolled, tmp_path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


def test_text_helpers() -> None:
    assert clean_text("a\x00b\x08c\x0bd\x1fe\tf\ng\ud800h\ufffe") == "abcde\tf\ngh"
    assert clean_text(None) == "" and clean_text(12) == "12"
    assert len(clean_text("字" * 40_000)) == 32_767
    assert display_width("走访ab") == 6
    assert sheet_name("按[学区]/乡镇:*?") == "按_学区__乡镇___"
    assert len(sheet_name("很" * 40)) == 31


# --- LibreOffice --------------------------------------------------------------------------


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_prints_and_resaves_it(
    sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    fill(sqlite_workspace, tmp_path)
    result = rollup(sqlite_workspace, "2025H1")
    src = render(result, tmp_path / "out")
    src = src.rename(src.with_name("wb.xlsx"))  # LibreOffice's output is named after it
    pdf = soffice_convert(tmp_path, src, "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    resaved = soffice_convert(tmp_path, src, "xlsx:Calc MS Excel 2007 XML")
    again = read(resaved)
    assert list(again) == SHEETS
    header, body = table(again["全县汇总"], "分类")
    got = by_key(header, body, "指标")
    assert got["走访慰问困难教职工"]["数值"] == 54
    assert got["入会率"]["数值"] == pytest.approx(234 / 240)
    header, body = table(again["获奖情况"])
    assert [r[2] for r in body] == [HOSTILE[2], "-2响铃", HOSTILE[1], HOSTILE[0]]
    with zipfile.ZipFile(resaved) as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())


def test_consolidated_return_overlaps_are_listed(workspace: Workspace, tmp_path: Path) -> None:
    fill(workspace, tmp_path)
    more = tmp_path / "more"
    write_return(more, "T2", "2025Q1", {"needy_staff_visited": 12}, consolidated=True)
    ingest(workspace, more, datetime(2025, 4, 5, 9))
    result = rollup(workspace, "2025H1")
    assert result.overlaps
    sheets = read(render(result, tmp_path / "out"))
    _, body = table(sheets["未报及逾期名单"])
    rows = {(r[0], r[2]): r for r in body}
    assert rows[("重复报送未计入", "S21")][4] == (
        "第一季度已由青石学区工会合并报送，本单位报表未计入"
    )
    header, body = table(sheets["报送情况"])
    t2 = by_key(header, body, "单位代码")["T2"]
    assert t2["由上级合并报送（个）"] == result.node("T2").completeness.covered > 0


PROVINCE_TOML = """\
[workspace]
name = "测试省教育工会"

[[levels]]
id = "province"
name = "省"

[[levels]]
id = "county"
name = "县"

[[levels]]
id = "township"
name = "学区"

[[levels]]
id = "school"
name = "学校"
"""


def test_four_levels_group_by_county_and_name_every_level_above_a_school(
    db_url: str, tmp_path: Path
) -> None:
    root = tmp_path / "prov"
    root.mkdir()
    (root / "unionroll.toml").write_text(PROVINCE_TOML, encoding="utf-8")
    ws = Workspace.open(root, db_url=db_url)
    try:
        migrate.upgrade(ws.engine)
        units = tmp_path / "units.csv"
        units.write_text(
            "code,name,level,parent_code\n"
            "P,测试省教育工会,province,\n"
            "C1,甲县教育工会,county,P\nC2,乙县教育工会,county,P\n"
            "T1,甲县城关学区,township,C1\nT2,乙县青石学区,township,C2\n"
            "S1,城关一小,school,T1\nS2,青石中学,school,T2\n",
            encoding="utf-8",
        )
        import_units(ws, units)
        folder = tmp_path / "in"
        write_return(folder, "S1", "2025Q1", school(3, 20))
        write_return(folder, "S2", "2025Q1", school(5, 30))
        ingest(ws, folder, datetime(2025, 4, 3, 9))
        result = rollup(ws, "2025Q1")
        sheets = read(render(result, tmp_path / "out"))
    finally:
        ws.close()
    assert list(sheets)[:3] == ["全省汇总", "按县", "按学校"]
    header, body = table(sheets["按县"])
    rows = by_key(header, body, "单位代码")
    assert list(rows) == ["C1", "C2", "P"]
    assert rows["C2"]["走访慰问困难教职工（人次）"] == 5
    assert rows["P"]["走访慰问困难教职工（人次）"] == 8
    header, body = table(sheets["按学校"])
    assert header[:5] == ["单位代码", "学校名称", "所属县", "所属学区", "报送情况"]
    assert [r[:4] for r in body] == [
        ["S1", "城关一小", "甲县教育工会", "甲县城关学区"],
        ["S2", "青石中学", "乙县教育工会", "乙县青石学区"],
    ]
