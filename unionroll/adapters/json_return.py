"""Built-in adapter ``json-return``: one return per JSON file.

The file is one UTF-8 JSON object (a BOM is accepted)::

    {"form": "edu-union-quarterly", "form_version": 1, "unit": "CODE", "period": "2025Q1",
     "consolidated": false,
     "values": {"staff_total": 85, "care_funds": "2.5万元", ...},
     "awards": [{"holder_type": "单位", "holder": "...", "level": "县", ...}],
     "events": [...], "highlights": [...], "problems": [...], "priorities": [...]}

Values and register cells are passed on raw (numbers, strings, true/false, null); parsing
them is validation's job, so a string such as ``"=SUM(A1)"`` stays a string. Locations are
JSON paths: ``values.staff_total``, ``awards[2].level`` (array indexes are 0-based as in
JSON; ``RawRegisterRow.row_no`` is 1-based).

Data is never dropped silently:

- a top-level key that is an indicator id or label is an error (it belongs in ``values``);
- a top-level key that looks like a misspelled known key or register (``award``,
  ``Values``) or is a register's Chinese name (``获奖情况``) is an error;
- any other unknown top-level key is an error when its value is a non-empty list or
  object (data that would be lost) and a warning otherwise (``"unit_name": "城关一小"``);
- an unknown column key in a register row is an error;
- a key given twice in one object is an error when the two values differ (the first is
  read), a warning when they are equal.

A file that cannot be read as a return at all (too large, not UTF-8, not JSON, not an
object, a wrong type where an object or list must be) raises
:class:`~unionroll.core.errors.SourceError`.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from pathlib import Path
from typing import Any, ClassVar

from unionroll.core.contracts import Adapter, ReadContext
from unionroll.core.errors import SourceError
from unionroll.core.forms import FormDefinition
from unionroll.core.hookspecs import hookimpl
from unionroll.core.model import (
    Finding,
    Location,
    RawRegisterRow,
    RawValue,
    ReturnData,
    Severity,
)

NAME = "json-return"
MAX_BYTES = 20 * 1024 * 1024  # a quarterly return is a few KiB; anything this big is not one
MAX_DEPTH_MESSAGE = "JSON 嵌套层数过深，不是报表文件"
META_KEYS = ("form", "form_version", "unit", "period", "consolidated", "template_id")
SNIFF_KEYS = frozenset({"values", "unit"})
_SCALARS = (str, int, float, bool, type(None))

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# json's English messages, in the order they are tried (prefix match).
_JSON_MESSAGES = (
    ("Expecting property name enclosed in double quotes", "键名应当用英文双引号括起来"),
    ("Expecting ',' delimiter", "缺少英文逗号“,”"),
    ("Expecting ':' delimiter", "缺少英文冒号“:”"),
    ("Expecting value", "此处应当是一个值（数字、带引号的文本、true/false、null、[ ] 或 { }）"),
    ("Unterminated string", "文本缺少结束的双引号"),
    ("Invalid control character", "文本中有未转义的控制字符（如直接换行），请写成 \\n"),
    ("Invalid \\escape", "文本中有无效的反斜杠转义"),
    ("Invalid \\uXXXX escape", "文本中有无效的 \\u 转义"),
    ("Extra data", "JSON 对象结束后还有多余内容"),
)

# A string token or a bracket; used to find the top-level keys in a file's head.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]', re.DOTALL)
_COLON = re.compile(r"\s*:")


class _Obj(dict):
    """A JSON object that remembers the keys given more than once."""

    duplicates: list[tuple[str, Any, Any]]


class _BadNumber(ValueError):
    pass


def _object_pairs(pairs: list[tuple[str, Any]]) -> _Obj:
    obj = _Obj()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj:
            obj.duplicates.append((key, obj[key], value))  # keep the first, like csv-long
        else:
            obj[key] = value
    return obj


def _reject_constant(name: str) -> Any:
    raise _BadNumber(name)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 would silently become infinity
        raise _BadNumber(text)
    return value


# --- sniffing -------------------------------------------------------------------------


def _decode_head(head: bytes) -> str:
    if head.startswith(_UTF8_BOM):
        head = head[len(_UTF8_BOM) :]
    elif head.startswith(_UTF16_BOMS):
        return head.decode("utf-16", errors="ignore")
    for encoding in ("utf-8", "gb18030"):
        for cut in range(4):  # the head may end inside a multi-byte character
            try:
                return head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
    return head.decode("utf-8", errors="replace")


def top_level_keys(text: str) -> set[str]:
    """The keys of the outermost JSON object found in ``text``, which may be cut short."""
    keys: set[str] = set()
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("{", "["):
            depth += 1
        elif token in ("}", "]"):
            depth -= 1
            if depth <= 0:
                break
        elif depth == 1 and _COLON.match(text, match.end()):
            try:
                keys.add(json.loads(token))
            except ValueError:
                continue
    return keys


# --- reading --------------------------------------------------------------------------


def _read_bytes(path: Path, display: str) -> bytes:
    where = Location(file=display)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(_too_large(size), location=where, code="too_large")
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise SourceError(
            f"无法打开文件（{exc.strerror or exc}）", location=where, code="unreadable"
        ) from None
    if len(data) > MAX_BYTES:
        raise SourceError(_too_large(len(data)), location=where, code="too_large")
    return data


def _too_large(size: int) -> str:
    return (
        f"文件太大（{size / 1024 / 1024:.1f} MB），超过 JSON 报表 "
        f"{MAX_BYTES // 1024 // 1024} MB 的上限，未读取。一份报表的 JSON 文件通常只有几 KB，"
        "请确认选对了文件"
    )


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(data: bytes, display: str) -> str:
    if data.startswith(_UTF16_BOMS):
        raise SourceError(
            "文件是 UTF-16（Unicode）编码，JSON 报表必须用 UTF-8 编码保存。"
            "请在记事本中“另存为”，编码选择 UTF-8 后重新提交",
            location=Location(file=display),
            code="not_utf8",
        )
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        try:
            data.decode("gb18030")
            guess = "看起来是 GBK（GB2312/GB18030）编码"
        except UnicodeDecodeError:
            guess = "无法识别其编码"
        raise SourceError(
            f"文件不是 UTF-8 编码（{guess}）。JSON 报表必须用 UTF-8 编码保存，"
            "请在记事本中“另存为”，编码选择 UTF-8 后重新提交",
            location=Location(file=display, line=line),
            code="not_utf8",
        ) from None


def _json_message(msg: str) -> str:
    for english, chinese in _JSON_MESSAGES:
        if msg.startswith(english):
            return chinese
    return msg


def _parse(text: str, display: str) -> Any:
    try:
        return json.loads(
            text,
            object_pairs_hook=_object_pairs,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
        )
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{_json_message(exc.msg)}",
            location=Location(file=display, line=exc.lineno),
            code="bad_json",
        ) from None
    except _BadNumber as exc:
        raise SourceError(
            f"不是有效的 JSON：数值 {exc} 不是有限的数字"
            "（JSON 不允许 NaN、Infinity 或超出范围的数）",
            location=Location(file=display),
            code="bad_json",
        ) from None
    except RecursionError:
        raise SourceError(
            MAX_DEPTH_MESSAGE, location=Location(file=display), code="bad_json"
        ) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python will convert
        raise SourceError(
            f"不是有效的 JSON：{exc}", location=Location(file=display), code="bad_json"
        ) from None


def _key_path(prefix: str, key: str) -> str:
    """``values.staff_total``, or ``values["a b"]`` for a key that is not a plain name."""
    part = key if key.isidentifier() else "[" + json.dumps(key, ensure_ascii=False) + "]"
    if not prefix:
        return part
    return f"{prefix}{part}" if part.startswith("[") else f"{prefix}.{part}"


def _show(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _type_zh(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "数字"
    if isinstance(value, str):
        return "文本"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "对象"
    return "null"


def resolve_form(context: ReadContext, form_id: str | None, version: int | None) -> FormDefinition:
    """The form a file names, when it is registered; the workspace's form otherwise.

    A file naming an unknown form is rejected by validation; meanwhile its keys are checked
    against the workspace's form.
    """
    form = context.form
    if form_id is None and version is None:
        return form
    wanted_id = form_id or form.id
    if version is None:
        return form if wanted_id == form.id else _latest(context, wanted_id) or form
    named = context.forms.get(f"{wanted_id}@{version}")
    if named is not None:
        return named
    return form


def _latest(context: ReadContext, form_id: str) -> FormDefinition | None:
    matches = [f for f in context.forms.values() if f.id == form_id]
    return max(matches, key=lambda f: f.version) if matches else None


class _Reader:
    """Turns a parsed JSON document into ReturnData, collecting findings as it goes."""

    def __init__(self, doc: _Obj, path: Path, display: str, context: ReadContext) -> None:
        self.doc = doc
        self.path = path
        self.display = display
        self.context = context
        self.findings: list[Finding] = []

    def loc(self, json_path: str | None) -> Location:
        return Location(file=self.display, path=json_path or None)

    def fail(self, message: str, json_path: str) -> SourceError:
        return SourceError(message, location=self.loc(json_path), code="bad_type")

    def add(self, severity: Severity, code: str, message: str, json_path: str, **kw: Any) -> None:
        where = self.loc(json_path)
        self.findings.append(Finding(severity, code, message, location=where, **kw))

    # -- building ---------------------------------------------------------------------

    def build(self) -> ReturnData:
        doc = self.doc
        self.check_duplicates(doc, "")
        form_id = self.text_field("form")
        version = self.version_field()
        unit = self.unit_field()
        period = self.text_field("period", allow_int=True)
        template_id = self.text_field("template_id")
        consolidated = self.bool_field("consolidated")
        form = resolve_form(self.context, form_id, version)
        data = ReturnData(
            source=self.path,
            adapter=NAME,
            unit_code=unit,
            period=period,
            form_id=form_id,
            form_version=version,
            consolidated=consolidated,
            template_id=template_id,
            unit_location=self.loc("unit"),  # where it is, or where it belongs
            period_location=self.loc("period"),
            form_location=self.loc("form_version"),
            # where a value left out belongs, for "required, not filled in"
            input_cells={ind.id: self.loc(_key_path("values", ind.id)) for ind in form.indicators},
        )
        register_ids = [reg.id for reg in form.registers]
        for key, value in doc.items():
            if key == "values":
                data.values = self.values(value, form)
            elif key in register_ids:
                data.registers.extend(self.register_rows(key, value, form))
            elif key not in META_KEYS:
                self.unknown_key(key, value, form)
        data.findings = self.findings
        return data

    def check_duplicates(self, obj: _Obj, prefix: str) -> None:
        for key, first, second in obj.duplicates:
            where = _key_path(prefix, key)
            if first == second:
                self.add("warning", "duplicate_key", f"键“{key}”重复出现（两次的值相同）", where)
            else:
                self.add(
                    "error",
                    "duplicate_key",
                    f"键“{key}”出现了两次且值不同（{_show(first)} 与 {_show(second)}），"
                    "无法确定哪个是对的，请只保留一个",
                    where,
                )

    # -- top-level fields -------------------------------------------------------------

    def text_field(self, key: str, *, allow_int: bool = False) -> str | None:
        value = self.doc.get(key)
        if value is None:
            return None
        if allow_int and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise self.fail(f"“{key}”应为文本，实际是{_type_zh(value)} {_show(value)}", key)
        return value.strip() or None

    def unit_field(self) -> str | None:
        value = self.doc.get("unit")
        if isinstance(value, int) and not isinstance(value, bool):
            # Codes are text; a number has lost any leading zero, so say what was read.
            self.add(
                "warning",
                "unit_code_number",
                f"单位代码写成了数字 {value}，已按文本“{value}”读取；"
                "若代码以 0 开头，请给代码加上双引号",
                "unit",
            )
            return str(value)
        return self.text_field("unit")

    def version_field(self) -> int | None:
        value = self.doc.get("form_version")
        if value is None:
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise self.fail(
                f"“form_version”应为正整数（报表版本号），实际是 {_show(value)}", "form_version"
            )
        return value

    def bool_field(self, key: str) -> bool:
        value = self.doc.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(f"“{key}”应为 true 或 false，实际是 {_show(value)}", key)
        return value

    # -- values -----------------------------------------------------------------------

    def values(self, value: Any, form: FormDefinition) -> list[RawValue]:
        if value is None:
            return []
        if not isinstance(value, dict):
            raise self.fail(
                f'“values”应为对象（{{"指标代码": 数值, ...}}），实际是{_type_zh(value)}', "values"
            )
        self.check_duplicates(value, "values")
        register_ids = {reg.id for reg in form.registers}
        out: list[RawValue] = []
        for key, raw in value.items():
            where = _key_path("values", key)
            if isinstance(raw, _SCALARS):
                out.append(RawValue(indicator_id=key, raw=raw, location=self.loc(where)))
            elif key in register_ids:
                self.add(
                    "error",
                    "misplaced_register",
                    f"登记表“{key}”（{form.register(key).name}）应放在文件顶层，不能放在 values 中",
                    where,
                )
            else:
                self.add(
                    "error",
                    "bad_value_type",
                    f"指标“{key}”的值应为数字、文本、true/false 或 null，不能是{_type_zh(raw)}",
                    where,
                    indicator_id=key,
                    found=raw,
                )
        return out

    # -- registers --------------------------------------------------------------------

    def register_rows(self, reg_id: str, value: Any, form: FormDefinition) -> list[RawRegisterRow]:
        if value is None:
            return []
        register = form.register(reg_id)
        if not isinstance(value, list):
            raise self.fail(
                f"登记表“{reg_id}”（{register.name}）应为列表（[{{...}}, {{...}}]），"
                f"实际是{_type_zh(value)}",
                reg_id,
            )
        column_ids = [col.id for col in register.columns]
        rows: list[RawRegisterRow] = []
        for index, row in enumerate(value):
            row_path = f"{reg_id}[{index}]"
            if not isinstance(row, dict):
                raise self.fail(
                    f'登记表“{register.name}”第 {index + 1} 行应为对象（{{"列": 值, ...}}），'
                    f"实际是{_type_zh(row)}",
                    row_path,
                )
            self.check_duplicates(row, row_path)
            cells: dict[str, Any] = {}
            locations: dict[str, Location] = {}
            for key, cell in row.items():
                where = _key_path(row_path, key)
                if key not in column_ids:
                    self.unknown_column(register, index, key, where)
                elif not isinstance(cell, _SCALARS):
                    self.add(
                        "error",
                        "bad_value_type",
                        f"登记表“{register.name}”第 {index + 1} 行的“{key}”应为数字、文本或 null，"
                        f"不能是{_type_zh(cell)}",
                        where,
                        found=cell,
                    )
                else:
                    cells[key] = cell
                    locations[key] = self.loc(where)
            rows.append(
                RawRegisterRow(
                    register=reg_id,
                    row_no=index + 1,
                    cells=cells,
                    locations=locations,
                    location=self.loc(row_path),
                )
            )
        return rows

    def unknown_column(self, register: Any, index: int, key: str, where: str) -> None:
        by_label = {col.label: col.id for col in register.columns}
        if key in by_label:
            hint = f"请用列代码“{by_label[key]}”代替中文列名“{key}”"
        else:
            close = difflib.get_close_matches(key, [c.id for c in register.columns], n=1)
            hint = f"是否应为“{close[0]}”？" if close else ""
            hint += "可用的列：" + "、".join(f"{c.id}（{c.label}）" for c in register.columns)
        self.add(
            "error",
            "unknown_column",
            f"登记表“{register.name}”第 {index + 1} 行有未知的列“{key}”，其内容无法读取。{hint}",
            where,
        )

    # -- unknown top-level keys -------------------------------------------------------

    def unknown_key(self, key: str, value: Any, form: FormDefinition) -> None:
        indicator = self.indicator_named(key, form)
        if indicator is not None:
            self.add(
                "error",
                "misplaced_indicator",
                f"“{key}”是指标“{form.indicator(indicator).label}”，应放在 values 中："
                f'"values": {{"{indicator}": ...}}',
                key,
                indicator_id=indicator,
            )
            return
        suggestion = self.known_key_like(key, form)
        if suggestion is not None:
            self.add(
                "error",
                "misspelled_key",
                f"未知的键“{key}”，是否应为“{suggestion}”？其内容未读取",
                key,
            )
        elif isinstance(value, list | dict) and value:
            self.add(
                "error",
                "unknown_key_with_data",
                f"未知的键“{key}”含有数据（{_type_zh(value)}），无法读取。指标请放在 values 中，"
                f"登记表请用这些键：{'、'.join(r.id for r in form.registers)}",
                key,
            )
        else:
            self.add(
                "warning",
                "unknown_key",
                f"未知的键“{key}”（值 {_show(value)}），已忽略",
                key,
            )

    @staticmethod
    def indicator_named(key: str, form: FormDefinition) -> str | None:
        for ind in form.indicators:
            if key in (ind.id, ind.label):
                return ind.id
        return None

    @staticmethod
    def known_key_like(key: str, form: FormDefinition) -> str | None:
        for reg in form.registers:
            if key == reg.name:
                return reg.id
        known = [*META_KEYS, "values", *(reg.id for reg in form.registers)]
        lowered = {k.lower(): k for k in known}
        if key.strip().lower() in lowered:
            return lowered[key.strip().lower()]
        close = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.75)
        return close[0] if close else None


class JsonReturnAdapter(Adapter):
    """One return per JSON file; see the module docstring for the shape."""

    name: ClassVar[str] = NAME
    description: ClassVar[str] = "JSON 格式的报表（每个文件一份报表，UTF-8 编码）"
    extensions: ClassVar[tuple[str, ...]] = (".json",)

    def sniff(self, path: Path, head: bytes) -> bool:
        """A JSON object whose first 8 KiB show a top-level ``values`` or ``unit`` key."""
        text = _decode_head(head).lstrip("\ufeff \t\r\n")
        if not text.startswith("{"):
            return False
        return bool(top_level_keys(text) & SNIFF_KEYS)

    def read(self, path: Path, context: ReadContext) -> list[ReturnData]:
        display = context.display_name or path.name
        raw = _read_bytes(path, display)
        doc = _parse(_decode(raw, display), display)
        if not isinstance(doc, dict):
            raise SourceError(
                f"文件内容应为一个 JSON 对象（以 {{ 开头），实际是{_type_zh(doc)}",
                location=Location(file=display),
                code="not_object",
            )
        return [_Reader(doc, path, display, context).build()]


@hookimpl
def register_adapters() -> list[Adapter]:
    return [JsonReturnAdapter()]
