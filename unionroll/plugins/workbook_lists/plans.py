"""The plan sheets: 下半年计划 (next-half plans) and 目标完成情况 (targets against actuals)."""

from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook

from unionroll.core.forms import FormDefinition
from unionroll.core.rollup_types import TARGET_STATUS_ZH, RollupResult
from unionroll.plugins.workbook_base import Styles, Table
from unionroll.plugins.workbook_lists.common import (
    _label,
    _month,
    _number,
    _section_name,
    _section_order,
    reporters,
)


def target_kind(form: FormDefinition, indicator_id: str | None) -> str:
    """How a target or actual of an indicator is formatted (ratios are in points: 95 = 95%)."""
    if not indicator_id or not form.has_indicator(indicator_id):
        return "general"
    ind = form.indicator(indicator_id)
    if ind.agg == "ratio":
        return "points"
    if ind.type == "money":
        return "money"
    if ind.type == "decimal":
        return "decimal"
    return "int"


def indicator_label(form: FormDefinition, indicator_id: Any) -> str:
    if not indicator_id:
        return ""
    if form.has_indicator(str(indicator_id)):
        return form.indicator(str(indicator_id)).label_with_unit
    return str(indicator_id)


def write_plans_sheet(wb: Workbook, styles: Styles, rollup: RollupResult, title: str) -> str:
    form = rollup.form
    order = {code: i for i, code in enumerate(rollup.nodes)}
    entries = sorted(
        rollup.root.registers["priorities"],
        key=lambda e: (_section_order(form, e.category), order.get(e.unit.code, 0), e.row_no),
    )
    sheet = Table(wb, styles, "下半年计划", f"{title}：下半年工作计划")
    with_target = sum(1 for e in entries if _number(e.data.get("target")) is not None)
    sheet.note(f"共 {len(entries)} 条计划，其中 {with_target} 条有数值目标。")
    sheet.skip()
    cols = ("category", "text", "indicator", "target", "month")
    defaults = ("工作类别", "计划内容", "对应指标", "目标值", "完成月份")
    sheet.header(
        [
            *(_label(form, "priorities", c, d) for c, d in zip(cols, defaults, strict=True)),
            "报送单位",
        ],
        widths={1: 50, 2: 24},
    )
    for e in entries:
        d = e.data
        ind_id = d.get("indicator")
        sheet.write_row(
            [
                (_section_name(form, e.category), "text"),
                (d.get("text"), "text"),
                (indicator_label(form, ind_id), "text"),
                (_number(d.get("target")), target_kind(form, ind_id)),
                _month(e.month if e.month is not None else _number(d.get("month"))),
                (reporters(e), "text"),
            ]
        )
    sheet.finish()
    return sheet.name


def write_targets_sheet(wb: Workbook, styles: Styles, rollup: RollupResult, title: str) -> str:
    form = rollup.form
    checks = rollup.root.targets
    sheet = Table(wb, styles, "目标完成情况", f"{title}：目标完成情况")
    met = sum(1 for t in checks if t.status == "met")
    sheet.note(
        f"{rollup.previous_period.label_zh}各单位工作计划中的目标与{rollup.period.label_zh}"
        f"实际完成情况对比：共 {len(checks)} 条，已完成 {met} 条。比率类指标以百分数计。"
    )
    sheet.skip()
    sheet.header(
        [
            "单位代码",
            "单位名称",
            "工作类别",
            "计划内容",
            "对应指标",
            "目标",
            "实际",
            "状态",
            "差距",
        ],
        widths={3: 50, 4: 24, 7: 22},
    )
    for t in checks:
        kind = target_kind(form, t.indicator_id)
        sheet.write_row(
            [
                (t.unit.code, "text"),
                (t.unit.name, "text"),
                (_section_name(form, t.category), "text"),
                (t.text, "text"),
                (indicator_label(form, t.indicator_id), "text"),
                (t.target, kind),
                (t.actual, kind),
                (t.status_zh, "text"),
                (t.gap, kind),
            ]
        )
    last = sheet.last_row
    totals = rollup.root.target_totals
    if totals:
        sheet.skip()
        sheet.note("按指标合计（各单位目标相加；比率目标不相加）", heading=True)
        hdr = ["", "", "", "计划条数", "对应指标", "目标合计", "实际", "状态", "差距"]
        for col, label in enumerate(hdr):
            if label:
                sheet.ws.write_string(sheet.row, col, label, styles.header)
        sheet.row += 1
        for ind_id, tt in totals.items():
            kind = target_kind(form, ind_id)
            for col, (value, k) in enumerate(
                [
                    (tt.plans, "int"),
                    (indicator_label(form, ind_id), "text"),
                    (tt.target, kind),
                    (tt.actual, kind),
                    (TARGET_STATUS_ZH.get(tt.status, tt.status), "text"),
                    (tt.gap, kind),
                ],
                start=3,
            ):
                sheet.put(col, value, k)
            sheet.row += 1
    sheet.last_row = last  # the autofilter covers the plans, not the totals below
    sheet.finish(freeze_cols=2)
    return sheet.name
