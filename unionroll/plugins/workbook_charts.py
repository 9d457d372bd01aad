"""The 图表 sheet: native Excel charts drawn from the by-township sheet's cells.

Charts refer to the cells of the by-unit sheet rather than to copies of the numbers, so a
figure corrected in the workbook shows in its chart too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.workbook import Workbook

from unionroll.core.errors import ConfigError
from unionroll.core.forms import FormDefinition
from unionroll.core.rollup_types import RollupResult
from unionroll.plugins.workbook_base import Styles, clean_text, print_setup
from unionroll.plugins.workbook_figures import Layout, value_kind

# Drawn when the county's config names no charts of its own (ids the form lacks are left out).
DEFAULT_CHARTS: tuple[tuple[str, ...], ...] = (
    ("needy_staff_visited", "training_participants"),
    ("care_funds",),
)
MAX_CATEGORIES = 200  # more bars than this is no longer a chart anyone can read
_CHART_ROWS = 22  # rows one chart takes on the sheet, with a gap below


def chart_groups(form: FormDefinition, settings: dict[str, Any]) -> list[list[str]]:
    """The indicators to chart, one list per chart: from ``[reports.workbook] charts``
    (a list of lists of indicator ids) or the defaults."""
    raw = settings.get("charts")
    if raw is None:
        groups = [[i for i in group if form.has_indicator(i)] for group in DEFAULT_CHARTS]
        return [g for g in groups if g]
    if not isinstance(raw, list) or not all(
        isinstance(g, list) and g and all(isinstance(i, str) for i in g) for g in raw
    ):
        raise ConfigError(
            "配置项 [reports.workbook] charts 应为指标 id 列表的列表，"
            '例如 charts = [["needy_staff_visited", "training_participants"]]。'
        )
    unknown = [i for g in raw for i in g if not form.has_indicator(i)]
    if unknown:
        raise ConfigError(
            f"配置项 [reports.workbook] charts 中的指标“{'、'.join(unknown)}”不在报表中。"
            "可用 unionroll form show 查看全部指标。"
        )
    not_numeric = [i for g in raw for i in g if form.indicator(i).agg not in _CHARTABLE]
    if not_numeric:
        raise ConfigError(
            f"配置项 [reports.workbook] charts 中的指标“{'、'.join(not_numeric)}”不是数值，"
            "不能画图。"
        )
    return [list(g) for g in raw]


_CHARTABLE = ("sum", "stock", "ratio", "count_yes")


def _ref(sheet: str, r1: int, c1: int, r2: int, c2: int) -> list[Any]:
    return [sheet, r1, c1, r2, c2]


def write_chart_sheet(
    wb: Workbook,
    styles: Styles,
    rollup: RollupResult,
    layout: Layout | None,
    settings: dict[str, Any],
    title: str,
) -> str:
    form = rollup.form
    groups = chart_groups(form, settings)
    ws = wb.add_worksheet("图表")
    ws.write_string(0, 0, clean_text(f"{title}：图表"), styles.title)
    row = 2
    if layout is None or layout.rows < 1:
        ws.write_string(row, 0, "没有可按单位对比的下级单位，未生成图表。", styles.note)
        row += 2
    elif layout.rows > MAX_CATEGORIES:
        ws.write_string(
            row,
            0,
            f"{layout.level_name}超过 {MAX_CATEGORIES} 个，按单位的图表无法阅读，未生成；"
            f"请在“{layout.sheet}”表中筛选查看。",
            styles.note,
        )
        row += 2
    else:
        width = max(720, min(40 * layout.rows + 200, 2000))
        cats = _ref(
            layout.sheet, layout.first_row, layout.name_col, layout.last_row, layout.name_col
        )
        for wanted in groups:
            # an indicator the listed level does not report (in a township's own rollup,
            # listed by school) has no column to draw from
            group = [i for i in wanted if i in layout.columns]
            if not group:
                continue
            chart = wb.add_chart({"type": "column"})
            units = []
            for ind_id in group:
                col = layout.columns[ind_id]
                ind = form.indicator(ind_id)
                units.append("%" if ind.agg == "ratio" else ind.unit)
                chart.add_series(
                    {
                        "name": [layout.sheet, layout.header_row, col],
                        "categories": cats,
                        "values": _ref(layout.sheet, layout.first_row, col, layout.last_row, col),
                        "data_labels": {"value": layout.rows <= 30},
                    }
                )
            labels = "、".join(form.indicator(i).label for i in group)
            unit_text = "、".join(dict.fromkeys(u for u in units if u))
            kind = value_kind(form.indicator(group[0]))
            axis_format = "0%" if kind == "pct" else "#,##0"  # no decimals on an axis
            chart.set_title({"name": f"各{layout.level_name}{labels}"})
            chart.set_x_axis({"name": layout.level_name})
            chart.set_y_axis({"name": unit_text, "num_format": axis_format})
            chart.set_legend({"position": "bottom"})
            ws.insert_chart(row, 0, chart, {"x_scale": width / 480, "y_scale": 1.4})
            row += _CHART_ROWS
        if layout.rate_col is not None:
            chart = wb.add_chart({"type": "bar"})
            chart.add_series(
                {
                    "name": [layout.sheet, layout.header_row, layout.rate_col],
                    "categories": cats,
                    "values": _ref(
                        layout.sheet,
                        layout.first_row,
                        layout.rate_col,
                        layout.last_row,
                        layout.rate_col,
                    ),
                    "data_labels": {"value": layout.rows <= 30, "num_format": "0.0%"},
                }
            )
            chart.set_title({"name": f"各{layout.level_name}报送率"})
            chart.set_x_axis({"name": "报送率", "num_format": "0%", "min": 0, "max": 1})
            chart.set_y_axis({"name": layout.level_name, "reverse": True})
            chart.set_legend({"none": True})
            height = max(1.4, min(0.05 * layout.rows + 0.6, 8))
            ws.insert_chart(row, 0, chart, {"x_scale": 1.6, "y_scale": height})
            row += int(_CHART_ROWS * height / 1.4) + 1
    _awards_chart(wb, styles, rollup, ws, row)
    print_setup(ws, fit_width=True)
    return ws.get_name()


def _awards_chart(wb: Workbook, styles: Styles, rollup: RollupResult, ws: Any, row: int) -> None:
    """Awards by level: a small table on this sheet and a column chart of it."""
    by_level: Sequence[tuple[str, int]] = list(rollup.root.registers.awards_by_level.items())
    if not by_level or not any(n for _, n in by_level):
        return
    ws.write_string(row, 0, "获奖级别", styles.header)
    ws.write_string(row, 1, "获奖（项）", styles.header)
    for i, (level, n) in enumerate(by_level, start=1):
        ws.write_string(
            row + i,
            0,
            clean_text(level if level.endswith("级") else f"{level}级"),
            styles.cell("text"),
        )
        ws.write_number(row + i, 1, n, styles.cell("int"))
    name = ws.get_name()
    chart = wb.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": [name, row, 1],
            "categories": [name, row + 1, 0, row + len(by_level), 0],
            "values": [name, row + 1, 1, row + len(by_level), 1],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": "获奖情况（按级别）"})
    chart.set_x_axis({"name": "级别"})
    chart.set_y_axis({"name": "项", "num_format": "#,##0"})
    chart.set_legend({"none": True})
    ws.insert_chart(row, 3, chart, {"x_scale": 1.2, "y_scale": 1.2})
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 12)
