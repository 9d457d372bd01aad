"""The reader: a parsed JSON document turned into ReturnData, with findings on what it holds."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from unionroll.adapters.json_return.common import (
    _SCALARS,
    META_KEYS,
    NAME,
    _key_path,
    _show,
    _type_zh,
)
from unionroll.adapters.json_return.forms import resolve_form
from unionroll.adapters.json_return.parsing import _Obj
from unionroll.core.contracts import ReadContext
from unionroll.core.errors import SourceError
from unionroll.core.forms import FormDefinition
from unionroll.core.model import Finding, Location, RawRegisterRow, RawValue, ReturnData, Severity


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
