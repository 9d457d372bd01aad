"""The workbook's 审核情况 sheet: where the review of each unit's return stands, per
quarter (已报, 学区审核通过, 县级确认, 已退回, 未报)."""

from __future__ import annotations

from collections import Counter

from xlsxwriter.workbook import Workbook

from unionroll.core.rollup_types import RollupResult
from unionroll.plugins.workbook_base import Styles, Table
from unionroll.plugins.workbook_figures import Levels, owner_name, quarter_label

_ORDER = ("locked", "approved", "submitted", "returned", "not_submitted")


def write_review_sheet(
    wb: Workbook, styles: Styles, rollup: RollupResult, levels: Levels, title: str
) -> str | None:
    if not rollup.review:
        return None
    quarters = list(rollup.review)
    sheet = Table(wb, styles, "审核情况", f"{title}：审核情况")
    counts: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for marks in rollup.review.values():
        for mark in marks.values():
            counts[mark.state] += 1
            # approvals by different townships share one name in the summary
            labels.setdefault(mark.state, "审核通过" if mark.state == "approved" else mark.label)
    summary = "，".join(f"{labels[s]} {counts[s]} 份" for s in _ORDER if counts[s])
    sheet.note(f"各单位各季度报表的审核状态：{summary}。")
    if rollup.approved_only:
        sheet.note("本工作簿的数字只计审核通过的报表。")
    sheet.skip()
    sheet.header(["单位代码", "单位名称", "层级", "所属单位", *map(quarter_label, quarters)])
    expected = [code for code in rollup.nodes if code in rollup.review[quarters[0]]]
    for code in expected:
        node = rollup.nodes[code]
        sheet.write_row(
            [
                (node.code, "text"),
                (node.name, "text"),
                (node.level_name, "text"),
                (owner_name(rollup, node.parent, levels.group), "text"),
                *((rollup.review[q][code].label, "text") for q in quarters),
            ]
        )
    sheet.finish(freeze_cols=2)
    return sheet.name
