"""The unit hierarchy: import from CSV/xlsx, validation of every bad row, re-import with
history, the closure table, any number of levels, closing and reopening, and the CLI."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import xlsxwriter
from sqlalchemy import func, select

from unionroll.core import units as U
from unionroll.core.errors import (
    ImportRejected,
    SourceError,
    UnknownUnitError,
    UsageError,
)
from unionroll.core.periods import Period
from unionroll.core.store import Unit, UnitClosure, UnitEvent
from unionroll.core.workspace import CONFIG_NAME, Workspace

DATA = Path(__file__).parent / "data" / "units"
HEADER = ("代码", "名称", "层级", "上级代码")

# The sample county (tests/data/units/county.csv) without its 备注 column.
BASE = [
    ("100", "清河县教育工会", "县", ""),
    ("101", "城关学区", "学区", "100"),
    ("10101", "城关第一小学", "学校", "101"),
    ("10102", "城关第二小学", "学校", "101"),
    ("10103", "城关中学", "学校", "101"),
    ("102", "东坝乡中心校", "乡镇", "100"),
    ("10201", "东坝乡中心小学", "学校", "102"),
    ("10202", "东坝乡初级中学", "学校", "102"),
    ("103", "西河学区", "学区", "100"),
    ("10301", "西河小学", "学校", "103"),
    ("10302", "西河中学", "学校", "103"),
    ("10303", "西河幼儿园", "学校", "103"),
    ("190", "县第一中学", "学校", "100"),
    ("191", "县职业教育中心", "学校", "100"),
]


# --- helpers -------------------------------------------------------------------------


def write_csv(
    path: Path,
    rows: list[tuple[Any, ...]],
    header: tuple[str, ...] = HEADER,
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    """Write rows to the first sheet, numbers as numbers and dates as Excel dates."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("单位名单")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(
                    r, c, datetime(value.year, value.month, value.day), date_format
                )
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value is not None:
                sheet.write_string(r, c, value)
    workbook.close()
    return path


def snapshot(ws: Workspace) -> tuple[Any, ...]:
    """Everything an import may write, to prove a rejected one wrote nothing."""
    with ws.engine.connect() as conn:
        units = sorted(
            conn.execute(
                select(Unit.code, Unit.name, Unit.level, Unit.parent_id, Unit.active_to)
            ).all()
        )
        events = conn.execute(select(func.count()).select_from(UnitEvent)).scalar()
        closure = conn.execute(select(func.count()).select_from(UnitClosure)).scalar()
    return units, events, closure


def rejected(ws: Workspace, path: Path) -> list[tuple[int, str]]:
    before = snapshot(ws)
    with pytest.raises(ImportRejected) as info:
        U.import_units(ws, path)
    assert snapshot(ws) == before, "a rejected import must write nothing"
    return [(p.row, p.reason) for p in info.value.problems]


def load_base(ws: Workspace, tmp_path: Path) -> U.ImportResult:
    return U.import_units(ws, write_csv(tmp_path / "county.csv", BASE))


def parents(ws: Workspace) -> dict[str, str | None]:
    with ws.session() as session:
        return {code: info.parent_code for code, info in U.unit_infos(session).items()}


def naive_closure(ws: Workspace) -> set[tuple[int, int, int]]:
    with ws.engine.connect() as conn:
        parent = {r.id: r.parent_id for r in conn.execute(select(Unit.id, Unit.parent_id))}
    pairs = set()
    for unit in parent:
        depth, ancestor = 0, unit
        while ancestor is not None:
            pairs.add((ancestor, unit, depth))
            ancestor, depth = parent[ancestor], depth + 1
    return pairs


def stored_closure(ws: Workspace) -> set[tuple[int, int, int]]:
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(UnitClosure.ancestor_id, UnitClosure.descendant_id, UnitClosure.depth)
        )
        return {tuple(r) for r in rows}


def set_levels(ws: Workspace, levels: list[tuple[str, str, list[str]]]) -> Workspace:
    """Rewrite the workspace config's [[levels]] and reopen the workspace."""
    path = ws.root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("[[levels]]")
    tail = rest[rest.index("[form]") :]
    blocks = "".join(
        f'[[levels]]\nid = "{i}"\nname = "{n}"\naliases = {json.dumps(a, ensure_ascii=False)}\n\n'
        for i, n, a in levels
    )
    path.write_text(head + blocks + tail, encoding="utf-8")
    return Workspace.open(ws.root, db_url=ws.db_url)


if TYPE_CHECKING:
    from conftest import Cli

FOUR_LEVELS = [
    ("city", "市", ["市级"]),
    ("county", "县", ["县区"]),
    ("township", "学区", ["乡镇"]),
    ("school", "学校", []),
]


# --- reading -------------------------------------------------------------------------


def test_sample_csv_with_chinese_headers(workspace: Workspace) -> None:
    result = U.import_units(workspace, DATA / "county.csv")
    assert (result.total_rows, result.created, result.updated, result.unchanged) == (14, 14, 0, 0)
    assert result.source == "county.csv"
    with workspace.session() as session:
        infos = U.unit_infos(session)
    assert infos["102"].level == "township"  # written as the alias 乡镇
    assert infos["190"].parent_code == "100"  # a county-direct school skips the township level
    assert infos["190"].level == "school"
    assert infos["100"].parent_code is None


def test_xlsx_with_title_row_numeric_codes_and_dates(workspace: Workspace, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "名单.xlsx",
        [
            ["清河县教育工会基层单位名单（2025年）"],
            [],
            ["序号", "代 码", "名称*", "LEVEL", "上级代码（县级留空）", "启用日期", "撤销日期"],
            [1, 100, "清河县教育工会", "县", None],
            [2, 101, "城关学区", "学区", 100.0],
            [3, 10101, "城关第一小学", "学校", 101, date(2020, 9, 1)],
            [4, 10102, "城关第二小学", "学校", "101", "2020/9/1", date(2025, 9, 1)],
        ],
    )
    result = U.import_units(workspace, path)
    assert result.created == 4
    with workspace.session() as session:
        infos = U.unit_infos(session)
    assert sorted(infos) == ["100", "101", "10101", "10102"]  # 100.0 became "100"
    assert infos["10101"].parent_code == "101"
    assert infos["10101"].active_from == date(2020, 9, 1)
    assert infos["10102"].active_from == date(2020, 9, 1)
    assert infos["10102"].active_to == date(2025, 9, 1)


def test_xlsx_problems_carry_spreadsheet_row_numbers(workspace: Workspace, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "名单.xlsx",
        [
            ["单位名单"],
            ["code", "name", "level", "parent_code"],
            [100, "清河县教育工会", "county", None],
            [],  # a blank line is skipped but still counted
            [101, None, "township", 100],
        ],
    )
    assert rejected(workspace, path) == [(5, "未填单位名称（代码 101）")]


def test_gbk_csv_from_chinese_excel(workspace: Workspace, tmp_path: Path) -> None:
    rows = [*BASE, ("10304", "西河堃园小学", "学校", "103")]  # 堃 is GBK, not GB2312
    path = write_csv(tmp_path / "gbk.csv", rows, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert U.import_units(workspace, path).created == 15
    with workspace.session() as session:
        assert U.get_unit(session, "10304").name == "西河堃园小学"


def test_utf8_bom_and_utf16_tab_separated(workspace: Workspace, tmp_path: Path) -> None:
    bom = write_csv(tmp_path / "bom.csv", BASE[:2], encoding="utf-8-sig")
    assert U.import_units(workspace, bom).created == 2
    text = "\t".join(HEADER) + "\n" + "\n".join("\t".join(r) for r in BASE[2:4]) + "\n"
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes(text.encode("utf-16"))
    assert U.import_units(workspace, utf16).created == 2


def test_header_variants_fullwidth_and_case(workspace: Workspace, tmp_path: Path) -> None:
    header = ("ＣＯＤＥ", "单位名称", " Level ", "Parent Code")
    rows = [("１００", "清河县教育工会", "县", ""), ("101", "城关学区", "学区", "１００")]
    U.import_units(workspace, write_csv(tmp_path / "a.csv", rows, header=header))
    assert parents(workspace) == {"100": None, "101": "100"}


def test_level_by_id_chinese_name_or_alias(workspace: Workspace, tmp_path: Path) -> None:
    rows = [
        ("100", "清河县教育工会", "县级", ""),
        ("101", "城关学区", "学区", "100"),
        ("102", "东坝乡中心校", "乡镇", "100"),
        ("103", "西河学区", "township", "100"),
        ("10101", "城关第一小学", "学校", "101"),
        ("10201", "东坝小学", "ｓｃｈｏｏｌ", "102"),
        ("10301", "西河小学", "学校工会", "103"),
    ]
    U.import_units(workspace, write_csv(tmp_path / "a.csv", rows))
    with workspace.session() as session:
        levels = {code: info.level for code, info in U.unit_infos(session).items()}
    assert levels == {
        "100": "county",
        "101": "township",
        "102": "township",
        "103": "township",
        "10101": "school",
        "10201": "school",
        "10301": "school",
    }


# --- every bad row -------------------------------------------------------------------

ROOT = ("100", "清河县教育工会", "县", "")

BAD_CASES = [
    pytest.param(
        False,
        [ROOT, ("", "城关学区", "学区", "100")],
        HEADER,
        [(3, "未填单位代码")],
        id="empty-code",
    ),
    pytest.param(
        False,
        [ROOT, ("101", "", "学区", "100")],
        HEADER,
        [(3, "未填单位名称（代码 101）")],
        id="empty-name",
    ),
    pytest.param(
        False,
        [ROOT, ("101", "城关学区", "学区", "100"), ("101", "东坝学区", "学区", "100")],
        HEADER,
        [(4, "代码 101 与第 3 行重复")],
        id="duplicate-code",
    ),
    pytest.param(
        False,
        [ROOT, ("101", "城关学区", "片区", "100")],
        HEADER,
        [(3, "层级“片区”无法识别，应填：县、学区、学校")],
        id="unknown-level",
    ),
    pytest.param(
        False,
        [ROOT, ("101", "城关学区", "", "100")],
        HEADER,
        [(3, "未填层级，应填：县、学区、学校")],
        id="empty-level",
    ),
    pytest.param(
        True,
        [("10104", "城关第四小学", "学校", "999")],
        HEADER,
        [(2, "上级代码 999 在本文件和已有单位中都找不到")],
        id="unknown-parent",
    ),
    pytest.param(
        False,
        [ROOT, ("A", "甲学区", "学区", "B"), ("B", "乙学区", "学区", "A")],
        HEADER,
        [
            (3, "上级关系形成循环：A 甲学区 → B 乙学区 → A 甲学区"),
            (4, "上级关系形成循环：A 甲学区 → B 乙学区 → A 甲学区"),
        ],
        id="cycle-in-file",
    ),
    pytest.param(
        True,
        [("101", "城关学区", "学区", "10101")],
        HEADER,
        [(2, "上级关系形成循环：101 城关学区 → 10101 城关第一小学 → 101 城关学区")],
        id="cycle-through-stored-units",
    ),
    pytest.param(
        False,
        [ROOT, ("101", "城关学区", "学区", "101")],
        HEADER,
        [(3, "上级代码不能是本单位自己的代码")],
        id="own-parent",
    ),
    pytest.param(
        False,
        [ROOT, ("101", "城关学区", "学区", "100"), ("102", "东坝学区", "学区", "101")],
        HEADER,
        [(4, "层级“学区”不能挂在上级 101 城关学区（学区）之下：下级单位的层级必须低于上级")],
        id="level-not-below-parent",
    ),
    pytest.param(
        True,
        [("10201", "东坝乡中心小学", "学区", "10101")],
        HEADER,
        [(2, "层级“学区”不能挂在上级 10101 城关第一小学（学校）之下")],
        id="level-above-parent",
    ),
    pytest.param(
        True,
        [("101", "城关学区", "学校", "100")],
        HEADER,
        [
            (
                2,
                "改为“学校”后，已有下级单位 10101 城关第一小学（学校）、"
                "10102 城关第二小学（学校）、10103 城关中学（学校）的层级不再低于本单位",
            )
        ],
        id="level-change-strands-children",
    ),
    pytest.param(
        False,
        [ROOT, ("200", "白山县教育工会", "县", "")],
        HEADER,
        [
            (2, "没有上级的单位只能有一个"),
            (3, "现有 2 个：第 2 行 100 清河县教育工会、第 3 行 200 白山县教育工会"),
        ],
        id="two-roots-in-file",
    ),
    pytest.param(
        True,
        [("200", "白山县教育工会", "县", "")],
        HEADER,
        [(2, "现有 2 个：已有单位 100 清河县教育工会、第 2 行 200 白山县教育工会")],
        id="second-root-beside-stored",
    ),
    pytest.param(
        False,
        [("101", "城关学区", "学区", "")],
        HEADER,
        [(2, "未填上级代码；只有最高层级（县）的单位可以没有上级")],
        id="root-not-top-level",
    ),
    pytest.param(
        True,
        [("10101", "城关第一小学", "学校", "")],
        HEADER,
        [(2, "未填上级代码（原上级为 101 城关学区）；只有最高层级（县）的单位可以没有上级")],
        id="stored-unit-loses-parent",
    ),
    pytest.param(
        False,
        [("100", "清河县教育工会", "县", "", "2025-02-30")],
        (*HEADER, "撤销日期"),
        [(2, "撤销日期“2025-02-30”无法识别，请写成 2025-09-01 这样的日期")],
        id="bad-date",
    ),
    pytest.param(
        False,
        [("100", "清河县教育工会", "县", "", "2025-09-01", "2025年1月1日")],
        (*HEADER, "启用日期", "撤销日期"),
        [(2, "撤销日期 2025-01-01 应晚于启用日期 2025-09-01")],
        id="closed-before-opened",
    ),
    pytest.param(
        True,
        [("101", "城关学区", "学区", "100", "2025-09-01")],
        (*HEADER, "撤销日期"),
        [
            (
                2,
                "下级单位 10101 城关第一小学、10102 城关第二小学、10103 城关中学没有撤销，"
                "本单位不能撤销",
            )
        ],
        id="close-parent-with-open-children",
    ),
    pytest.param(
        False,
        [
            ("100", "清河县教育工会", "县", "", ""),
            ("101", "城关学区", "学区", "100", "2025-09-01"),
            ("10101", "城关第一小学", "学校", "101", ""),
        ],
        (*HEADER, "撤销日期"),
        [(4, "上级单位 101 城关学区 自 2025-09-01 起撤销，本单位应改挂其他上级")],
        id="open-child-of-closed-parent",
    ),
    pytest.param(
        True,
        [("1.00101E+11", "某小学", "学校", "101")],
        HEADER,
        [(2, "代码“1.00101E+11”是科学计数法，位数已丢失")],
        id="scientific-notation",
    ),
    pytest.param(
        True,
        [("101 04", "某小学", "学校", "101")],
        HEADER,
        [(2, "代码“101 04”中有空格")],
        id="space-in-code",
    ),
]


@pytest.mark.parametrize(("preload", "rows", "header", "expected"), BAD_CASES)
def test_bad_rows_are_all_reported_and_nothing_written(
    workspace: Workspace,
    tmp_path: Path,
    preload: bool,
    rows: list[tuple[str, ...]],
    header: tuple[str, ...],
    expected: list[tuple[int, str]],
) -> None:
    if preload:
        load_base(workspace, tmp_path)
    problems = rejected(workspace, write_csv(tmp_path / "bad.csv", rows, header=header))
    assert len(problems) == len(expected), problems
    for (row, reason), (want_row, want) in zip(problems, expected, strict=True):
        assert row == want_row
        assert want in reason


def test_every_problem_in_one_report(workspace: Workspace, tmp_path: Path) -> None:
    load_base(workspace, tmp_path)
    rows = [
        ("10104", "", "学校", "101"),  # 2
        ("10105", "城关第五小学", "幼儿园", "101"),  # 3
        ("10106", "城关第六小学", "学校", "109"),  # 4
        ("10104", "城关第四小学", "学校", "101"),  # 5
        ("10107", "城关第七小学", "学校", "101"),  # 6: fine
        ("", "", "", ""),  # blank: skipped
        ("", "无代码小学", "学校", "101"),  # 8
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(ImportRejected) as info:
        U.import_units(workspace, path)
    assert [p.row for p in info.value.problems] == [2, 3, 4, 5, 8]
    message = str(info.value)
    assert message.startswith("单位名单 bad.csv 有 5 行有问题，未导入任何单位。")
    assert "第 3 行：层级“幼儿园”无法识别" in message
    assert "第 5 行：代码 10104 与第 2 行重复" in message
    with workspace.session() as session:
        assert U.get_unit(session, "10107") is None


def test_bad_row_does_not_cascade_into_its_children(workspace: Workspace, tmp_path: Path) -> None:
    rows = [ROOT, ("101", "城关学区", "片区", "100"), ("10101", "城关第一小学", "学校", "101")]
    problems = rejected(workspace, write_csv(tmp_path / "a.csv", rows))
    assert [row for row, _ in problems] == [3]  # the child is not told its parent is unknown


@pytest.mark.parametrize(
    ("name", "content", "error", "message"),
    [
        ("empty.csv", b"", ImportRejected, "单位名单 empty.csv 是空的"),
        ("blank.csv", b"\r\n \r\n", ImportRejected, "是空的"),
        (
            "header.csv",
            "代码,名称,层级,上级代码\n".encode(),
            ImportRejected,
            "只有表头（第 1 行），没有单位数据",
        ),
        ("notes.pdf", b"%PDF-1.4", UsageError, "不支持的文件类型 .pdf"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", SourceError, "无法读取 Excel 文件"),
        ("odd.csv", b"a,b\n\xff\x00\xff\n", SourceError, "无法识别 CSV 文件 odd.csv 的文字编码"),
    ],
)
def test_unreadable_files(
    workspace: Workspace,
    tmp_path: Path,
    name: str,
    content: bytes,
    error: type[Exception],
    message: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = snapshot(workspace)
    with pytest.raises(error, match=re.escape(message)):
        U.import_units(workspace, path)
    assert snapshot(workspace) == before


def test_missing_file(workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="找不到文件"):
        U.import_units(workspace, tmp_path / "none.csv")


def test_missing_columns_are_named(workspace: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [("100", "清河县")], header=("代码", "名称"))
    problems = rejected(workspace, path)
    assert len(problems) == 1
    assert problems[0][0] == 1
    assert problems[0][1].startswith("缺少必需的列：层级、上级代码。")


def test_no_recognizable_header(workspace: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [("100", "清河县")], header=("编号", "单位"))
    [(row, reason)] = rejected(workspace, path)
    assert row == 1
    assert reason.startswith("缺少必需的列：代码、名称、层级、上级代码。")


def test_same_column_twice(workspace: Workspace, tmp_path: Path) -> None:
    header = ("代码", "名称", "层级", "上级代码", "单位代码")
    path = write_csv(tmp_path / "a.csv", [("100", "清河县", "县", "", "100")], header=header)
    assert rejected(workspace, path) == [
        (1, "“代码”列出现了两次（第 A 列“代码”和第 E 列“单位代码”），请只保留一列")
    ]


# --- re-import and history -----------------------------------------------------------


def test_reimport_renames_moves_and_keeps_history(workspace: Workspace, tmp_path: Path) -> None:
    load_base(workspace, tmp_path)
    update = [
        ("100", "清河县教育工会", "县", ""),  # unchanged
        ("104", "南山学区", "学区", "100"),  # new
        ("10101", "城关一小", "学校", "101"),  # renamed
        ("10303", "西河幼儿园", "学校", "101"),  # moved
        ("10202", "东坝中学", "学校", "104"),  # renamed and moved under a new unit
        ("191", "县职业教育中心", "学区", "100"),  # level changed
    ]
    result = U.import_units(workspace, write_csv(tmp_path / "2025调整.csv", update))
    assert (result.total_rows, result.created, result.updated, result.unchanged) == (6, 1, 4, 1)
    assert (result.renamed, result.moved, result.level_changed) == (2, 2, 1)

    tree = parents(workspace)
    assert tree["10303"] == "101"
    assert tree["10202"] == "104"
    assert tree["10102"] == "101"  # absent from the partial list: kept as it was
    assert len(tree) == 15
    with workspace.session() as session:
        events = [
            (e.kind, e.old_value, e.new_value, e.source) for e in U.unit_history(session, "10202")
        ]
        assert U.get_unit(session, "191").level == "township"
        level_events = [(e.kind, e.old_value, e.new_value) for e in U.unit_history(session, "191")]
    assert events == [
        ("created", None, "东坝乡初级中学", "county.csv"),
        ("renamed", "东坝乡初级中学", "东坝中学", "2025调整.csv"),
        ("moved", "102", "104", "2025调整.csv"),
    ]
    assert level_events[-1] == ("level_changed", "school", "township")
    assert stored_closure(workspace) == naive_closure(workspace)

    again = U.import_units(workspace, write_csv(tmp_path / "2025调整.csv", update))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)


def test_reimport_can_restructure_without_false_cycles(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Swapping which township a school sits under, and splitting a township, in one file."""
    load_base(workspace, tmp_path)
    update = [
        ("105", "城关东学区", "学区", "100"),
        ("10101", "城关第一小学", "学校", "105"),
        ("10102", "城关第二小学", "学校", "105"),
        ("10301", "西河小学", "学校", "101"),
    ]
    U.import_units(workspace, write_csv(tmp_path / "b.csv", update))
    tree = parents(workspace)
    assert (tree["10101"], tree["10102"], tree["10301"]) == ("105", "105", "101")
    assert stored_closure(workspace) == naive_closure(workspace)


def test_closure_table_matches_a_naive_walk(workspace: Workspace, tmp_path: Path) -> None:
    load_base(workspace, tmp_path)
    closure = stored_closure(workspace)
    assert closure == naive_closure(workspace)
    assert len(closure) == 1 + 5 * 2 + 8 * 3  # root, its 5 children, 8 schools two down
    with workspace.session() as session:
        county = U.get_unit(session, "100")
        township = U.get_unit(session, "101")
        assert len(U.subtree_ids(session, county.id)) == 14
        assert U.subtree_ids(session, township.id)[0] == township.id
        assert sorted(U.subtree_ids(session, township.id)) == sorted(
            U.get_unit(session, c).id for c in ("101", "10101", "10102", "10103")
        )


def test_query_helpers(workspace: Workspace, tmp_path: Path) -> None:
    load_base(workspace, tmp_path)
    with workspace.session() as session:
        county = U.root(session)
        assert county is not None and county.code == "100"
        assert [u.code for u in U.children(session, county.id)] == [
            "101",
            "102",
            "103",
            "190",
            "191",
        ]
        school = U.get_unit(session, "10101.0")  # as a spreadsheet may have it
        assert school is not None and school.name == "城关第一小学"
        assert [u.code for u in U.ancestors(session, school.id)] == ["100", "101"]
        assert U.get_unit(session, "999") is None
        with pytest.raises(UnknownUnitError, match="找不到代码为“999”的单位"):
            U.unit_history(session, "999")
        assert U.counts_by_level(session) == {"county": 1, "township": 3, "school": 10}
        township = U.get_unit(session, "101")
        assert U.counts_by_level(session, township.id) == {"township": 1, "school": 3}
        [top] = U.tree(session, depth=1)
        assert [c.code for c in top.children] == ["101", "102", "103", "190", "191"]
        assert [c.hidden for c in top.children] == [3, 2, 3, 0, 0]
        assert all(not c.children for c in top.children)
        [sub] = U.tree(session, "103")
        assert [(n.code, d) for n, d in sub.walk()] == [
            ("103", 0),
            ("10301", 1),
            ("10302", 1),
            ("10303", 1),
        ]


def test_empty_workspace_queries(workspace: Workspace) -> None:
    with workspace.session() as session:
        assert U.root(session) is None
        assert U.tree(session) == []
        assert U.unit_infos(session) == {}
        assert U.counts_by_level(session) == {}


# --- any number of levels ------------------------------------------------------------


def test_four_levels_from_config(workspace: Workspace, tmp_path: Path) -> None:
    ws = set_levels(workspace, FOUR_LEVELS)
    try:
        rows = [
            ("1", "清河市教育工会", "市", ""),
            ("11", "清河县教育工会", "县", "1"),
            ("12", "白山县教育工会", "县区", "1"),
            ("111", "城关学区", "学区", "11"),
            ("1111", "城关第一小学", "学校", "111"),
            ("119", "清河县第一中学", "学校", "11"),  # county-direct: skips the township
            ("19", "市实验中学", "学校", "1"),  # city-direct: skips two levels
        ]
        U.import_units(ws, write_csv(tmp_path / "city.csv", rows))
        with ws.session() as session:
            counts = U.counts_by_level(session)
        assert counts == {"city": 1, "county": 2, "township": 1, "school": 3}
        assert stored_closure(ws) == naive_closure(ws)

        bad = [("13", "新县", "县", ""), ("121", "某学区", "市", "12")]
        assert rejected(ws, write_csv(tmp_path / "bad.csv", bad)) == [
            (2, "未填上级代码；只有最高层级（市）的单位可以没有上级"),
            (3, "层级“市”不能挂在上级 12 白山县教育工会（县）之下：下级单位的层级必须低于上级"),
        ]
    finally:
        ws.close()


def test_four_level_tree_on_the_command_line(
    workspace: Workspace, run: Cli, tmp_path: Path
) -> None:
    set_levels(workspace, FOUR_LEVELS).close()  # each command reopens the edited config
    rows = [
        ("1", "清河市教育工会", "市", ""),
        ("11", "清河县教育工会", "县", "1"),
        ("111", "城关学区", "学区", "11"),
        ("1111", "城关第一小学", "学校", "111"),
    ]
    assert run("units", "import", str(write_csv(tmp_path / "c.csv", rows))).exit_code == 0
    result = run("units", "tree")
    assert result.output.splitlines() == [
        "1 清河市教育工会（市）",
        "  11 清河县教育工会（县）",
        "    111 城关学区（学区）",
        "      1111 城关第一小学（学校）",
        "共 4 个单位：市 1 个，县 1 个，学区 1 个，学校 1 个",
    ]


# --- closing and reopening -----------------------------------------------------------


def test_close_and_reopen(workspace: Workspace, tmp_path: Path) -> None:
    load_base(workspace, tmp_path)
    sept = date(2025, 9, 1)
    refused = "101 城关学区 下还有未撤销的下级单位：10101 城关第一小学"
    with pytest.raises(UsageError, match=refused), workspace.session() as session:
        U.close_unit(session, "101", sept)
    with workspace.session() as session:
        assert U.get_unit(session, "101").active_to is None
        [school] = U.close_unit(session, "10101", sept, source="测试")
        assert school.active_to == sept
    same_day = "已经自 2025-09-01 起撤销，未做改动"
    with workspace.session() as session, pytest.raises(UsageError, match=same_day):
        U.close_unit(session, "10101", sept)
    with workspace.session() as session:
        closed = U.close_unit(session, "101", sept, with_children=True)
        assert [u.code for u in closed] == ["101", "10102", "10103"]

    with workspace.session() as session:
        infos = U.unit_infos(session)
        q3, q4 = Period.parse("2025Q3"), Period.parse("2025Q4")
        # Closed from 1 September: still expected for Q3, not for Q4.
        assert infos["10101"].is_open_during(q3.start, q3.end)
        assert not infos["10101"].is_open_during(q4.start, q4.end)
        assert U.counts_by_level(session, open_on=date(2025, 10, 1)) == {
            "county": 1,
            "township": 2,
            "school": 7,
        }
        with pytest.raises(
            UsageError, match="的上级 101 城关学区 自 2025-09-01 起撤销，请先恢复上级"
        ):
            U.reopen_unit(session, "10102")

    # A later re-import of the old list leaves the closing as it is.
    result = load_base(workspace, tmp_path)
    assert result.unchanged == 14
    with workspace.session() as session:
        assert U.get_unit(session, "10103").active_to == sept
        reopened = U.reopen_unit(session, "101", with_children=True)
        assert sorted(u.code for u in reopened) == ["101", "10101", "10102", "10103"]
    with workspace.session() as session:
        with pytest.raises(UsageError, match="没有撤销，无需恢复"):
            U.reopen_unit(session, "101")
        history = [(e.kind, e.old_value, e.new_value) for e in U.unit_history(session, "10101")]
        assert history[1:] == [("closed", None, "2025-09-01"), ("reopened", "2025-09-01", None)]
        with pytest.raises(UnknownUnitError):
            U.close_unit(session, "999", sept)


def test_close_before_opening_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    rows = [("100", "清河县教育工会", "县", "", "2020-01-01")]
    U.import_units(workspace, write_csv(tmp_path / "a.csv", rows, header=(*HEADER, "启用日期")))
    with (
        workspace.session() as session,
        pytest.raises(UsageError, match="撤销日期 2019-09-01 应晚于它"),
    ):
        U.close_unit(session, "100", date(2019, 9, 1))


def test_closing_through_the_list(workspace: Workspace, tmp_path: Path) -> None:
    load_base(workspace, tmp_path)
    rows = [("10303", "西河幼儿园", "学校", "103", "2025/7/1")]
    result = U.import_units(
        workspace, write_csv(tmp_path / "c.csv", rows, header=(*HEADER, "撤销日期"))
    )
    assert (result.updated, result.closed) == (1, 1)
    with workspace.session() as session:
        assert U.get_unit(session, "10303").active_to == date(2025, 7, 1)
        assert U.unit_history(session, "10303")[-1].kind == "closed"


# --- the command line ----------------------------------------------------------------


def test_cli_import_list_tree(run: Cli) -> None:
    result = run("units", "import", str(DATA / "county.csv"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["已导入 14 个单位：新增 14，更新 0，未变 0"]

    listing = run("units", "list")
    lines = listing.output.splitlines()
    assert lines[0].split() == ["代码", "名称", "层级", "上级", "状态"]
    assert lines[2].split() == ["100", "清河县教育工会", "县", "在用"]
    assert lines[3].split() == ["101", "城关学区", "学区", "清河县教育工会", "在用"]
    assert lines[4].split() == ["10101", "城关第一小学", "学校", "城关学区", "在用"]
    assert lines[-1] == "共 14 个单位。"

    schools = run("units", "list", "--level", "学校", "--json")
    data = json.loads(schools.output)
    assert len(data) == 10
    assert data[0] == {
        "code": "10101",
        "name": "城关第一小学",
        "level": "school",
        "level_name": "学校",
        "parent_code": "101",
        "parent_name": "城关学区",
        "active_from": None,
        "active_to": None,
        "status": "在用",
    }

    tree = run("units", "tree")
    assert tree.output.splitlines() == [
        "100 清河县教育工会（县）",
        "  101 城关学区（学区）",
        "    10101 城关第一小学（学校）",
        "    10102 城关第二小学（学校）",
        "    10103 城关中学（学校）",
        "  102 东坝乡中心校（学区）",
        "    10201 东坝乡中心小学（学校）",
        "    10202 东坝乡初级中学（学校）",
        "  103 西河学区（学区）",
        "    10301 西河小学（学校）",
        "    10302 西河中学（学校）",
        "    10303 西河幼儿园（学校）",
        "  190 县第一中学（学校）",
        "  191 县职业教育中心（学校）",
        "共 14 个单位：县 1 个，学区 3 个，学校 10 个",
    ]
    sub = run("units", "tree", "--unit", "101", "--depth", "0")
    assert sub.output.splitlines() == [
        "101 城关学区（学区）",
        "  ……另有下级单位 3 个未显示",
        "共 4 个单位：学区 1 个，学校 3 个",
    ]


def test_cli_close_reopen_history(run: Cli, tmp_path: Path) -> None:
    run("units", "import", str(DATA / "county.csv"))
    update = write_csv(tmp_path / "调整.csv", [("10101", "城关一小", "学校", "103")])
    result = run("units", "import", str(update))
    assert result.output.splitlines() == [
        "已导入 1 个单位：新增 0，更新 1，未变 0",
        "其中改名 1，调整上级 1。可用 unionroll units history 代码 查看变动记录。",
    ]

    closed = run("units", "close", "10101", "--from", "2025年9月1日")
    assert closed.exit_code == 0
    assert closed.output.strip() == "已撤销 10101 城关一小，自 2025-09-01 起不再要求报送。"
    listing = run("units", "list", "--level", "school")
    assert "已撤销（2025-09-01 起）" in next(
        line for line in listing.output.splitlines() if line.startswith("10101")
    )
    tree = run("units", "tree").output.splitlines()
    assert "    10101 城关一小（学校，2025-09-01 起撤销）" in tree
    assert tree[-1] == "共 14 个单位：县 1 个，学区 3 个，学校 10 个（其中 1 个已撤销或尚未启用）"

    assert run("units", "reopen", "10101").output.strip() == "已恢复 10101 城关一小。"

    history = run("units", "history", "10101")
    lines = history.output.splitlines()
    assert lines[0] == "10101 城关一小 的变动记录："
    kinds = [line.split()[2] for line in lines[1:]]
    assert kinds == ["新建", "改名", "调整上级", "撤销", "恢复"]
    assert lines[1].endswith("新建  城关第一小学（来源：county.csv）")
    assert lines[2].endswith("改名  城关第一小学 → 城关一小（来源：调整.csv）")
    assert lines[3].endswith("调整上级  101 城关学区 → 103 西河学区（来源：调整.csv）")
    assert lines[4].endswith("撤销  自 2025-09-01 起（来源：命令行 units close）")
    assert lines[5].endswith("恢复  原自 2025-09-01 起撤销（来源：命令行 units reopen）")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("units", "close", "999", "--from", "2025-09-01"), 2, "错误：找不到代码为“999”的单位"),
        (("units", "close", "101", "--from", "2025-13-45"), 2, "--from 的日期“2025-13-45”无法识别"),
        (("units", "close", "101", "--from", "2025-09-01"), 2, "下还有未撤销的下级单位"),
        (("units", "reopen", "101"), 2, "101 城关学区 没有撤销，无需恢复。"),
        (("units", "history", "999"), 2, "找不到代码为“999”的单位"),
        (
            ("units", "list", "--level", "镇"),
            2,
            "层级“镇”无法识别，可用：县（county）、学区（township）",
        ),
        (("units", "tree", "--depth", "两层"), 2, "--depth 应为整数"),
        (("units", "tree", "--depth", "-1"), 2, "--depth 不能是负数"),
        (("units", "tree", "--unit", "999"), 2, "找不到代码为“999”的单位"),
        (("units", "import", "none.csv"), 2, "找不到文件 none.csv"),
        (("units", "import"), 2, "请指定单位名单文件"),
        (("units", "close", "101"), 2, "请用 --from 指定撤销日期"),
        (("units", "close"), 2, "请指定要撤销的单位代码"),
        (("units", "reopen"), 2, "请指定要恢复的单位代码"),
        (("units", "history"), 2, "请指定单位代码"),
    ],
)
def test_cli_errors_are_one_chinese_line(
    run: Cli, args: tuple[str, ...], code: int, message: str
) -> None:
    run("units", "import", str(DATA / "county.csv"))
    result = run(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_rejected_import_lists_every_row(run: Cli, tmp_path: Path) -> None:
    rows = [ROOT, ("101", "", "学区", "100"), ("102", "东坝学区", "镇", "100")]
    result = run("units", "import", str(write_csv(tmp_path / "名单.csv", rows)))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "错误：单位名单 名单.csv 有 2 行有问题，未导入任何单位。请改正以下各处后重新导入：",
        "  - 第 3 行：未填单位名称（代码 101）",
        "  - 第 4 行：层级“镇”无法识别，应填：县、学区、学校",
    ]
    assert "还没有单位" in run("units", "list").output


def test_cli_warns_of_same_name_under_one_parent(run: Cli, tmp_path: Path) -> None:
    rows = [ROOT, ("101", "城关学区", "学区", "100"), ("102", "城关学区", "学区", "100")]
    result = run("units", "import", str(write_csv(tmp_path / "a.csv", rows)))
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == (
        "提醒：同一上级下有同名单位“城关学区”：第 3 行（101）、第 4 行（102），请确认不是重复登记"
    )


def test_empty_first_sheet_is_named(workspace: Workspace, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [])
    expected = re.escape("单位名单 a.xlsx 的第一个工作表“单位名单”是空的")
    with pytest.raises(ImportRejected, match=expected):
        U.import_units(workspace, path)


def test_cli_list_and_tree_before_any_import(run: Cli) -> None:
    assert (
        run("units", "list").output.strip()
        == "还没有单位。请先运行 unionroll units import 单位名单.xlsx"
    )
    assert (
        run("units", "tree").output.strip()
        == "还没有单位。请先运行 unionroll units import 单位名单.xlsx"
    )


# --- scale ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_province_of_21101_units(workspace: Workspace, tmp_path: Path) -> None:
    """1 province + 100 counties + 1,000 townships + 20,000 schools. About 1 s on SQLite
    and 3 s on PostgreSQL for the first import; no timing is asserted."""
    ws = set_levels(
        workspace,
        [
            ("province", "省", []),
            ("county", "县", []),
            ("township", "学区", []),
            ("school", "学校", []),
        ],
    )
    try:
        rows: list[tuple[str, ...]] = [("P", "某省教育工会", "省", "")]
        for c in range(100):
            county = f"C{c:03d}"
            rows.append((county, f"第{c}县教育工会", "县", "P"))
            for t in range(10):
                township = f"{county}T{t}"
                rows.append((township, f"{township}学区", "学区", county))
                rows.extend(
                    (f"{township}S{s:02d}", f"{township}第{s}学校", "学校", township)
                    for s in range(20)
                )
        path = write_csv(tmp_path / "province.csv", rows)
        result = U.import_units(ws, path)
        assert (result.created, result.total_rows) == (21101, 21101)
        assert result.closure_rows == 1 + 100 * 2 + 1000 * 3 + 20000 * 4
        with ws.session() as session:
            assert U.counts_by_level(session) == {
                "province": 1,
                "county": 100,
                "township": 1000,
                "school": 20000,
            }
            county = U.get_unit(session, "C042")
            assert len(U.subtree_ids(session, county.id)) == 1 + 10 + 200
        again = U.import_units(ws, path)
        assert again.unchanged == 21101
    finally:
        ws.close()
