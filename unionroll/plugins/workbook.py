"""The rollup workbook (汇总工作簿): every rolled-up figure in an .xlsx the county can check.

Sheets: the total by section, one row per township, one row per school, reporting
status and the units to chase, awards, events, highlights, problems, next-half plans,
targets against actuals, the values to check (数据核查), and native Excel charts.
Registered as the ``workbook`` report.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import xlsxwriter

from unionroll.core.contracts import Report, ReportOptions
from unionroll.core.errors import UsageError
from unionroll.core.hookspecs import hookimpl
from unionroll.core.rollup_types import RollupResult
from unionroll.plugins.workbook_base import Styles, clean_text
from unionroll.plugins.workbook_charts import chart_groups, write_chart_sheet
from unionroll.plugins.workbook_checks import write_checks_sheet
from unionroll.plugins.workbook_figures import (
    pick_levels,
    write_group_sheet,
    write_leaf_sheet,
    write_total_sheet,
)
from unionroll.plugins.workbook_lists import (
    has_register,
    write_awards_sheet,
    write_chase_sheet,
    write_events_sheet,
    write_plans_sheet,
    write_status_sheet,
    write_targets_sheet,
    write_text_register_sheet,
)
from unionroll.plugins.workbook_review import write_review_sheet

# Above this many units the workbook is streamed row by row (xlsxwriter's constant-memory
# mode) so a province-wide rollup does not hold every cell in memory at once.
CONSTANT_MEMORY_UNITS = 5_000

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def workbook_filename(rollup: RollupResult, options: ReportOptions) -> str:
    """青山县教育工会2025年上半年汇总表.xlsx; a rollup of part of the tree names its top unit."""
    scope = rollup.root.name if rollup.root.parent is not None else ""
    stem = f"{options.title_prefix}{scope}{rollup.period.label_zh}汇总表"
    stem = _UNSAFE_NAME.sub("_", clean_text(stem)).strip(" .") or "汇总表"
    return f"{stem}.xlsx"


def write_workbook(rollup: RollupResult, path: Path, options: ReportOptions) -> Path:
    """Write the workbook to ``path`` atomically: a half-written file never takes its place."""
    settings = options.settings or {}
    chart_groups(rollup.form, settings)  # a bad [reports.workbook] setting fails before writing
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    wb = xlsxwriter.Workbook(
        str(tmp),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "constant_memory": len(rollup.nodes) > CONSTANT_MEMORY_UNITS,
        },
    )
    try:
        _write_sheets(wb, rollup, options)
        wb.close()
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(Exception):
            wb.fileclosed = True  # nothing more to write; do not let __del__ retry
        tmp.unlink(missing_ok=True)
        raise
    return path


def _write_sheets(wb: xlsxwriter.Workbook, rollup: RollupResult, options: ReportOptions) -> None:
    styles = Styles(wb)
    prefix = options.title_prefix or rollup.workspace_name
    scope = rollup.root.name if rollup.root.parent is not None else ""
    title = f"{prefix}{scope}{rollup.period.label_zh}汇总表"
    wb.set_properties(
        {"title": clean_text(title), "author": clean_text(prefix), "comments": "unionroll"}
    )
    levels = pick_levels(rollup)
    form = rollup.form

    write_total_sheet(wb, styles, rollup, title)
    chart_layout = None
    if levels.group:
        chart_layout = write_group_sheet(wb, styles, rollup, levels.group, title)
    if levels.leaf:
        leaf_layout = write_leaf_sheet(wb, styles, rollup, levels, title)
        chart_layout = chart_layout or leaf_layout
    write_status_sheet(wb, styles, rollup, levels, title)
    write_chase_sheet(wb, styles, rollup, levels, title)
    write_review_sheet(wb, styles, rollup, levels, title)
    if has_register(form, "awards"):
        write_awards_sheet(wb, styles, rollup, title)
    if has_register(form, "events"):
        write_events_sheet(wb, styles, rollup, title)
    for register in ("highlights", "problems"):
        write_text_register_sheet(wb, styles, rollup, register, title)
    if has_register(form, "priorities"):
        write_plans_sheet(wb, styles, rollup, title)
    write_targets_sheet(wb, styles, rollup, title)
    write_checks_sheet(wb, styles, rollup, title)
    write_chart_sheet(wb, styles, rollup, chart_layout, options.settings or {}, title)


class WorkbookReport(Report):
    name = "workbook"
    description = (
        "汇总工作簿：全县汇总、按学区、按学校、报送情况、审核情况、获奖、活动、"
        "计划与目标、图表（.xlsx）"
    )
    formats = ("xlsx",)
    default_formats = ("xlsx",)

    def render(self, rollup: RollupResult, out_dir: Path, options: ReportOptions) -> list[Path]:
        wanted = options.formats or self.default_formats
        unknown = [f for f in wanted if f not in self.formats]
        if unknown:
            raise UsageError(
                f"汇总工作簿不支持格式 {'、'.join(unknown)}，只能生成 {'、'.join(self.formats)}。"
            )
        path = Path(out_dir) / workbook_filename(rollup, options)
        return [write_workbook(rollup, path, options)]


@hookimpl
def register_reports() -> list[Report]:
    return [WorkbookReport()]
