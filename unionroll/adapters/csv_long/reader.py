"""Reading one file: the header checked, each line put into the return of its unit and
period, file-level problems listed line by line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from unionroll.adapters.csv_long.grouping import _Group, _Lookup
from unionroll.adapters.csv_long.header import DELIMITER_NAMES, ROLE_NAMES, Header, choose_delimiter
from unionroll.adapters.csv_long.values import _ValueRows
from unionroll.core.contracts import ReadContext
from unionroll.core.errors import SourceError
from unionroll.core.model import Location, ReturnData

NAME = "csv-long"


MAX_LISTED = 50  # bad lines listed in one error; the rest are counted


class _Reader(_ValueRows):
    """Reads one file: the header, then each line into its return (values in the mixin)."""

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
