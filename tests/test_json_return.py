"""The ``json-return`` adapter: one return per JSON file, read from real files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from unionroll.adapters.json_return import MAX_BYTES, JsonReturnAdapter, top_level_keys
from unionroll.core.contracts import ReadContext
from unionroll.core.errors import SourceError
from unionroll.core.forms import FormDefinition, parse_form
from unionroll.core.model import Location, ReturnData
from unionroll.core.plugins import create_plugin_manager, registered_adapters
from unionroll.forms.builtin import standard_form

DATA = Path(__file__).parent / "data" / "json"
FULL = DATA / "城关一小 2025年第一季度.json"
ADAPTER = JsonReturnAdapter()


@pytest.fixture
def context() -> ReadContext:
    form = standard_form()
    return ReadContext(form=form, forms={form.name: form})


def write(tmp_path: Path, doc: Any, name: str = "return.json") -> Path:
    path = tmp_path / name
    text = doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def read_one(path: Path, context: ReadContext) -> ReturnData:
    datas = ADAPTER.read(path, context)
    assert len(datas) == 1
    return datas[0]


def read_error(path: Path, context: ReadContext) -> SourceError:
    with pytest.raises(SourceError) as info:
        ADAPTER.read(path, context)
    return info.value


def codes(data: ReturnData) -> list[tuple[str, str, str | None]]:
    return [(f.severity, f.code, f.location.path if f.location else None) for f in data.findings]


def base(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"unit": "S001", "period": "2025Q1", "values": {"staff_total": 85}}
    doc.update(extra)
    return doc


# --- a complete return ----------------------------------------------------------------


def test_reads_a_complete_return(context: ReadContext) -> None:
    data = read_one(FULL, context)
    assert data.adapter == "json-return"
    assert data.source == FULL
    assert (data.unit_code, data.period) == ("S001", "2025Q1")
    assert (data.form_id, data.form_version, data.consolidated) == ("edu-union-quarterly", 1, False)
    assert data.locator is None
    assert data.findings == []
    assert [(v.indicator_id, v.raw) for v in data.values] == [
        ("staff_total", 85),
        ("female_staff", 52),
        ("members_total", 83),
        ("needy_staff_visited", 3),
        ("care_funds", "2.5万元"),
        ("blood_donors", 12),
        ("congress_held", True),
        ("staff_home_level", "合格"),
        ("essays_submitted", None),
    ]
    assert data.values[0].location == Location(file=FULL.name, path="values.staff_total")
    assert data.unit_location == Location(file=FULL.name, path="unit")
    assert data.period_location == Location(file=FULL.name, path="period")
    by_register = {}
    for row in data.registers:
        by_register.setdefault(row.register, []).append(row)
    assert {k: len(v) for k, v in by_register.items()} == {
        "awards": 2,
        "events": 1,
        "highlights": 1,
        "problems": 1,
        "priorities": 1,
    }
    second = by_register["awards"][1]
    assert second.row_no == 2
    assert second.cells["level"] == "市"
    assert second.cells["month"] == 5
    assert second.location == Location(file=FULL.name, path="awards[1]")
    assert second.locations["level"] == Location(file=FULL.name, path="awards[1].level")
    priority = by_register["priorities"][0]
    assert priority.cells == {
        "category": "自身建设",
        "text": "组织工会干部参加培训。",
        "indicator": "cadre_trainees",
        "target": 120,
        "month": 8,
    }


def test_chinese_file_name_with_spaces_is_used_in_locations(context: ReadContext) -> None:
    assert " " in FULL.name
    data = read_one(FULL, context)
    assert (
        str(data.values[0].location)
        == "文件“城关一小 2025年第一季度.json”，位置 values.staff_total"
    )
    context.display_name = "学校 报表 (副本).json"
    data = read_one(FULL, context)
    assert data.values[0].location.file == "学校 报表 (副本).json"


def test_minimal_return_and_empty_registers(tmp_path: Path, context: ReadContext) -> None:
    path = write(tmp_path, {"unit": " S9 ", "values": {}, "awards": None, "events": []})
    data = read_one(path, context)
    assert (data.unit_code, data.period, data.form_id, data.form_version) == (
        "S9",
        None,
        None,
        None,
    )
    assert data.values == [] and data.registers == [] and data.findings == []
    assert data.period_location == Location(file="return.json", path="period")  # where it belongs


def test_values_are_passed_raw_and_formulas_stay_text(tmp_path: Path, context: ReadContext) -> None:
    path = write(
        tmp_path,
        base(values={"staff_total": "=SUM(A1:A3)", "care_funds": "2.5万元", "dues_collected": 1.5}),
    )
    data = read_one(path, context)
    raws = {v.indicator_id: v.raw for v in data.values}
    assert raws == {"staff_total": "=SUM(A1:A3)", "care_funds": "2.5万元", "dues_collected": 1.5}
    assert all(v.formula is None for v in data.values)


def test_bom_and_consolidated(tmp_path: Path, context: ReadContext) -> None:
    path = tmp_path / "bom.json"
    text = "\n  " + json.dumps(base(consolidated=True, period=2025), ensure_ascii=False)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    data = read_one(path, context)
    assert data.consolidated is True
    assert data.period == "2025"  # a year written as a number is read as its text


def test_unit_code_as_number_is_read_as_text_with_a_warning(
    tmp_path: Path, context: ReadContext
) -> None:
    data = read_one(write(tmp_path, base(unit=1001)), context)
    assert data.unit_code == "1001"
    assert codes(data) == [("warning", "unit_code_number", "unit")]
    assert "单位代码写成了数字 1001，已按文本“1001”读取" in data.findings[0].message


def test_form_version_as_digit_text(tmp_path: Path, context: ReadContext) -> None:
    data = read_one(write(tmp_path, base(form_version="1")), context)
    assert data.form_version == 1


# --- files that cannot be read -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (
            '{\n  "unit": "S001"\n  "period": "2025Q1"\n}',
            "不是有效的 JSON：第 3 行第 3 列，缺少英文逗号“,”",
            3,
        ),
        ('{"unit": "S001",}', "第 1 行第 17 列，键名应当用英文双引号括起来", 1),
        ("{'unit': 'S001'}", "第 1 行第 2 列，键名应当用英文双引号括起来", 1),
        ('{"unit": S001}', "第 1 行第 10 列，此处应当是一个值", 1),
        ('{"unit": "S001', "第 1 行第 10 列，文本缺少结束的双引号", 1),
        ('{"unit": "S001"}\n{"unit": "S002"}', "第 2 行第 1 列，JSON 对象结束后还有多余内容", 2),
        ('{"unit": "a\nb"}', "第 1 行第 12 列，文本中有未转义的控制字符", 1),
        ("", "第 1 行第 1 列，此处应当是一个值", 1),
    ],
)
def test_invalid_json(
    tmp_path: Path, context: ReadContext, text: str, message: str, line: int
) -> None:
    error = read_error(write(tmp_path, text), context)
    assert message in error.message
    assert error.code == "bad_json"
    assert error.location == Location(file="return.json", line=line)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"values": {"staff_total": NaN}}', "数值 NaN 不是有限的数字"),
        ('{"values": {"staff_total": -Infinity}}', "数值 -Infinity 不是有限的数字"),
        ('{"values": {"staff_total": 1e999}}', "数值 1e999 不是有限的数字"),
        ("[" * 100_000 + "]" * 100_000, "JSON 嵌套层数过深"),
    ],
)
def test_non_standard_or_hostile_json(
    tmp_path: Path, context: ReadContext, text: str, message: str
) -> None:
    assert message in read_error(write(tmp_path, text), context).message


@pytest.mark.parametrize(
    ("doc", "message", "path"),
    [
        ([base()], "文件内容应为一个 JSON 对象（以 { 开头），实际是列表", None),
        ("85", "文件内容应为一个 JSON 对象（以 { 开头），实际是数字", None),
        (base(values=[85]), "“values”应为对象", "values"),
        (base(values="85"), "实际是文本", "values"),
        (
            base(awards={"title": "x"}),
            "登记表“awards”（获奖情况）应为列表（[{...}, {...}]），实际是对象",
            "awards",
        ),
        (base(events="无"), "登记表“events”（主要活动）应为列表", "events"),
        (
            base(awards=[{"title": "x"}, "县级先进"]),
            '登记表“获奖情况”第 2 行应为对象（{"列": 值, ...}），实际是文本',
            "awards[1]",
        ),
        (base(unit=["S001"]), "“unit”应为文本，实际是列表", "unit"),
        (base(period=2025.5), "“period”应为文本，实际是数字 2025.5", "period"),
        (base(form={"id": "x"}), "“form”应为文本，实际是对象", "form"),
        (
            base(form_version="一"),
            '“form_version”应为正整数（报表版本号），实际是 "一"',
            "form_version",
        ),
        (base(form_version=0), "“form_version”应为正整数", "form_version"),
        (base(consolidated="是"), '“consolidated”应为 true 或 false，实际是 "是"', "consolidated"),
    ],
)
def test_wrong_types(
    tmp_path: Path, context: ReadContext, doc: Any, message: str, path: str | None
) -> None:
    error = read_error(write(tmp_path, doc), context)
    assert message in error.message
    assert error.location == Location(file="return.json", path=path)


def test_gbk_file_gets_a_clear_message(context: ReadContext) -> None:
    error = read_error(DATA / "return_gbk.json", context)
    assert error.code == "not_utf8"
    assert error.message.startswith("文件不是 UTF-8 编码（看起来是 GBK（GB2312/GB18030）编码）")
    assert "请在记事本中“另存为”，编码选择 UTF-8 后重新提交" in error.message
    assert error.location == Location(file="return_gbk.json", line=6)


def test_utf16_file_gets_a_clear_message(tmp_path: Path, context: ReadContext) -> None:
    path = tmp_path / "u16.json"
    path.write_bytes(json.dumps(base()).encode("utf-16"))
    assert read_error(path, context).message.startswith("文件是 UTF-16（Unicode）编码")


def test_undecodable_bytes(tmp_path: Path, context: ReadContext) -> None:
    path = tmp_path / "bin.json"
    path.write_bytes(b'{"unit": "\xff\xff"}')
    assert "文件不是 UTF-8 编码（无法识别其编码）" in read_error(path, context).message


def test_huge_file_is_refused_before_parsing(tmp_path: Path, context: ReadContext) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:  # sparse: takes no disk space, and is not valid JSON
        fh.truncate(MAX_BYTES + 1)
    error = read_error(path, context)
    assert error.code == "too_large"
    assert error.message.startswith("文件太大（20.0 MB），超过 JSON 报表 20 MB 的上限，未读取")


def test_file_at_the_limit_is_parsed(tmp_path: Path, context: ReadContext) -> None:
    text = json.dumps(base())
    path = write(tmp_path, text + " " * (MAX_BYTES - len(text)))
    assert path.stat().st_size == MAX_BYTES
    assert read_one(path, context).unit_code == "S001"


def test_missing_file(tmp_path: Path, context: ReadContext) -> None:
    error = read_error(tmp_path / "nope.json", context)
    assert error.message.startswith("无法打开文件（No such file or directory）")


# --- findings: data is never dropped silently ----------------------------------------


def test_unknown_scalar_key_is_a_warning(tmp_path: Path, context: ReadContext) -> None:
    data = read_one(write(tmp_path, base(unit_name="城关一小", note=None)), context)
    assert codes(data) == [
        ("warning", "unknown_key", "unit_name"),
        ("warning", "unknown_key", "note"),
    ]
    assert data.findings[0].message == '未知的键“unit_name”（值 "城关一小"），已忽略'


def test_unknown_key_holding_data_is_an_error(tmp_path: Path, context: ReadContext) -> None:
    data = read_one(write(tmp_path, base(activities=[{"name": "运动会"}])), context)
    assert codes(data) == [("error", "unknown_key_with_data", "activities")]
    assert data.findings[0].message.startswith("未知的键“activities”含有数据（列表），无法读取")
    assert "awards、events、highlights、problems、priorities" in data.findings[0].message


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        ("award", "awards"),
        ("Events", "events"),
        ("hilights", "highlights"),
        ("获奖情况", "awards"),
        ("Values", "values"),
        ("peroid", "period"),
    ],
)
def test_misspelled_known_key_is_an_error(
    tmp_path: Path, context: ReadContext, key: str, suggestion: str
) -> None:
    data = read_one(write(tmp_path, base(**{key: []})), context)
    assert codes(data) == [("error", "misspelled_key", key)]
    assert data.findings[0].message == f"未知的键“{key}”，是否应为“{suggestion}”？其内容未读取"


@pytest.mark.parametrize("key", ["female_staff", "女教职工数"])
def test_indicator_at_top_level_is_an_error(tmp_path: Path, context: ReadContext, key: str) -> None:
    data = read_one(write(tmp_path, base(**{key: 50})), context)
    assert codes(data) == [("error", "misplaced_indicator", key)]
    assert data.findings[0].message.startswith(f"“{key}”是指标“女教职工数”，应放在 values 中")
    assert data.findings[0].indicator_id == "female_staff"


def test_unknown_column_in_a_register_row_is_an_error(tmp_path: Path, context: ReadContext) -> None:
    row = {"holder_type": "个人", "holder": "张老师", "titel": "优秀教师", "级别": "县"}
    data = read_one(write(tmp_path, base(awards=[row])), context)
    assert codes(data) == [
        ("error", "unknown_column", "awards[0].titel"),
        ("error", "unknown_column", "awards[0].级别"),
    ]
    first, second = (f.message for f in data.findings)
    assert first.startswith(
        "登记表“获奖情况”第 1 行有未知的列“titel”，其内容无法读取。是否应为“title”？"
    )
    assert "可用的列：holder_type（获奖类型）、holder（获奖单位或个人）" in first
    assert second.endswith("请用列代码“level”代替中文列名“级别”")
    assert data.registers[0].cells == {"holder_type": "个人", "holder": "张老师"}


def test_odd_keys_are_quoted_in_paths(tmp_path: Path, context: ReadContext) -> None:
    data = read_one(write(tmp_path, base(highlights=[{"text": "x", "my col": 1}])), context)
    assert codes(data) == [("error", "unknown_column", 'highlights[0]["my col"]')]


def test_non_scalar_values_are_errors(tmp_path: Path, context: ReadContext) -> None:
    doc = base(
        values={"staff_total": [85], "awards": [], "female_staff": 40},
        events=[{"name": "运动会", "participants": {"n": 3}}],
    )
    data = read_one(write(tmp_path, doc), context)
    assert codes(data) == [
        ("error", "bad_value_type", "values.staff_total"),
        ("error", "misplaced_register", "values.awards"),
        ("error", "bad_value_type", "events[0].participants"),
    ]
    messages = [f.message for f in data.findings]
    assert messages[0] == "指标“staff_total”的值应为数字、文本、true/false 或 null，不能是列表"
    assert messages[1] == "登记表“awards”（获奖情况）应放在文件顶层，不能放在 values 中"
    assert messages[2] == "登记表“主要活动”第 1 行的“participants”应为数字、文本或 null，不能是对象"
    assert [v.indicator_id for v in data.values] == ["female_staff"]
    assert data.registers[0].cells == {"name": "运动会"}


def test_duplicate_keys(tmp_path: Path, context: ReadContext) -> None:
    text = (
        '{"unit": "S001", "unit": "S002", "period": "2025Q1", "period": "2025Q1",\n'
        ' "values": {"staff_total": 85, "staff_total": 86},\n'
        ' "awards": [{"level": "县", "level": "县"}]}'
    )
    data = read_one(write(tmp_path, text), context)
    assert codes(data) == [
        ("error", "duplicate_key", "unit"),
        ("warning", "duplicate_key", "period"),
        ("error", "duplicate_key", "values.staff_total"),
        ("warning", "duplicate_key", "awards[0].level"),
    ]
    assert data.findings[0].message == (
        '键“unit”出现了两次且值不同（"S001" 与 "S002"），无法确定哪个是对的，请只保留一个'
    )
    assert data.findings[1].message == "键“period”重复出现（两次的值相同）"
    assert data.unit_code == "S001"  # the first is read
    assert [v.raw for v in data.values] == [85]


def test_file_naming_another_form_version_is_checked_against_it(
    tmp_path: Path, context: ReadContext
) -> None:
    raw = json.loads(json.dumps(standard_form().raw))
    raw["version"] = 2
    raw["registers"][2]["columns"].append({"id": "photo", "label": "照片", "type": "text"})
    v2: FormDefinition = parse_form(raw)
    context.forms[v2.name] = v2
    row = {"category": "文体活动", "text": "x", "photo": "a.jpg"}
    data = read_one(write(tmp_path, base(form_version=2, highlights=[row])), context)
    assert data.findings == []
    assert data.registers[0].cells["photo"] == "a.jpg"
    data = read_one(write(tmp_path, base(form_version=1, highlights=[row])), context)
    assert codes(data) == [("error", "unknown_column", "highlights[0].photo")]


# --- sniffing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'{"unit": "S001"}', True),
        (b'\xef\xbb\xbf \r\n\t{"values": {}}', True),
        (b'{"form": "x", "awards": [], "values": {', True),  # cut short
        ('{"unit": "一小"}'.encode("gbk"), True),  # read() explains the encoding
        ('{"unit": "x"}'.encode("utf-16"), True),
        (b'{"id": "f", "sections": [{"indicators": [{"unit": "\xe4\xba\xba"}]}]}', False),
        (b'{"note": "\\"unit\\": 1", "x": {"values": 1}}', False),
        (b'[{"unit": "S001"}]', False),
        (b"unit,period,indicator,value\n", False),
        (b"PK\x03\x04\x14\x00", False),
        (b"", False),
    ],
)
def test_sniff(head: bytes, expected: bool) -> None:
    assert ADAPTER.sniff(Path("whatever.bin"), head) is expected


def test_sniff_head_cut_inside_a_character() -> None:
    head = '{"unit": "S001", "values": {"x": "城关"}}'.encode()
    assert ADAPTER.sniff(Path("a.json"), head[: head.index("关".encode()) + 1])


def test_top_level_keys_skips_nested_and_string_content() -> None:
    text = '{"a": {"b": 1, "c": [{"d": 2}]}, "e\\"f": "g: h", "i": 3'
    assert top_level_keys(text) == {"a", 'e"f', "i"}


def test_plugin_manager_picks_json_for_a_txt_file() -> None:
    path = DATA / "json_return_named.txt"
    adapters = registered_adapters(create_plugin_manager(load_entry_points=False))
    head = path.read_bytes()[:8192]
    assert [name for name, a in adapters.items() if a.sniff(path, head)] == ["json-return"]
    form = standard_form()
    data = adapters["json-return"].read(path, ReadContext(form=form))
    assert (data[0].unit_code, data[0].values[1].raw) == ("S002", "1200元")
