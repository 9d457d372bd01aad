"""The reporting sheets: 报送情况 (reporting by township) and 未报及逾期名单 (the units
missing, partial or late, and the returns left out of the figures)."""

from __future__ import annotations

from xlsxwriter.workbook import Workbook

from unionroll.core.rollup_types import RollupNode, RollupResult
from unionroll.core.zh import format_number
from unionroll.plugins.workbook_base import Styles, Table
from unionroll.plugins.workbook_figures import Levels, owner_name, quarter_label


class OwnerNames:
    """The township (grouping unit) a unit belongs to, looked up once per unit."""

    def __init__(self, rollup: RollupResult, levels: Levels) -> None:
        self.rollup = rollup
        self.group = levels.group
        self._cache: dict[str, str] = {}

    def __call__(self, code: str) -> str:
        if code not in self._cache:
            node = self.rollup.nodes.get(code)
            if node is None:
                self._cache[code] = ""
            elif node.level == self.group or node.parent not in self.rollup.nodes:
                self._cache[code] = node.name
            else:
                self._cache[code] = owner_name(self.rollup, node.parent, self.group)
        return self._cache[code]


def status_units(rollup: RollupResult, levels: Levels) -> list[RollupNode]:
    if levels.group:
        return rollup.at_level(levels.group)
    return [rollup.nodes[c] for c in rollup.root.children if c in rollup.nodes]


def write_status_sheet(
    wb: Workbook, styles: Styles, rollup: RollupResult, levels: Levels, title: str
) -> str:
    root = rollup.root
    units = status_units(rollup, levels)
    level_name = units[0].level_name if units else root.level_name
    sheet = Table(wb, styles, "报送情况", f"{title}：报送情况")
    sheet.note(root.completeness.summary_zh)
    sheet.note("各单位名单见“未报及逾期名单”。")
    sheet.skip()
    sheet.header(
        [
            "单位代码",
            f"{level_name}名称",
            "应报单位（个）",
            "实报单位（个）",
            "部分报送（个）",
            "未报（个）",
            "逾期报送（份）",
            "由上级合并报送（个）",
            "报送率",
        ]
    )

    def row(node: RollupNode, name: str, total: bool) -> None:
        c = node.completeness
        sheet.write_row(
            [
                (node.code, "text"),
                (name, "text"),
                (c.expected, "int"),
                (c.reported, "int"),
                (len(c.partial), "int"),
                (len(c.missing), "int"),
                (len(c.late), "int"),
                (c.covered, "int"),
                (c.rate, "pct"),
            ],
            total=total,
        )

    for node in units:
        row(node, node.name, False)
    row(root, f"{root.name}合计（含本级）", True)
    sheet.finish(freeze_cols=2)
    return sheet.name


def write_chase_sheet(
    wb: Workbook, styles: Styles, rollup: RollupResult, levels: Levels, title: str
) -> str:
    """Every unit missing, partial or late, and every return left out of the figures."""
    c = rollup.root.completeness
    owner = OwnerNames(rollup, levels)
    group_name = rollup.level_names.get(levels.group, "") if levels.group else "单位"
    sheet = Table(wb, styles, "未报及逾期名单", f"{title}：未报、部分报送及逾期单位")
    sheet.note(c.summary_zh)
    sheet.skip()
    sheet.header(["类别", f"所属{group_name}", "单位代码", "单位名称", "说明"])

    def row(kind: str, code: str, name: str, why: str) -> None:
        sheet.write_row(
            [(kind, "text"), (owner(code), "text"), (code, "text"), (name, "text"), (why, "text")]
        )

    several = len(rollup.quarters) > 1
    for unit in c.missing:
        row("未报", unit.code, unit.name, "各季度均未报送" if several else "本期未报送")
    for p in c.partial:
        quarters = "、".join(quarter_label(q) for q in p.missing_quarters)
        row("部分报送", p.unit.code, p.unit.name, f"缺{quarters}")
    for late in c.late:
        row(
            "逾期报送",
            late.unit.code,
            late.unit.name,
            f"{quarter_label(late.quarter)}报表 {late.submitted_at:%Y-%m-%d} 收到，"
            f"截止日期 {late.deadline:%Y-%m-%d}，逾期 {late.days_late} 天",
        )
    for unit in c.unexpected:
        row(
            "非应报单位报送",
            unit.code,
            unit.name,
            "该单位本期不在应报范围内（已撤销或其层级无需报送），但报送了报表",
        )
    for ov in rollup.overlaps:
        row(
            "重复报送未计入",
            ov.excluded.code,
            ov.excluded.name,
            f"{quarter_label(ov.quarter)}已由{ov.consolidating.name}合并报送，本单位报表未计入",
        )
    for st in rollup.stale_stocks:
        ind = (
            rollup.form.indicator(st.indicator_id).label
            if rollup.form.has_indicator(st.indicator_id)
            else st.indicator_id
        )
        row(
            "期末数未计入",
            st.unit.code,
            st.unit.name,
            f"合并报表中{quarter_label(st.quarter)}的“{ind}”{format_number(st.value)}"
            f"已由所属单位{quarter_label(st.newer_quarter)}重新报送，未重复计入",
        )
    sheet.finish(freeze_cols=0)
    return sheet.name
