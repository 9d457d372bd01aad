"""The Excel return template: one workbook per unit and period, written with xlsxwriter.

The layout is a contract with :mod:`unionroll.adapters.xlsx_return` and with any program
that fills templates in; docs/return-format.md describes it and the constants below are
its single source. Rows are found by the ids in the 指标代码 column and register columns by
the id row, so a user inserting rows or moving columns does not break reading.

Everything a user can type or that comes from user data is written with ``write_string``
and the workbook refuses to turn strings into formulas, numbers or links.
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import xlsxwriter
import xlsxwriter.exceptions
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from unionroll.core.errors import UnionrollError
from unionroll.core.forms import DEFAULT_MAX, FormDefinition, Indicator, Register, RegisterColumn
from unionroll.core.model import UnitInfo
from unionroll.core.periods import Period
from unionroll.core.zh import cn_number

# --- the layout (documented in docs/return-format.md; change both together) -------------

TEMPLATE_FORMAT = 1  # bump when the layout changes in a way a reader must know about

DATA_SHEET = "报表"
INSTRUCTIONS_SHEET = "填表说明"
LISTS_SHEET = "_lists"
META_SHEET = "_meta"

# Data sheet columns (0-based), found by their header text when reading.
COL_NO, COL_LABEL, COL_UNIT, COL_VALUE, COL_NOTE, COL_ID = range(6)
DATA_HEADERS = ("序号", "指标", "单位", "填报值", "说明", "指标代码")
HEADER_ID_TEXT = DATA_HEADERS[COL_ID]
HEADER_VALUE_TEXT = DATA_HEADERS[COL_VALUE]
HEADER_LABEL_TEXT = DATA_HEADERS[COL_LABEL]

# The unit/period block at the top of the data sheet: (key in the id column, label).
# Keys start with "_" so they can never clash with an indicator id.
HEADER_FIELDS: tuple[tuple[str, str], ...] = (
    ("_unit_name", "填报单位"),
    ("_unit_code", "单位代码"),
    ("_unit_level", "单位层级"),
    ("_period_label", "报表期间"),
    ("_period", "期间代码"),
    ("_deadline", "报送截止日期"),
)
FIRST_HEADER_FIELD_ROW = 1  # 0-based: row 2 in Excel
COLUMN_HEADER_ROW = FIRST_HEADER_FIELD_ROW + len(HEADER_FIELDS) + 1  # row 9 in Excel

# Register sheets (0-based rows): a title, the Chinese labels, the column ids, then data.
REG_TITLE_ROW, REG_LABEL_ROW, REG_ID_ROW, REG_FIRST_DATA_ROW = 0, 1, 2, 3
DEFAULT_REGISTER_ROWS = 200

META_KEYS = (
    "template_format",
    "form_id",
    "form_version",
    "form_title",
    "unit_code",
    "unit_name",
    "unit_level",
    "unit_level_name",
    "period",
    "period_label",
    "deadline",
    "template_id",
    "generated_at",
    "generator",
)

MONTHS = tuple(str(m) for m in range(1, 13))
_INSTRUCTIONS_TEMPLATE = (
    Path(__file__).resolve().parent.parent / "data" / "return_instructions.txt.j2"
)

# Excel limits: a list validation's inline source is at most 255 characters.
_INLINE_LIST_MAX = 250


# --- public API --------------------------------------------------------------------------


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


@dataclass(frozen=True)
class TemplateJob:
    """One template to write in a batch."""

    unit: UnitInfo
    level_name: str
    path: Path
    template_id: str | None = None


def template_filename(unit: UnitInfo, period: Period) -> str:
    """A file name people recognise: ``2025Q1_S001_城关一小.xlsx`` (unsafe characters removed)."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "", unit.name).strip(" .")[:40]
    code = re.sub(r'[\\/:*?"<>|\x00-\x1f\s]+', "_", unit.code)
    return f"{period.code}_{code}_{name}.xlsx" if name else f"{period.code}_{code}.xlsx"


def write_templates(
    out_dir: str | Path,
    units: Iterable[UnitInfo],
    *,
    form: FormDefinition,
    period: Period,
    level_names: Mapping[str, str],
    county_name: str | None = None,
    register_rows: int = DEFAULT_REGISTER_ROWS,
    workers: int | None = None,
    on_written: Callable[[UnitInfo, Path], None] | None = None,
) -> list[Path]:
    """Write one template per unit into ``out_dir`` (created if needed); return the paths.

    File names come from :func:`template_filename`. ``level_names`` maps a level id to its
    Chinese name. Large batches are written by ``workers`` processes (default: the CPU
    count, at most 8; ``workers=1`` writes in this process). ``on_written`` is called in
    this process after each file, for a progress bar.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [
        TemplateJob(
            unit=u,
            level_name=level_names.get(u.level, u.level),
            path=out / template_filename(u, period),
        )
        for u in units
    ]
    generated_at = datetime.now().replace(microsecond=0)
    common = {
        "form": form,
        "period": period,
        "county_name": county_name,
        "register_rows": register_rows,
        "generated_at": generated_at,
    }
    if workers is None:
        workers = min(8, os.cpu_count() or 1)
    # Starting processes costs more than a few dozen templates take to write.
    if workers <= 1 or len(jobs) < 40:
        for job in jobs:
            _write_job(job, common)
            if on_written:
                on_written(job.unit, job.path)
        return [job.path for job in jobs]
    chunk = max(1, min(50, len(jobs) // (workers * 4)))
    batches = [jobs[i : i + chunk] for i in range(0, len(jobs), chunk)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for batch in pool.map(_write_batch, batches, [common] * len(batches)):
            for job in batch:
                if on_written:
                    on_written(job.unit, job.path)
    return [job.path for job in jobs]


def _write_job(job: TemplateJob, common: Mapping[str, Any]) -> None:
    write_template(
        job.path,
        unit=job.unit,
        level_name=job.level_name,
        template_id=job.template_id,
        **common,
    )


def _write_batch(jobs: Sequence[TemplateJob], common: Mapping[str, Any]) -> Sequence[TemplateJob]:
    for job in jobs:
        _write_job(job, common)
    return jobs


# --- helpers shared with the reader and the docs -------------------------------------------


def format_date_zh(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def indicator_list_label(ind: Indicator) -> str:
    """How an indicator appears in the 对应指标 drop-down of the priorities register."""
    return ind.label


def list_indicators(form: FormDefinition, level: str) -> list[Indicator]:
    """The indicators a plan row may name: the numeric ones a unit of ``level`` fills in."""
    return [ind for ind in form.input_indicators_for_level(level) if ind.is_numeric]


def type_hint(ind: Indicator) -> str:
    """The 说明 text for an indicator: what to enter, in plain Chinese."""
    if ind.type == "int":
        hint = "填整数"
    elif ind.type == "money":
        hint = "单位：元，可保留两位小数"
    elif ind.type == "decimal":
        hint = "填数字，可有小数"
    elif ind.type == "bool":
        hint = "从下拉列表选择“是”或“否”"
    elif ind.type == "choice":
        hint = "从下拉列表选择：" + "/".join(ind.options)
    else:
        hint = "填文字"
    return hint


# --- the writer ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _instructions_template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_INSTRUCTIONS_TEMPLATE.parent)),
        autoescape=False,  # plain text into cells, written with write_string
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(_INSTRUCTIONS_TEMPLATE.name)


class _Formats:
    """Cell formats, created once per workbook."""

    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
        boxed = {**base, "border": 1, "border_color": "#A6A6A6"}
        entry = {**boxed, "locked": False, "bg_color": "#FFF2CC"}

        def fmt(props: dict[str, Any], **kw: Any) -> Any:
            return wb.add_format({**props, **kw})

        self.title = fmt(base, bold=True, font_size=16, align="center")
        self.head_label = fmt(boxed, bold=True, bg_color="#F2F2F2")
        self.head_value = fmt(boxed, bold=True, num_format="@")
        self.note = fmt(base, font_size=9, font_color="#595959", text_wrap=True)
        self.col_header = fmt(boxed, bold=True, align="center", bg_color="#D9D9D9", text_wrap=True)
        self.section = fmt(boxed, bold=True, bg_color="#DDEBF7")
        self.label = fmt(boxed, text_wrap=True)
        self.center = fmt(boxed, align="center")
        self.hint = fmt(boxed, font_size=9, font_color="#595959", text_wrap=True)
        self.id = fmt(boxed, font_size=8, font_color="#808080", num_format="@")
        self.in_int = fmt(entry, num_format="0")
        self.in_money = fmt(entry, num_format="0.00")
        self.in_decimal = fmt(entry, num_format="General")
        self.in_text = fmt(entry, num_format="@", text_wrap=True)
        self.instr_title = fmt(base, bold=True, font_size=14)
        self.instr = fmt(base, text_wrap=True, valign="top")
        self.plain = fmt({}, num_format="@")

    def entry_for(self, value_type: str) -> Any:
        return {
            "int": self.in_int,
            "month": self.in_int,
            "money": self.in_money,
            "decimal": self.in_decimal,
            "number": self.in_decimal,
        }.get(value_type, self.in_text)


class _TemplateWriter:
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

    # --- lists for drop-downs --------------------------------------------------------

    def _list_source(self, values: Sequence[str], title: str) -> str | list[str]:
        """An inline list when it fits Excel's limit, else a range on the lists sheet."""
        if sum(len(v) + 1 for v in values) <= _INLINE_LIST_MAX and not any(
            "," in v or '"' in v for v in values
        ):
            return list(values)
        key = tuple(values)
        if key not in self._list_cols:
            col = len(self._list_cols)
            self.lists.write_string(0, col, title, self.f.plain)
            for i, v in enumerate(values, start=1):
                self.lists.write_string(i, col, v, self.f.plain)
            letter = xl_col_to_name(col)
            self._list_cols[key] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        return self._list_cols[key]

    def _validate_list(
        self,
        ws: Worksheet,
        rng: tuple[int, int, int, int],
        values: Sequence[str],
        title: str,
        message: str,
    ) -> None:
        source = self._list_source(values, title)
        ws.data_validation(
            *rng,
            {
                "validate": "list",
                "source": source,
                "input_title": title[:32],
                "input_message": message[:255],
                "error_title": "请从下拉列表中选择",
                "error_message": ("只能填写：" + "、".join(values))[:255]
                if isinstance(source, list)
                else "只能填写下拉列表中的内容。",
                "error_type": "stop",
            },
        )

    def _validate_number(
        self,
        ws: Worksheet,
        rng: tuple[int, int, int, int],
        *,
        whole: bool,
        minimum: float,
        maximum: float,
        title: str,
        message: str,
    ) -> None:
        kind = "整数" if whole else "数字"
        ws.data_validation(
            *rng,
            {
                "validate": "integer" if whole else "decimal",
                "criteria": "between",
                "minimum": minimum,
                "maximum": maximum,
                "input_title": title[:32],
                "input_message": message[:255],
                "error_title": f"请填写{kind}",
                "error_message": f"这里只能填写 {_num(minimum)} 到 {_num(maximum)} 之间的{kind}。"
                "不要填写文字或单位。",
                "error_type": "stop",
            },
        )

    # --- data sheet -------------------------------------------------------------------

    def _data_sheet(self, ws: Worksheet) -> None:
        f = self.f
        ws.set_column(COL_NO, COL_NO, 6)
        ws.set_column(COL_LABEL, COL_LABEL, 34)
        ws.set_column(COL_UNIT, COL_UNIT, 8)
        ws.set_column(COL_VALUE, COL_VALUE, 22)
        ws.set_column(COL_NOTE, COL_NOTE, 34)
        ws.set_column(COL_ID, COL_ID, 18)
        ws.merge_range(
            0,
            COL_NO,
            0,
            COL_ID,
            f"{self.form.title}（{self.period.label_zh}"
            + ("，本单位及下属单位合并报送" if self.consolidated else "")
            + "）",
            f.title,
        )
        ws.set_row(0, 30)
        values = {
            "_unit_name": self.unit.name,
            "_unit_code": self.unit.code,
            "_unit_level": self.level_name,
            "_period_label": self.period.label_zh,
            "_period": self.period.code,
            "_deadline": format_date_zh(self.deadline),
        }
        for i, (key, label) in enumerate(HEADER_FIELDS):
            row = FIRST_HEADER_FIELD_ROW + i
            ws.merge_range(row, COL_NO, row, COL_UNIT, label, f.head_label)
            ws.write_string(row, COL_VALUE, values[key], f.head_value)
            ws.write_blank(row, COL_NOTE, None, f.hint)
            ws.write_string(row, COL_ID, key, f.id)
        note_row = COLUMN_HEADER_ROW - 1
        ws.merge_range(
            note_row,
            COL_NO,
            note_row,
            COL_ID,
            "请在黄色单元格中填写。没有发生的填 0，空着表示“未填报”。"
            "填写前请先阅读“填表说明”工作表；不要修改工作表名称、指标名称和指标代码。",
            f.note,
        )
        ws.set_row(note_row, 30)
        for col, text in enumerate(DATA_HEADERS):
            ws.write_string(COLUMN_HEADER_ROW, col, text, f.col_header)

        rules = self._rule_hints()
        row = COLUMN_HEADER_ROW + 1
        number = 0
        section_no = 0
        for section in self.form.sections:
            inds = [ind for ind in section.indicators if ind in self.indicators]
            if not inds:
                continue
            section_no += 1
            ws.merge_range(
                row, COL_NO, row, COL_NOTE, f"{cn_number(section_no)}、{section.name}", f.section
            )
            ws.write_blank(row, COL_ID, None, f.id)
            row += 1
            for ind in inds:
                number += 1
                ws.write_number(row, COL_NO, number, f.center)
                ws.write_string(row, COL_LABEL, ind.label, f.label)
                ws.write_string(row, COL_UNIT, ind.unit, f.center)
                hint = ind.help or type_hint(ind)
                extra = rules.get(ind.id)
                note = "；".join(p for p in (("必填" if ind.required else ""), hint, extra) if p)
                ws.write_string(row, COL_NOTE, note, f.hint)
                ws.write_string(row, COL_ID, ind.id, f.id)
                self._input_cell(ws, row, ind)
                row += 1

        ws.freeze_panes(COLUMN_HEADER_ROW + 1, 0)
        ws.repeat_rows(COLUMN_HEADER_ROW)
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.protect("", {"format_columns": True, "format_rows": True})

    def _input_cell(self, ws: Worksheet, row: int, ind: Indicator) -> None:
        f = self.f
        rng = (row, COL_VALUE, row, COL_VALUE)
        title = ind.label
        if ind.type in ("int", "money", "decimal"):
            fmt = f.entry_for(ind.type)
            ws.write_blank(row, COL_VALUE, None, fmt)
            lo = ind.min if ind.min is not None else 0
            hi = ind.max if ind.max is not None else DEFAULT_MAX
            unit = f"（单位：{ind.unit}）" if ind.unit else ""
            if ind.type == "int":
                msg = f"填 {_num(lo)} 到 {_num(hi)} 之间的整数{unit}。"
            elif ind.type == "money":
                msg = f"填金额，单位：元，最多两位小数，不小于 {_num(lo)}。不要写“万元”。"
            else:
                msg = f"填 {_num(lo)} 到 {_num(hi)} 之间的数字{unit}。"
            msg += "没有发生的填 0，空着表示未填报。"
            self._validate_number(
                ws, rng, whole=ind.type == "int", minimum=lo, maximum=hi, title=title, message=msg
            )
        elif ind.type == "bool":
            ws.write_blank(row, COL_VALUE, None, f.in_text)
            self._validate_list(ws, rng, ("是", "否"), title, "从下拉列表选择“是”或“否”。")
        elif ind.type == "choice":
            ws.write_blank(row, COL_VALUE, None, f.in_text)
            self._validate_list(
                ws, rng, ind.options, title, "从下拉列表选择：" + "、".join(ind.options) + "。"
            )
        else:
            ws.write_blank(row, COL_VALUE, None, f.in_text)
            ws.data_validation(
                *rng,
                {
                    "validate": "any",
                    "input_title": title[:32],
                    "input_message": "填写文字。",
                },
            )
        if self.values.get(ind.id) is not None:
            fmt = f.entry_for(ind.type) if ind.type in ("int", "money", "decimal") else f.in_text
            _write_value(ws, row, COL_VALUE, self.values[ind.id], fmt)

    def _rule_hints(self) -> dict[str, str]:
        hints: dict[str, list[str]] = {}
        for rule in self.form.rules:
            if rule.kind != "le" or not self.form.has_indicator(rule.other):
                continue
            other = self.form.indicator(rule.other)
            if other not in self.indicators:
                continue
            word = "一般不大于" if rule.severity == "warning" else "不大于"
            hints.setdefault(rule.indicator, []).append(f"{word}“{other.label}”")
        return {k: "，".join(v) for k, v in hints.items()}

    # --- register sheets ---------------------------------------------------------------

    def _register_sheet(self, ws: Worksheet, reg: Register) -> None:
        f = self.f
        ncols = len(reg.columns)
        last_col = max(ncols - 1, 0)
        title = f"{reg.name}（每行填写一项，没有可以不填；行数不够时可插入行）"
        if ncols > 1:
            ws.merge_range(REG_TITLE_ROW, 0, REG_TITLE_ROW, last_col, title, f.head_label)
        else:
            ws.write_string(REG_TITLE_ROW, 0, title, f.head_label)
        ws.set_row(REG_TITLE_ROW, 24)
        first = REG_FIRST_DATA_ROW
        last = REG_FIRST_DATA_ROW + self.register_rows - 1
        for col, column in enumerate(reg.columns):
            label = column.label + ("（必填）" if column.required else "")
            ws.write_string(REG_LABEL_ROW, col, label, f.col_header)
            ws.write_string(REG_ID_ROW, col, column.id, f.id)
            if column.type == "text" and (column.max_length or 0) > 200:
                width = 50
            elif column.type in ("text", "indicator"):
                width = 26
            else:
                width = 12
            width = max(width, 2 * len(label) + 2)  # a CJK character is two widths wide
            # A column format, not styled blank cells: rows people insert or add below
            # look and behave the same, and the file stays small and quick to read.
            ws.set_column(col, col, width, f.entry_for(column.type))
            self._register_validation(ws, (first, col, last, col), reg, column)
        for n, row in enumerate(self.registers.get(reg.id, [])):
            for col, column in enumerate(reg.columns):
                value = row.get(column.id)
                if column.type == "indicator" and value and self.form.has_indicator(value):
                    value = indicator_list_label(self.form.indicator(value))
                if value is not None:
                    _write_value(ws, first + n, col, value, f.entry_for(column.type))
        ws.set_row(REG_LABEL_ROW, 30)
        ws.freeze_panes(REG_FIRST_DATA_ROW, 0)
        ws.repeat_rows(REG_LABEL_ROW, REG_ID_ROW)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.protect(
            "",
            {"format_columns": True, "format_rows": True, "insert_rows": True, "delete_rows": True},
        )

    def _register_validation(
        self, ws: Worksheet, rng: tuple[int, int, int, int], reg: Register, col: RegisterColumn
    ) -> None:
        title = col.label
        if col.type == "choice":
            self._validate_list(
                ws, rng, col.options, title, "从下拉列表选择：" + "、".join(col.options) + "。"
            )
        elif col.type == "category":
            self._validate_list(
                ws, rng, self.form.category_names(), "工作类别", "从下拉列表选择工作类别。"
            )
        elif col.type == "indicator":
            labels = [indicator_list_label(i) for i in list_indicators(self.form, self.unit.level)]
            if labels:
                self._validate_list(
                    ws, rng, labels, "对应指标", "可不填。从下拉列表选择计划对应的报表指标。"
                )
        elif col.type == "month":
            self._validate_list(ws, rng, MONTHS, title, "从下拉列表选择月份（1 到 12）。")
        elif col.type in ("int", "number"):
            self._validate_number(
                ws,
                rng,
                whole=col.type == "int",
                minimum=0,
                maximum=DEFAULT_MAX,
                title=title,
                message="填数字，不要写单位。" if col.type == "number" else "填整数，不要写单位。",
            )
        elif col.max_length:
            ws.data_validation(
                *rng,
                {
                    "validate": "length",
                    "criteria": "<=",
                    "value": col.max_length,
                    "input_title": title[:32],
                    "input_message": f"填写文字，不超过 {col.max_length} 个字。",
                    "error_title": "文字太长",
                    "error_message": f"这里最多填写 {col.max_length} 个字。",
                    "error_type": "stop",
                },
            )

    # --- instructions and metadata -------------------------------------------------------

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


def _write_value(ws: Worksheet, row: int, col: int, value: Any, fmt: Any) -> None:
    """A pre-filled value: numbers as numbers, everything else as literal text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        ws.write_string(row, col, str(value), fmt)
    else:
        ws.write_number(row, col, value, fmt)


def meta_cell(key: str) -> str:
    """Where the template writes a metadata key (A1 notation of its value cell)."""
    return xl_rowcol_to_cell(META_KEYS.index(key) + 1, 1)


def _wrapped_lines(text: str, width: int) -> int:
    """How many lines ``text`` takes in a column ``width`` characters wide (CJK counts 2)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return max(1, -(-used // (width - 2)))


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
