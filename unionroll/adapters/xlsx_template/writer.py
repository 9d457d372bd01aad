"""Writing one template: :func:`write_template`, the writer, the instructions and metadata.

Everything a user can type or that comes from user data is written with ``write_string``
and the workbook refuses to turn strings into formulas, numbers or links.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import xlsxwriter
import xlsxwriter.exceptions
from xlsxwriter.worksheet import Worksheet

from unionroll.adapters.xlsx_template.data_sheet import _DataSheetMixin
from unionroll.adapters.xlsx_template.formats import _Formats
from unionroll.adapters.xlsx_template.layout import (
    DATA_SHEET,
    DEFAULT_REGISTER_ROWS,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    META_KEYS,
    META_SHEET,
    TEMPLATE_FORMAT,
)
from unionroll.adapters.xlsx_template.register_sheet import _RegisterSheetMixin
from unionroll.adapters.xlsx_template.text import _wrapped_lines, format_date_zh
from unionroll.core.errors import UnionrollError
from unionroll.core.forms import FormDefinition
from unionroll.core.model import UnitInfo
from unionroll.core.periods import Period

_INSTRUCTIONS_TEMPLATE = (
    Path(__file__).resolve().parent.parent.parent / "data" / "return_instructions.txt.j2"
)


def write_template(
    path: str | Path,
    *,
    form: FormDefinition,
    unit: UnitInfo,
    period: Period,
    level_name: str,
    county_name: str | None = None,
    template_id: str | None = None,
    register_rows: int = DEFAULT_REGISTER_ROWS,
    generated_at: datetime | None = None,
    values: Mapping[str, Any] | None = None,
    registers: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    consolidated: bool = False,
) -> Path:
    """Write the return template for one unit and period to ``path`` and return the path.

    ``level_name`` is the Chinese name of the unit's level (学校); ``county_name`` is who
    receives the returns, named in the instructions. ``template_id`` defaults to a new
    random id; it is stored in the hidden metadata sheet and comes back with the return.
    ``values`` (indicator id → value) and ``registers`` (register id → rows of column id →
    value) pre-fill the template: last quarter's figures for a unit to correct, or a
    filled return for the demo and the benchmarks. ``consolidated``: a return a township
    (or any unit above the lowest level) sends for its whole area, carrying the indicators
    of the levels below it too; the metadata marks it so.
    """
    path = Path(path)
    writer = _TemplateWriter(
        form=form,
        unit=unit,
        period=period,
        level_name=level_name,
        county_name=county_name,
        template_id=template_id or uuid.uuid4().hex,
        register_rows=register_rows,
        generated_at=generated_at or datetime.now().replace(microsecond=0),
        values=values,
        registers=registers,
        consolidated=consolidated,
    )
    writer.write(path)
    return path


@lru_cache(maxsize=1)
def _instructions_template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_INSTRUCTIONS_TEMPLATE.parent)),
        autoescape=False,  # plain text into cells, written with write_string
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(_INSTRUCTIONS_TEMPLATE.name)


class _TemplateWriter(_DataSheetMixin, _RegisterSheetMixin):
    def __init__(
        self,
        *,
        form: FormDefinition,
        unit: UnitInfo,
        period: Period,
        level_name: str,
        county_name: str | None,
        template_id: str,
        register_rows: int,
        generated_at: datetime,
        values: Mapping[str, Any] | None = None,
        registers: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        consolidated: bool = False,
    ) -> None:
        self.consolidated = consolidated
        self.values = dict(values or {})
        self.registers = {k: list(v) for k, v in (registers or {}).items()}
        self.form = form
        self.unit = unit
        self.period = period
        self.level_name = level_name
        self.county_name = county_name
        self.template_id = template_id
        self.register_rows = max(1, register_rows)
        self.generated_at = generated_at
        self.deadline = period.deadline(form.deadline_days)
        if consolidated and unit.level in form.levels:
            covered = form.levels[form.levels.index(unit.level) :]
            self.indicators = [
                ind
                for ind in form.indicators
                if not ind.is_derived and any(ind.applies_to(lv) for lv in covered)
            ]
        else:
            self.indicators = form.input_indicators_for_level(unit.level)
        self._list_cols: dict[tuple[str, ...], str] = {}

    # The order sheets are added is the order users see them in.
    def write(self, path: Path) -> None:
        wb = xlsxwriter.Workbook(
            str(path),
            {
                "in_memory": True,  # no temporary files: faster, and safe in parallel
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        from unionroll import __version__

        self.version = __version__
        wb.set_properties(
            {
                "title": f"{self.form.title}（{self.period.label_zh}）",
                "subject": f"{self.unit.name} {self.period.label_zh}",
                "author": self.county_name or "unionroll",
                "comments": "由 unionroll 生成的报表模板",
            }
        )
        self.f = _Formats(wb)
        data = wb.add_worksheet(DATA_SHEET)
        reg_sheets = [(reg, wb.add_worksheet(reg.name)) for reg in self.form.registers]
        instructions = wb.add_worksheet(INSTRUCTIONS_SHEET)
        self.lists = wb.add_worksheet(LISTS_SHEET)
        meta = wb.add_worksheet(META_SHEET)

        self._data_sheet(data)
        for reg, ws in reg_sheets:
            self._register_sheet(ws, reg)
        self._instructions_sheet(instructions)
        self._meta_sheet(meta)
        self.lists.protect("", {})
        self.lists.hide()
        data.activate()
        try:
            wb.close()
        except (xlsxwriter.exceptions.FileCreateError, OSError) as exc:
            raise UnionrollError(
                f"无法写入模板文件“{path}”（{exc}）。如果该文件正在 Excel/WPS 中打开，请先关闭；"
                "并确认文件夹存在且可以写入。"
            ) from None

    def _instructions_sheet(self, ws: Worksheet) -> None:
        text = _instructions_template().render(
            form=self.form,
            unit=self.unit,
            level_name=self.level_name,
            period=self.period,
            deadline=format_date_zh(self.deadline),
            county_name=self.county_name,
            data_sheet=DATA_SHEET,
            registers=self.form.registers,
        )
        width = 76  # fits an A4 page in portrait at 100 %
        ws.set_column(0, 0, width)
        lines = text.strip("\n").split("\n")
        ws.write_string(0, 0, lines[0], self.f.instr_title)
        ws.set_row(0, 24)
        for i, line in enumerate(lines[1:], start=1):
            if line.strip():
                ws.write_string(i, 0, line, self.f.instr)
                # Not every program re-measures wrapped rows on opening: give each its height.
                ws.set_row(i, 16 * _wrapped_lines(line, width))
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.protect("", {"format_columns": True, "format_rows": True})

    def _meta_sheet(self, ws: Worksheet) -> None:
        values = {
            "template_format": str(TEMPLATE_FORMAT),
            "form_id": self.form.id,
            "form_version": str(self.form.version),
            "form_title": self.form.title,
            "unit_code": self.unit.code,
            "unit_name": self.unit.name,
            "unit_level": self.unit.level,
            "unit_level_name": self.level_name,
            "period": self.period.code,
            "period_label": self.period.label_zh,
            "deadline": self.deadline.isoformat(),
            "template_id": self.template_id,
            "generated_at": self.generated_at.isoformat(),
            "generator": f"unionroll {self.version}",
        }
        ws.write_string(0, 0, "key", self.f.plain)
        ws.write_string(0, 1, "value", self.f.plain)
        for i, key in enumerate(META_KEYS, start=1):
            ws.write_string(i, 0, key, self.f.plain)
            ws.write_string(i, 1, values[key], self.f.plain)
        if self.consolidated:
            ws.write_string(len(META_KEYS) + 1, 0, "consolidated", self.f.plain)
            ws.write_string(len(META_KEYS) + 1, 1, "是", self.f.plain)
        ws.set_column(0, 0, 18)
        ws.set_column(1, 1, 40)
        ws.protect("", {})
        ws.hide()
