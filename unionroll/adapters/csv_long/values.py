"""One value line of a return: its indicator looked up, duplicates and the form version
checked."""

from __future__ import annotations

from unionroll.adapters.csv_long.grouping import _Group, _only
from unionroll.adapters.csv_long.header import Header
from unionroll.core.forms import FormDefinition
from unionroll.core.model import Finding, RawValue


class _ValueRows:
    """The reader's methods for value lines (see :class:`.reader._Reader`)."""

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
