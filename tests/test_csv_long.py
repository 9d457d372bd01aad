"""The ``csv-long`` adapter: many returns in one table, one value per row."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from unionroll.adapters.csv_long import MAX_BYTES, CsvLongAdapter
from unionroll.core.contracts import ReadContext
from unionroll.core.errors import SourceError
from unionroll.core.forms import parse_form
from unionroll.core.model import Location, ReturnData
from unionroll.core.plugins import create_plugin_manager, registered_adapters
from unionroll.forms.builtin import standard_form

DATA = Path(__file__).parent / "data" / "csv"
ADAPTER = CsvLongAdapter()
HEADER = "unit,period,indicator,value"


@pytest.fixture
def context() -> ReadContext:
    form = standard_form()
    return ReadContext(form=form, forms={form.name: form})


def write(tmp_path: Path, *lines: str, name: str = "returns.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def read(path: Path, context: ReadContext) -> list[ReturnData]:
    return ADAPTER.read(path, context)


def read_error(path: Path, context: ReadContext) -> SourceError:
    with pytest.raises(SourceError) as info:
        ADAPTER.read(path, context)
    return info.value


def values(data: ReturnData) -> list[tuple[str, str, int | None]]:
    return [(v.indicator_id, v.raw, v.location.line) for v in data.values]


def findings(data: ReturnData) -> list[tuple[str, str, int | None]]:
    return [(f.severity, f.code, f.location.line if f.location else None) for f in data.findings]


# --- accepted variants ----------------------------------------------------------------


def test_reads_one_return_per_unit_and_period(context: ReadContext) -> None:
    path = DATA / "returns_long.csv"
    datas = read(path, context)
    assert [(d.unit_code, d.period, d.locator) for d in datas] == [
        ("S001", "2025Q1", "第 2–4 行"),
        ("S002", "2025Q1", "第 5–6 行"),
        ("S001", "2025Q2", "第 7 行"),
    ]
    first = datas[0]
    assert first.adapter == "csv-long" and first.source == path
    assert values(first) == [
        ("staff_total", "85", 2),
        ("needy_staff_visited", "3", 3),
        ("care_funds", "2.5万元", 4),
    ]
    assert first.values[0].location == Location(file="returns_long.csv", line=2)
    assert first.unit_location == first.period_location == Location(file="returns_long.csv", line=2)
    assert (first.form_id, first.form_version, first.consolidated) == (None, None, False)
    assert first.registers == [] and first.findings == []
    assert values(datas[1]) == [("staff_total", "40", 5), ("care_funds", "1,200", 6)]


def test_gbk_file_with_chinese_header_labels_and_a_spaced_name(context: ReadContext) -> None:
    path = DATA / "县汇总 2025Q1.csv"
    path.read_bytes().decode("gbk")  # the fixture really is GBK, not UTF-8
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    datas = read(path, context)
    assert [(d.unit_code, d.period) for d in datas] == [
        ("S001", "2025年第一季度"),
        ("S002", "2025年第一季度"),
    ]
    assert values(datas[0]) == [("staff_total", "85", 2), ("needy_staff_visited", "3", 3)]
    assert (datas[0].form_id, datas[0].form_version) == ("edu-union-quarterly", 1)
    assert str(datas[0].values[0].location) == "文件“县汇总 2025Q1.csv”，第 2 行"
    context.display_name = "收到的 文件.csv"
    assert read(path, context)[0].values[0].location.file == "收到的 文件.csv"


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("unit,period,indicator,value", "S001,2025Q1,staff_total,85"),
        (" Unit , PERIOD ,Indicator,VALUE ", "S001,2025Q1,staff_total,85"),
        ("单位代码,期间,指标,数值", "S001,2025Q1,staff_total,85"),
        ("单位,报送期间,指标代码,填报值", "S001,2025Q1,staff_total,85"),
        ("单位 代码,期　间,指标,数值", "S001,2025Q1,staff_total,85"),
        ("Unit_Code,period,indicator,value", "S001,2025Q1,staff_total,85"),
        ("value,indicator,period,unit", "85,staff_total,2025Q1,S001"),  # any order
    ],
)
def test_header_variants(tmp_path: Path, context: ReadContext, header: str, row: str) -> None:
    (data,) = read(write(tmp_path, header, row), context)
    assert (data.unit_code, data.period, values(data)) == (
        "S001",
        "2025Q1",
        [("staff_total", "85", 2)],
    )


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [("\t", "utf-8"), (";", "utf-8"), (",", "utf-8-sig"), (",", "gb18030"), ("\t", "utf-16")],
)
def test_delimiters_and_encodings(
    tmp_path: Path, context: ReadContext, delimiter: str, encoding: str
) -> None:
    lines = [
        delimiter.join(["单位代码", "期间", "指标", "数值"]),
        delimiter.join(["S001", "2025Q1", "教工之家创建情况", "先进"]),
        delimiter.join(["S001", "2025Q1", "care_funds", '"1,200.50"']),
    ]
    path = write(tmp_path, *lines, encoding=encoding)
    assert ADAPTER.sniff(path, path.read_bytes()[:8192])
    (data,) = read(path, context)
    assert values(data) == [("staff_home_level", "先进", 2), ("care_funds", "1,200.50", 3)]


def test_tab_separated_file_with_wrong_extension(context: ReadContext) -> None:
    path = DATA / "tab_separated.dat"
    (data,) = read(path, context)
    assert (data.unit_code, values(data)) == (
        "S003",
        [("staff_total", "31", 2), ("congress_held", "是", 3)],
    )


@pytest.mark.parametrize(
    "label",
    ["在职教职工数", "在职教职工数（人）", "在职教职工数(人)", " 在职教职工数 ", "STAFF_TOTAL"],
)
def test_indicator_given_by_chinese_label(tmp_path: Path, context: ReadContext, label: str) -> None:
    (data,) = read(write(tmp_path, HEADER, f"S001,2025Q1,{label},85"), context)
    assert values(data) == [("staff_total", "85", 2)]


def test_unknown_indicator_is_passed_on_for_validation(
    tmp_path: Path, context: ReadContext
) -> None:
    (data,) = read(write(tmp_path, HEADER, "S001,2025Q1,编外人员数,3"), context)
    assert values(data) == [("编外人员数", "3", 2)]
    assert data.findings == []


def test_values_are_raw_text(tmp_path: Path, context: ReadContext) -> None:
    lines = [HEADER, "S001,2025Q1,staff_total,=SUM(A1:A3)", 'S001,2025Q1,care_funds," 2.5万元 "']
    (data,) = read(write(tmp_path, *lines), context)
    assert [v.raw for v in data.values] == ["=SUM(A1:A3)", " 2.5万元 "]


def test_line_numbers_survive_blank_lines_and_multiline_cells(
    tmp_path: Path, context: ReadContext
) -> None:
    lines = [
        HEADER,
        "S001,2025Q1,staff_total,85",
        "",
        ",,,",
        'S001,2025Q1,female_staff,"52',
        '"',
        "S001,2025Q1,members_total,80",
    ]
    (data,) = read(write(tmp_path, *lines), context)
    assert values(data) == [
        ("staff_total", "85", 2),
        ("female_staff", "52\n", 5),
        ("members_total", "80", 7),
    ]
    assert data.locator == "第 2–7 行"


def test_crlf_line_endings(tmp_path: Path, context: ReadContext) -> None:
    path = tmp_path / "crlf.csv"
    path.write_bytes(b"unit,period,indicator,value\r\nS001,2025Q1,staff_total,85\r\n")
    (data,) = read(path, context)
    assert values(data) == [("staff_total", "85", 2)]


def test_interleaved_rows_give_a_locator_with_several_ranges(
    tmp_path: Path, context: ReadContext
) -> None:
    lines = [HEADER]
    for n, unit in enumerate(["A", "A", "B", "A", "B", "A", "B", "A", "B", "A"]):
        lines.append(f"{unit},2025Q1,ind{n},1")
    a, b = read(write(tmp_path, *lines), context)
    assert a.locator == "第 2–3、5、7、9 等 5 处 行"
    assert b.locator == "第 4、6、8、10 行"


def test_trailing_empty_fields_are_accepted(tmp_path: Path, context: ReadContext) -> None:
    (data,) = read(write(tmp_path, HEADER + ",", "S001,2025Q1,staff_total,85,,"), context)
    assert values(data) == [("staff_total", "85", 2)]
    assert data.findings == []


def test_form_version_column(tmp_path: Path, context: ReadContext) -> None:
    raw = dict(standard_form().raw)
    raw["version"] = 2
    raw["sections"] = [dict(raw["sections"][0])]
    raw["sections"][0]["indicators"] = [
        {"id": "staff_total", "label": "教职工总数", "unit": "人", "type": "int", "agg": "stock"}
    ]
    raw["rules"] = []
    v2 = parse_form(raw)
    context.forms[v2.name] = v2
    lines = [
        "unit,period,indicator,value,报表版本",
        "S001,2025Q1,教职工总数,85,2",
        "S002,2025Q1,在职教职工数,40,",
    ]
    first, second = read(write(tmp_path, *lines), context)
    assert (first.form_id, first.form_version, values(first)) == (
        "edu-union-quarterly",
        2,
        [("staff_total", "85", 2)],
    )
    assert (second.form_id, second.form_version, values(second)) == (
        None,
        None,
        [("staff_total", "40", 3)],
    )


# --- findings on a return -------------------------------------------------------------


def test_conflicting_and_identical_duplicates(tmp_path: Path, context: ReadContext) -> None:
    lines = [
        HEADER,
        "S001,2025Q1,staff_total,85",
        "S002,2025Q1,staff_total,40",
        "S001,2025Q1,在职教职工数,86",
        "S002,2025Q1,staff_total, 40",
        "S001,2025Q1,care_funds,100",
    ]
    first, second = read(write(tmp_path, *lines), context)
    assert findings(first) == [("error", "conflicting_value", 4)]
    assert first.findings[0].message == (
        "指标“staff_total”（在职教职工数）在第 2 行和第 4 行重复出现，值不同（“85”与“86”），"
        "请只保留一行"
    )
    assert first.findings[0].indicator_id == "staff_total"
    assert values(first) == [("staff_total", "85", 2), ("care_funds", "100", 6)]
    assert findings(second) == [("warning", "duplicate_value", 5)]
    assert second.findings[0].message == (
        "指标“staff_total”（在职教职工数）在第 3 行和第 5 行重复出现（值相同），只读取一次"
    )
    assert values(second) == [("staff_total", "40", 3)]


@pytest.mark.parametrize("name", ["awards", "获奖情况", "Priorities"])
def test_register_cannot_be_sent_in_csv(tmp_path: Path, context: ReadContext, name: str) -> None:
    (data,) = read(
        write(tmp_path, HEADER, "S001,2025Q1,staff_total,85", f"S001,2025Q1,{name},1"), context
    )
    assert findings(data) == [("error", "register_in_csv", 3)]
    assert "登记表不能用每行一个数值的 CSV 格式提交，请用 Excel 报表或 JSON 报表提交" in (
        data.findings[0].message
    )
    assert values(data) == [("staff_total", "85", 2)]


def test_empty_indicator(tmp_path: Path, context: ReadContext) -> None:
    (data,) = read(write(tmp_path, HEADER, "S001,2025Q1, ,85"), context)
    assert findings(data) == [("error", "empty_indicator", 2)]
    assert data.findings[0].message == "指标为空"


def test_bad_and_inconsistent_form_versions(tmp_path: Path, context: ReadContext) -> None:
    lines = [
        "unit,period,indicator,value,form_version",
        "S001,2025Q1,staff_total,85,1",
        "S001,2025Q1,female_staff,50,2",
        "S001,2025Q1,members_total,80,第一版",
    ]
    (data,) = read(write(tmp_path, *lines), context)
    assert findings(data) == [
        ("error", "inconsistent_form_version", 3),
        ("error", "bad_form_version", 4),
    ]
    assert data.findings[0].message == "同一单位同一期间的报表版本不一致：第 2 行为 1，第 3 行为 2"
    assert data.findings[1].message == "报表版本“第一版”应为正整数"


def test_text_in_unknown_columns_is_reported(tmp_path: Path, context: ReadContext) -> None:
    lines = [
        "unit,单位名称,period,indicator,value,备注",
        "S001,城关一小,2025Q1,staff_total,85,",
        "S001,城关一小,2025Q1,female_staff,50,含代课教师",
        "S002,,2025Q1,staff_total,40,",
    ]
    first, second = read(write(tmp_path, *lines), context)
    assert [(f.severity, f.code, f.location.line, f.message) for f in first.findings] == [
        ("warning", "unread_column", 2, "第 2 列“单位名称”不是本格式的列，其内容未读取"),
        ("warning", "unread_column", 3, "第 6 列“备注”不是本格式的列，其内容未读取"),
    ]
    assert second.findings == []


# --- files that cannot be read --------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("unit,period,value", "指标（indicator）"),
        ("单位代码,指标,备注", "期间（period）、数值（value）"),
        ("名称,数量", "单位代码（unit）、期间（period）、指标（indicator）、数值（value）"),
    ],
)
def test_missing_columns_are_named(
    tmp_path: Path, context: ReadContext, header: str, missing: str
) -> None:
    error = read_error(write(tmp_path, header, "S001,2025Q1,1"), context)
    assert error.code == "missing_columns"
    assert error.message.startswith(f"表头缺少列：{missing}。表头按逗号分隔读到的列为：")
    assert error.location == Location(file="returns.csv", line=1)


def test_duplicate_header_columns(tmp_path: Path, context: ReadContext) -> None:
    error = read_error(write(tmp_path, "unit,period,indicator,value,单位", "a,b,c,d,e"), context)
    assert error.message == ("表头第 1 列“unit”和第 5 列“单位”都表示单位代码（unit），请只保留一列")


def test_bad_rows_refuse_the_whole_file_listing_every_line(
    tmp_path: Path, context: ReadContext
) -> None:
    lines = [
        HEADER,
        "S001,2025Q1,staff_total,85",
        "S001,2025Q1,female_staff",
        "S001,2025Q1,care_funds,2,500",
        ",2025Q1,staff_total,40",
        "S002, ,staff_total,40",
        " ,,members_total,3",
    ]
    error = read_error(write(tmp_path, *lines), context)
    assert error.code == "bad_rows"
    assert (
        error.message == "有 5 行格式有误，无法确定属于哪份报表，整个文件未读取。请改正后重新提交："
    )
    assert error.details == [
        "第 3 行：只有 3 个字段，表头有 4 列",
        "第 4 行：有 5 个字段，表头只有 4 列"
        "（数值中含有逗号时，请去掉千位分隔符或给数值加英文双引号）",
        "第 5 行：单位代码为空",
        "第 6 行：期间为空",
        "第 7 行：单位代码、期间为空",
    ]
    assert error.location == Location(file="returns.csv")
    assert "  - 第 5 行：单位代码为空" in str(error)


def test_many_bad_rows_are_counted(tmp_path: Path, context: ReadContext) -> None:
    error = read_error(write(tmp_path, HEADER, *["S001,2025Q1"] * 60), context)
    assert len(error.details) == 51
    assert error.details[-1] == "……另有 10 行有误，未一一列出"


def test_header_only(tmp_path: Path, context: ReadContext) -> None:
    error = read_error(write(tmp_path, HEADER, "", ",,,"), context)
    assert error.message == "文件只有表头，没有任何数据行"


def test_undecodable_file(tmp_path: Path, context: ReadContext) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(HEADER.encode() + b"\nS001,2025Q1,staff_total,\xff\xff\n")
    error = read_error(path, context)
    assert error.code == "bad_encoding"
    assert error.message.startswith("无法识别文件的文字编码（既不是 UTF-8，也不是 GBK/GB18030）")


def test_huge_file_is_refused(tmp_path: Path, context: ReadContext) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse
    error = read_error(path, context)
    assert error.code == "too_large"
    assert error.message.startswith("文件太大（200.0 MB），超过 CSV 文件 200 MB 的上限，未读取")


def test_missing_file(tmp_path: Path, context: ReadContext) -> None:
    assert read_error(tmp_path / "nope.csv", context).message.startswith("无法打开文件")


# --- scale ----------------------------------------------------------------------------


def test_a_thousand_units_by_45_indicators_read_fast(tmp_path: Path, context: ReadContext) -> None:
    form = context.form
    indicators = [ind for ind in form.input_indicators_for_level("school")][:45]
    assert len(indicators) == 45
    lines = ["单位代码,期间,指标,数值"]
    for u in range(1000):
        for i, ind in enumerate(indicators):
            # half by id, half by Chinese label, as a county's merged sheet would be
            name = ind.id if i % 2 else ind.label
            lines.append(f"U{u:04d},2025Q1,{name},{u + i}")
    path = write(tmp_path, *lines, encoding="gb18030")
    started = time.perf_counter()
    datas = read(path, context)
    elapsed = time.perf_counter() - started
    print(f"\ncsv-long: 1,000 units × 45 indicators ({len(lines) - 1} rows) in {elapsed:.3f} s")
    assert len(datas) == 1000
    assert all(len(d.values) == 45 and not d.findings for d in datas)
    last = datas[-1]
    assert last.locator == f"第 {len(lines) - 44}–{len(lines)} 行"
    assert last.values[-1].location.line == len(lines)
    assert elapsed < 30.0  # a guard against quadratic work, not a timing (bench/ has those)


# --- sniffing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"unit,period,indicator,value\nS1,2025Q1,x,1\n", True),
        (b"\xef\xbb\xbfunit,period,indicator,value\r\n", True),
        ("单位代码\t期间\t指标\t数值\n".encode("gbk"), True),
        ("单位;报送期间;指标代码;填报值;报表版本".encode(), True),  # header only, no newline
        ("单位代码,期间,指标,数值\n".encode("utf-16"), True),
        (b"unit,period,indicator\n", False),
        (b"unit,period,indicator,value".replace(b",", b"|"), False),
        (b"code,name,level,parent_code\n", False),
        (b'{"unit": "S001", "values": {}}', False),
        (b"\n" + b"unit,period,indicator,value\n", False),  # the header must be line 1
        (b"unit,period,indicator,value\x00\n", False),
        (b"PK\x03\x04\x14\x00\x06\x00", False),
        (b"", False),
    ],
)
def test_sniff(head: bytes, expected: bool) -> None:
    assert ADAPTER.sniff(Path("whatever.bin"), head) is expected


def test_plugin_manager_picks_csv_for_a_dat_file(context: ReadContext) -> None:
    adapters = registered_adapters(create_plugin_manager(load_entry_points=False))
    assert {"csv-long", "json-return"} <= set(adapters)
    for path in (DATA / "tab_separated.dat", DATA / "县汇总 2025Q1.csv", DATA / "returns_long.csv"):
        head = path.read_bytes()[:8192]
        assert [name for name, a in adapters.items() if a.sniff(path, head)] == ["csv-long"]
    json_path = Path(__file__).parent / "data" / "json" / "json_return_named.txt"
    head = json_path.read_bytes()[:8192]
    assert not adapters["csv-long"].sniff(json_path, head)
    assert adapters["csv-long"].read(DATA / "tab_separated.dat", context)[0].unit_code == "S003"
