"""The list sheets of the rollup workbook: reporting, awards, events, plans and targets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from xlsxwriter.workbook import Workbook

from unionroll.core.forms import FormDefinition
from unionroll.core.rollup_types import (
    TARGET_STATUS_ZH,
    RegisterEntry,
    RollupNode,
    RollupResult,
)
from unionroll.core.zh import format_number
from unionroll.plugins.workbook_base import Styles, Table
from unionroll.plugins.workbook_figures import Levels, owner_name, quarter_label

AWARD_LEVELS = ("国家", "省", "市", "县", "乡镇")


def _section_name(form: FormDefinition, key: str | None) -> str:
    if not key:
        return ""
    try:
        return form.section(key).name
    except KeyError:
        return key


def _section_order(form: FormDefinition, key: str | None) -> int:
    for i, sec in enumerate(form.sections):
        if key in (sec.id, sec.name):
            return i
    return len(form.sections)


def _label(form: FormDefinition, register: str, column: str, default: str) -> str:
    """A register column's label from the form, so a county's own wording is used."""
    try:
        return form.register(register).column(column).label or default
    except KeyError:
        return default


def has_register(form: FormDefinition, register: str) -> bool:
    return any(reg.id == register for reg in form.registers)


def reporters(entry: RegisterEntry) -> str:
    names = [r.unit.name for r in entry.reporters] or [entry.unit.name]
    return "、".join(dict.fromkeys(names))


def _month(value: Any) -> tuple[Any, str]:
    return (value, "month") if isinstance(value, int | float) else (value, "text")


def _level_zh(level: str | None) -> str:
    if not level:
        return ""
    return level if level.endswith("级") else f"{level}级"


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


# --- 报送情况 ------------------------------------------------------------------------


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


# --- registers -----------------------------------------------------------------------


def _sorted_awards(entries: Iterable[RegisterEntry], form: FormDefinition) -> list[RegisterEntry]:
    try:
        order = form.register("awards").column("level").options or AWARD_LEVELS
    except KeyError:
        order = AWARD_LEVELS
    rank = {lv: i for i, lv in enumerate(order)}
    return sorted(
        entries,
        key=lambda e: (
            rank.get(e.level or "", len(rank)),
            e.month or 99,
            _section_order(form, e.category),
            str(e.data.get("holder", "")),
        ),
    )


def write_awards_sheet(wb: Workbook, styles: Styles, rollup: RollupResult, title: str) -> str:
    form = rollup.form
    regs = rollup.root.registers
    sheet = Table(wb, styles, "获奖情况", f"{title}：获奖情况")
    by_level = "、".join(f"{_level_zh(lv)} {n} 项" for lv, n in regs.awards_by_level.items() if n)
    entries = _sorted_awards(regs["awards"], form)
    summary = f"共 {len(entries)} 项" + (f"（{by_level}）" if by_level else "")
    if regs.duplicate_awards:
        summary += f"；另有 {regs.duplicate_awards} 条为不同单位重复报送的同一奖项，已合并"
    sheet.note(summary + "。")
    sheet.skip()
    cols = ("level", "holder_type", "holder", "title", "body", "month", "category")
    defaults = ("级别", "获奖类型", "获奖单位或个人", "奖项或称号", "授予单位", "月份", "工作类别")
    sheet.header(
        [*(_label(form, "awards", c, d) for c, d in zip(cols, defaults, strict=True)), "报送单位"],
        widths={2: 24, 3: 30, 4: 24},
    )
    for e in entries:
        d = e.data
        sheet.write_row(
            [
                (_level_zh(e.level), "text"),
                (d.get("holder_type"), "text"),
                (d.get("holder"), "text"),
                (d.get("title"), "text"),
                (d.get("body"), "text"),
                _month(e.month),
                (_section_name(form, e.category), "text"),
                (reporters(e), "text"),
            ]
        )
    sheet.finish()
    return sheet.name


def write_events_sheet(wb: Workbook, styles: Styles, rollup: RollupResult, title: str) -> str:
    form = rollup.form
    entries = sorted(
        rollup.root.registers["events"],
        key=lambda e: (e.month or 99, _section_order(form, e.category), e.unit.code, e.row_no),
    )
    sheet = Table(wb, styles, "主要活动", f"{title}：主要活动")
    total = sum(_number(e.data.get("participants")) or 0 for e in entries)
    sheet.note(f"共 {len(entries)} 项活动，参与 {format_number(total)} 人次。")
    sheet.skip()
    cols = ("month", "name", "category", "role", "participants")
    defaults = ("月份", "活动名称", "工作类别", "主办或参加", "参与人次")
    sheet.header(
        [*(_label(form, "events", c, d) for c, d in zip(cols, defaults, strict=True)), "报送单位"],
        widths={1: 40},
    )
    for e in entries:
        d = e.data
        sheet.write_row(
            [
                _month(e.month),
                (d.get("name"), "text"),
                (_section_name(form, e.category), "text"),
                (d.get("role"), "text"),
                (_number(d.get("participants")), "int"),
                (reporters(e), "text"),
            ]
        )
    sheet.finish()
    return sheet.name


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", "")) if value not in (None, "") else None
    except ValueError:
        return None


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


def write_text_register_sheet(
    wb: Workbook, styles: Styles, rollup: RollupResult, register: str, title: str
) -> str | None:
    """工作亮点 / 存在问题: category, text and who reported it."""
    form = rollup.form
    if not has_register(form, register):
        return None
    reg = form.register(register)
    order = {code: i for i, code in enumerate(rollup.nodes)}
    entries = sorted(
        rollup.root.registers[register],
        key=lambda e: (_section_order(form, e.category), order.get(e.unit.code, 0), e.row_no),
    )
    sheet = Table(wb, styles, reg.name, f"{title}：{reg.name}")
    sheet.note(f"共 {len(entries)} 条。")
    sheet.skip()
    sheet.header(
        [
            _label(form, register, "category", "工作类别"),
            _label(form, register, "text", "内容"),
            "报送单位",
        ],
        widths={1: 80},
    )
    for e in entries:
        sheet.write_row(
            [
                (_section_name(form, e.category), "text"),
                (e.data.get("text"), "text"),
                (reporters(e), "text"),
            ]
        )
    sheet.finish()
    return sheet.name
