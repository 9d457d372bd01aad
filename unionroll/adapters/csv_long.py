"""Built-in adapter ``csv-long``: many returns in one table, one value per row.

Line 1 is the header: ``unit,period,indicator,value``, or the Chinese names
单位代码/单位, 期间/报送期间, 指标/指标代码, 数值/填报值, in any order; case, spaces,
``_`` and ``-`` are ignored. An optional ``form_version``/报表版本 column names the form
version. Fields are separated by commas, tabs or semicolons (the header decides).
Encoding: UTF-8 with or without a BOM, else GB18030 (a superset of GBK, which is what
Chinese Excel writes for "CSV"), or UTF-16 with a BOM (Excel's "Unicode text").

Each (unit, period) pair becomes one :class:`ReturnData`, in order of first appearance,
with ``locator`` naming its lines (``第 2–48 行``). Values keep file order and are located
by line number (header = line 1; a quoted value spanning lines is located at its first).
Values are passed on raw (text as read); validation parses them.

The indicator column holds an indicator id (``staff_total``) or its Chinese label from
the form (``在职教职工数``, also ``在职教职工数（人）``); labels are mapped to ids.
Anything else is passed on unchanged, for validation to report as an unknown indicator.

Registers (awards, events, highlights, problems, priorities) cannot be expressed in this
format: one value per row has no room for a register row's several columns. An indicator
cell naming a register is an error finding; registers travel in the xlsx or JSON return.

File-level problems raise :class:`~unionroll.core.errors.SourceError`, listing every bad
line: missing header columns, a row with fewer fields than the header (or non-empty fields
beyond it), an empty unit or period. Such a row cannot be assigned to a return with
certainty, so the whole file is refused rather than guessed at.

Per-return findings: an empty indicator, a register named, an unreadable or inconsistent
form version, and the same indicator twice with different values (errors; the first row
is read); the same indicator twice with the same value, and text in columns this format
does not know (warnings; that text is not read).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from unionroll.core.contracts import Adapter, ReadContext
from unionroll.core.errors import SourceError
from unionroll.core.forms import FormDefinition, Register
from unionroll.core.hookspecs import hookimpl
from unionroll.core.model import Finding, Location, RawValue, ReturnData

NAME = "csv-long"
MAX_BYTES = 200 * 1024 * 1024  # a province's quarter (20,000 units × 45 rows) is ~40 MB
MAX_LISTED = 50  # bad lines listed in one error; the rest are counted
DELIMITERS = (",", "\t", ";")
DELIMITER_NAMES = {",": "逗号", "\t": "制表符", ";": "分号"}

REQUIRED = ("unit", "period", "indicator", "value")
ROLE_NAMES = {
    "unit": "单位代码（unit）",
    "period": "期间（period）",
    "indicator": "指标（indicator）",
    "value": "数值（value）",
    "form_version": "报表版本（form_version）",
}
_ALIASES = {
    "unit": ("unit", "unit_code", "单位代码", "单位"),
    "period": ("period", "期间", "报送期间"),
    "indicator": ("indicator", "指标", "指标代码"),
    "value": ("value", "数值", "填报值"),
    "form_version": ("form_version", "报表版本"),
}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_NOISE = re.compile(r"[\s_\-\ufeff]+")


def _norm(name: str) -> str:
    return _NOISE.sub("", name).casefold()


HEADER_ROLES = {_norm(alias): role for role, aliases in _ALIASES.items() for alias in aliases}


def _norm_label(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")


# --- header ---------------------------------------------------------------------------


@dataclass
class Header:
    """Which column holds what: role → column index, plus the columns nobody reads."""

    names: list[str]
    roles: dict[str, int] = field(default_factory=dict)
    unknown: list[int] = field(default_factory=list)
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [role for role in REQUIRED if role not in self.roles]

    @classmethod
    def parse(cls, names: list[str]) -> Header:
        header = cls(names=names)
        for index, name in enumerate(names):
            role = HEADER_ROLES.get(_norm(name))
            if role is None:
                header.unknown.append(index)
            elif role in header.roles:
                header.duplicates.append((role, header.roles[role], index))
            else:
                header.roles[role] = index
        return header


def _split_line(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # e.g. a NUL byte: not a header this adapter can use
        return []


def choose_delimiter(first_line: str) -> tuple[str, Header]:
    """The delimiter under which the header names the most required columns."""
    best: tuple[str, Header] | None = None
    for delimiter in DELIMITERS:
        header = Header.parse(_split_line(first_line, delimiter))
        if not header.missing:
            return delimiter, header
        if best is None or len(header.missing) < len(best[1].missing):
            best = (delimiter, header)
    assert best is not None
    return best


def _decode_head_line(head: bytes) -> str:
    if head.startswith(_UTF16_BOMS):
        text = head.decode("utf-16", errors="ignore")
        return text.split("\n", 1)[0]
    line = head.split(b"\n", 1)[0]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return line.decode(encoding)
        except UnicodeDecodeError:
            continue
    return line.decode("utf-8", errors="replace")


# --- decoding -------------------------------------------------------------------------


def _read_text(path: Path, display: str) -> str:
    where = Location(file=display)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(_too_large(size), location=where, code="too_large")
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SourceError(
            f"无法打开文件（{exc.strerror or exc}）", location=where, code="unreadable"
        ) from None
    if len(data) > MAX_BYTES:
        raise SourceError(_too_large(len(data)), location=where, code="too_large")
    encodings = ("utf-16",) if data.startswith(_UTF16_BOMS) else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceError(
        "无法识别文件的文字编码（既不是 UTF-8，也不是 GBK/GB18030）。"
        "请在 Excel 或 WPS 中“另存为”CSV（UTF-8）后重新提交",
        location=where,
        code="bad_encoding",
    )


def _too_large(size: int) -> str:
    return (
        f"文件太大（{size / 1024 / 1024:.1f} MB），超过 CSV 文件 "
        f"{MAX_BYTES // 1024 // 1024} MB 的上限，未读取。请分成几个文件提交"
    )


# --- grouping rows into returns -------------------------------------------------------


@dataclass
class _Group:
    """The rows of one (unit, period) pair as they are read."""

    unit: str
    period: str
    first_line: int
    ranges: list[list[int]] = field(default_factory=list)
    values: list[RawValue] = field(default_factory=list)
    seen: dict[str, tuple[int, str]] = field(default_factory=dict)  # indicator → line, raw
    versions: dict[int, int] = field(default_factory=dict)  # version → first line
    unread_columns: set[int] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)

    @property
    def locator(self) -> str:
        parts = [f"{a}–{b}" if a != b else str(a) for a, b in self.ranges]
        shown = "、".join(parts[:4])
        more = f" 等 {len(parts)} 处" if len(parts) > 4 else ""
        return f"第 {shown}{more} 行"


class _Lookup:
    """Indicator and register names of one form, as the indicator column may give them."""

    def __init__(self, form: FormDefinition) -> None:
        self.form = form
        self.indicators: dict[str, str] = {}
        for ind in form.indicators:
            for key in (ind.label_with_unit, ind.label):
                self.indicators[_norm_label(key)] = ind.id
            self.indicators[ind.id.casefold()] = ind.id
        self.registers: dict[str, Register] = {}
        for reg in form.registers:
            self.registers[reg.id.casefold()] = reg
            self.registers[_norm_label(reg.name)] = reg

    def indicator(self, text: str) -> str:
        if self.form.has_indicator(text):
            return text
        return (
            self.indicators.get(text.casefold()) or self.indicators.get(_norm_label(text)) or text
        )

    def register(self, text: str) -> Register | None:
        return self.registers.get(text.casefold()) or self.registers.get(_norm_label(text))


class _Reader:
    def __init__(self, path: Path, display: str, context: ReadContext) -> None:
        self.path = path
        self.display = display
        self.context = context
        self.groups: dict[tuple[str, str], _Group] = {}
        self.bad_lines: list[str] = []
        self.last_key: tuple[str, str] | None = None
        self.lookups: dict[str, _Lookup] = {}

    def loc(self, line: int) -> Location:
        return Location(file=self.display, line=line)

    def bad(self, line: int, reason: str) -> None:
        self.bad_lines.append(f"第 {line} 行：{reason}")

    def lookup(self, version: int | None) -> _Lookup:
        form = self.context.form
        if version is not None:
            form = self.context.forms.get(f"{form.id}@{version}", form)
        if form.name not in self.lookups:
            self.lookups[form.name] = _Lookup(form)
        return self.lookups[form.name]

    def read(self, text: str) -> list[ReturnData]:
        delimiter, header = choose_delimiter(text.split("\n", 1)[0].rstrip("\r"))
        self.check_header(header, delimiter)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            next(reader)  # the header, already understood
            end = reader.line_num
            for fields in reader:
                line, end = end + 1, reader.line_num
                self.row(line, fields, header)
        except csv.Error as exc:
            raise SourceError(
                f"无法按 CSV 读取：{exc}",
                location=self.loc(reader.line_num),
                code="bad_csv",
            ) from None
        if self.bad_lines:
            shown = self.bad_lines[:MAX_LISTED]
            if len(self.bad_lines) > MAX_LISTED:
                shown.append(f"……另有 {len(self.bad_lines) - MAX_LISTED} 行有误，未一一列出")
            error = SourceError(
                f"有 {len(self.bad_lines)} 行格式有误，无法确定属于哪份报表，整个文件未读取。"
                "请改正后重新提交：",
                location=Location(file=self.display),
                code="bad_rows",
            )
            error.details = shown
            raise error
        if not self.groups:
            raise SourceError(
                "文件只有表头，没有任何数据行", location=Location(file=self.display), code="empty"
            )
        return [self.build(group) for group in self.groups.values()]

    def check_header(self, header: Header, delimiter: str) -> None:
        where = self.loc(1)
        if header.missing:
            found = "、".join(f"“{n}”" for n in header.names if n.strip()) or "（空）"
            raise SourceError(
                "表头缺少列："
                + "、".join(ROLE_NAMES[role] for role in header.missing)
                + f"。表头按{DELIMITER_NAMES[delimiter]}分隔读到的列为：{found}。"
                "表头应为 unit,period,indicator,value 或 单位代码,期间,指标,数值",
                location=where,
                code="missing_columns",
            )
        if header.duplicates:
            role, first, second = header.duplicates[0]
            raise SourceError(
                f"表头第 {first + 1} 列“{header.names[first]}”和第 {second + 1} 列"
                f"“{header.names[second]}”都表示{ROLE_NAMES[role]}，请只保留一列",
                location=where,
                code="duplicate_columns",
            )

    def row(self, line: int, fields: list[str], header: Header) -> None:
        if not any(f.strip() for f in fields):
            return  # blank lines (and Excel's ",,,") carry nothing
        width = len(header.names)
        if len(fields) < width:
            self.bad(line, f"只有 {len(fields)} 个字段，表头有 {width} 列")
            return
        if any(f.strip() for f in fields[width:]):
            self.bad(
                line,
                f"有 {len(fields)} 个字段，表头只有 {width} 列"
                "（数值中含有逗号时，请去掉千位分隔符或给数值加英文双引号）",
            )
            return
        unit = fields[header.roles["unit"]].strip()
        period = fields[header.roles["period"]].strip()
        if not unit or not period:
            empty = "、".join(n for n, v in (("单位代码", unit), ("期间", period)) if not v)
            self.bad(line, f"{empty}为空")
            return
        self.add_value(self.group(unit, period, line), line, fields, header)

    def group(self, unit: str, period: str, line: int) -> _Group:
        key = (unit, period)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = _Group(unit=unit, period=period, first_line=line)
        if key == self.last_key:
            group.ranges[-1][1] = line
        else:
            group.ranges.append([line, line])
        self.last_key = key
        return group

    def add_value(self, group: _Group, line: int, fields: list[str], header: Header) -> None:
        version = self.version(group, line, fields, header)
        for index in header.unknown:
            if index < len(fields) and fields[index].strip() and index not in group.unread_columns:
                group.unread_columns.add(index)
                name = header.names[index].strip()
                column = f"“{name}”" if name else "（无列名）"
                group.findings.append(
                    Finding(
                        "warning",
                        "unread_column",
                        f"第 {index + 1} 列{column}不是本格式的列，其内容未读取",
                        location=self.loc(line),
                    )
                )
        text = fields[header.roles["indicator"]].strip()
        if not text:
            group.findings.append(
                Finding("error", "empty_indicator", "指标为空", location=self.loc(line))
            )
            return
        lookup = self.lookup(version if version is not None else _only(group.versions))
        register = lookup.register(text)
        if register is not None and not lookup.form.has_indicator(text):
            group.findings.append(
                Finding(
                    "error",
                    "register_in_csv",
                    f"“{text}”是登记表（{register.name}），"
                    "登记表不能用每行一个数值的 CSV 格式提交，请用 Excel 报表或 JSON 报表提交",
                    location=self.loc(line),
                )
            )
            return
        indicator = lookup.indicator(text)
        raw = fields[header.roles["value"]]
        previous = group.seen.get(indicator)
        if previous is not None:
            self.duplicate(group, indicator, previous, line, raw, lookup.form)
            return
        group.seen[indicator] = (line, raw)
        group.values.append(RawValue(indicator_id=indicator, raw=raw, location=self.loc(line)))

    def duplicate(
        self,
        group: _Group,
        indicator: str,
        previous: tuple[int, str],
        line: int,
        raw: str,
        form: FormDefinition,
    ) -> None:
        first_line, first_raw = previous
        name = f"指标“{indicator}”"
        if form.has_indicator(indicator):
            name += f"（{form.indicator(indicator).label}）"
        where = f"{name}在第 {first_line} 行和第 {line} 行重复出现"
        if first_raw.strip() == raw.strip():
            group.findings.append(
                Finding(
                    "warning",
                    "duplicate_value",
                    f"{where}（值相同），只读取一次",
                    location=self.loc(line),
                    indicator_id=indicator,
                )
            )
            return
        group.findings.append(
            Finding(
                "error",
                "conflicting_value",
                f"{where}，值不同（“{first_raw.strip()}”与“{raw.strip()}”），请只保留一行",
                location=self.loc(line),
                indicator_id=indicator,
                found=raw,
            )
        )

    def version(self, group: _Group, line: int, fields: list[str], header: Header) -> int | None:
        index = header.roles.get("form_version")
        if index is None:
            return None
        text = fields[index].strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            number = 0.0
        if number < 1 or not number.is_integer():
            group.findings.append(
                Finding(
                    "error",
                    "bad_form_version",
                    f"报表版本“{text}”应为正整数",
                    location=self.loc(line),
                    found=text,
                )
            )
            return None
        version = int(number)
        if version not in group.versions:
            if group.versions:
                other, other_line = next(iter(group.versions.items()))
                group.findings.append(
                    Finding(
                        "error",
                        "inconsistent_form_version",
                        f"同一单位同一期间的报表版本不一致：第 {other_line} 行为 {other}，"
                        f"第 {line} 行为 {version}",
                        location=self.loc(line),
                    )
                )
            group.versions[version] = line
        return version

    def build(self, group: _Group) -> ReturnData:
        version = next(iter(group.versions), None)
        where = self.loc(group.first_line)
        return ReturnData(
            source=self.path,
            adapter=NAME,
            unit_code=group.unit,
            period=group.period,
            # The format has no form column: a version, when given, is of the workspace's form.
            form_id=self.context.form.id if version is not None else None,
            form_version=version,
            values=group.values,
            locator=group.locator,
            unit_location=where,
            period_location=where,
            findings=group.findings,
            # A value left out has no line: the unit's first line is where its rows start.
            input_cells={ind.id: where for ind in self.context.form.indicators},
        )


def _only(versions: dict[int, int]) -> int | None:
    return next(iter(versions)) if len(versions) == 1 else None


class CsvLongAdapter(Adapter):
    """Many returns in one CSV table, one value per row; see the module docstring."""

    name: ClassVar[str] = NAME
    description: ClassVar[str] = "CSV 长表（每行一个数值，一个文件可含多个单位、多个期间）"
    extensions: ClassVar[tuple[str, ...]] = (".csv", ".tsv", ".txt")

    def sniff(self, path: Path, head: bytes) -> bool:
        """A text file whose first line names unit, period, indicator and value columns."""
        if b"\x00" in head and not head.startswith(_UTF16_BOMS):
            return False
        line = _decode_head_line(head).rstrip("\r")
        return not choose_delimiter(line)[1].missing

    def read(self, path: Path, context: ReadContext) -> list[ReturnData]:
        display = context.display_name or path.name
        text = _read_text(path, display)
        return _Reader(path, display, context).read(text)


@hookimpl
def register_adapters() -> list[Adapter]:
    return [CsvLongAdapter()]
