"""The 催报 list: units still to report for a period, by township, as an .xlsx workbook."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from unionroll.core.status import PeriodStatus, UnitStatus


def chase_reason(unit: UnitStatus) -> str:
    """Why a unit is on the chase list: the first error of its refused return, or the
    reviewer's reason for sending it back."""
    if unit.reason:
        return unit.reason
    return f"退回修改：{unit.review_reason}" if unit.review_reason else ""


def write_chase_list(status: PeriodStatus, path: Path, *, title_prefix: str = "") -> Path:
    """Write the chase list: a summary by group and one row per unit to chase."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
    cell = wb.add_format({"border": 1})
    pct = wb.add_format({"border": 1, "num_format": "0.0%"})

    period = status.period
    deadline = f"{status.deadline.year}年{status.deadline.month}月{status.deadline.day}日"

    ws = wb.add_worksheet("催报名单")
    ws.write_string(0, 0, f"{title_prefix}{period.label_zh}报表催报名单（截止 {deadline}）", title)
    headers = ["学区/乡镇", "单位代码", "单位名称", "状态", "审核状态", "逾期天数", "说明"]
    ws.write_row(2, 0, headers, head)
    row = 3
    for group in status.groups:
        for unit in group.units:
            if unit.state not in ("missing", "rejected", "pending", "late") and (
                unit.review != "returned"
            ):
                continue
            ws.write_string(row, 0, group.name, cell)
            ws.write_string(row, 1, unit.code, cell)
            ws.write_string(row, 2, unit.name, cell)
            ws.write_string(row, 3, unit.state_zh, cell)
            ws.write_string(row, 4, unit.review_label, cell)
            ws.write_number(row, 5, unit.days_late, cell)
            reason = unit.reason or (
                f"退回修改：{unit.review_reason}" if unit.review_reason else ""
            )
            ws.write_string(row, 6, reason, cell)
            row += 1
    ws.freeze_panes(3, 0)
    ws.autofilter(2, 0, max(row - 1, 2), len(headers) - 1)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 28)
    ws.set_column(3, 5, 12)
    ws.set_column(6, 6, 60)

    summary = wb.add_worksheet("各学区报送情况")
    summary.write_string(0, 0, f"{period.label_zh}报送情况（截止 {deadline}）", title)
    headers = ["学区/乡镇", "应报", "已报", "按时", "逾期报送", "被退回", "未报", "报送率"]
    summary.write_row(2, 0, headers, head)
    row = 3
    for group in status.groups:
        values = [
            group.expected,
            group.reported,
            group.count("on_time"),
            group.count("late"),
            group.count("rejected"),
            group.count("missing", "pending"),
        ]
        summary.write_string(row, 0, group.name, cell)
        summary.write_row(row, 1, values, cell)
        summary.write_number(row, 7, group.rate or 0, pct)
        row += 1
    summary.write_string(row, 0, "合计", head)
    totals = [
        status.expected,
        status.reported,
        status.count("on_time"),
        status.count("late"),
        status.count("rejected"),
        status.count("missing", "pending"),
    ]
    summary.write_row(row, 1, totals, head)
    summary.write_number(row, 7, status.rate or 0, pct)
    summary.freeze_panes(3, 1)
    summary.set_column(0, 0, 16)
    summary.set_column(1, 7, 10)
    wb.close()
    tmp.replace(path)
    return path
