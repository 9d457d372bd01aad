"""Writing the rollup workbook (see :mod:`unionroll.plugins.workbook`, which registers the
report): the sheets in order, the whole file written atomically, with xlsxwriter."""

from __future__ import annotations

import contextlib
from pathlib import Path

import xlsxwriter

from unionroll.core.contracts import ReportOptions
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
