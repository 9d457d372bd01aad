"""The text of ``unionroll rollup``: the totals by section, the table per unit, the
registers, the targets and what is missing or left out."""

from __future__ import annotations

from unionroll.cli.common import format_table
from unionroll.core.rollup_format import format_figure, format_number
from unionroll.core.rollup_types import TARGET_STATUS_ZH, RollupNode, RollupResult
from unionroll.core.zh import cn_number

LIST_LIMIT = 30


def _unit_title(result: RollupResult, node: RollupNode) -> str:
    return f"{node.code} {node.name}（{node.level_name}）"


def rollup_text(result: RollupResult, listed: list[RollupNode]) -> str:
    root = result.root
    form = result.form
    out: list[str] = []
    below = sum(1 for _ in result.nodes) - 1
    out.append(f"{result.workspace_name} {result.period.label_zh}工作汇总")
    line = f"汇总单位：{_unit_title(result, root)}"
    if below:
        line += f"，列出下级单位 {below} 个"
    out.append(line)
    out.append(f"报送情况：{root.completeness.summary_zh}")
    if result.approved_only:
        out.append("口径：只计审核通过的报表，未审核的按未报计")
    figures = root.figures
    for n, section in enumerate(form.sections, start=1):
        out.append("")
        out.append(f"{cn_number(n)}、{section.name}")
        rows = []
        for ind in section.indicators:
            fig = figures[ind.id]
            rows.append(
                [
                    ind.label,
                    format_figure(ind, fig),
                    ind.unit
                    if fig.agg in ("sum", "stock")
                    else ("%" if fig.agg == "ratio" else ""),
                    f"{fig.reported}/{fig.expected}",
                ]
            )
        out.append(format_table(["指标", "数值", "单位", "实报/应报"], rows))
    if listed:
        out.extend(_unit_tables(result, listed))
    out.extend(_registers_text(root))
    out.extend(_targets_text(result))
    out.extend(_problems_text(result))
    return "\n".join(out) + "\n"


def _unit_tables(result: RollupResult, listed: list[RollupNode]) -> list[str]:
    out: list[str] = []
    base = min(n.depth for n in listed)

    def label(node: RollupNode) -> str:
        return "  " * (node.depth - base) + f"{node.code} {node.name}"

    for n, section in enumerate(result.form.sections, start=1):
        out.append("")
        out.append(f"{cn_number(n)}、{section.name}（分单位）")
        headers = ["单位", *[ind.label for ind in section.indicators]]
        rows = [
            [label(node), *[format_figure(ind, node.figures[ind.id]) for ind in section.indicators]]
            for node in listed
        ]
        out.append(format_table(headers, rows))
    out.append("")
    out.append("报送情况（分单位）")
    rows = []
    for node in listed:
        c = node.completeness
        rows.append(
            [label(node), c.expected, c.reported, len(c.partial), len(c.missing), len(c.late)]
        )
    out.append(format_table(["单位", "应报", "实报", "部分季度", "未报", "逾期"], rows))
    return out


def _registers_text(root: RollupNode) -> list[str]:
    regs = root.registers
    parts = []
    awards = regs["awards"]
    if awards:
        levels = "，".join(f"{lv or '未填级别'}级 {n} 项" for lv, n in regs.awards_by_level.items())
        text = f"获奖 {len(awards)} 项（{levels}）"
        if regs.duplicate_awards:
            text += f"，另有 {regs.duplicate_awards} 条重复报送已合并"
        parts.append(text)
    names = {
        "events": "主要活动",
        "highlights": "工作亮点",
        "problems": "存在问题",
        "priorities": "工作计划",
    }
    for reg, name in names.items():
        if regs[reg]:
            parts.append(f"{name} {len(regs[reg])} 条")
    if not parts:
        return []
    return ["", "登记表：" + "；".join(parts) + "。"]


def _targets_text(result: RollupResult) -> list[str]:
    checks = result.root.targets
    if not checks:
        return []
    count = {s: sum(1 for c in checks if c.status == s) for s in TARGET_STATUS_ZH}
    out = [
        "",
        f"{result.previous_period.label_zh}工作计划的目标完成情况：共 {len(checks)} 项，"
        f"已完成 {count['met']} 项，未完成 {count['not_met']} 项，"
        f"无法衡量 {count['not_measurable']} 项。",
    ]
    for c in checks:
        if c.status == "not_met" and c.indicator_id:
            ind = result.form.indicator(c.indicator_id)
            out.append(
                f"  未完成：{c.unit}“{c.text}”——{ind.label}目标 {format_number(c.target)}，"
                f"实际 {format_number(c.actual)}，相差 {format_number(c.gap)}"
            )
    return out


def _listing(items: list[str]) -> str:
    text = "、".join(items[:LIST_LIMIT])
    if len(items) > LIST_LIMIT:
        text += f" 等 {len(items)} 个"
    return text


def _problems_text(result: RollupResult) -> list[str]:
    out: list[str] = []
    c = result.root.completeness
    if c.missing:
        out.append("未报单位：" + _listing([str(u) for u in c.missing]))
    if c.partial:
        out.append(
            "部分季度未报："
            + _listing([f"{p.unit}（缺 {'、'.join(p.missing_quarters)}）" for p in c.partial])
        )
    if c.late:
        out.append(
            "逾期报送："
            + _listing([f"{x.unit}（{x.quarter}，逾期 {x.days_late} 天）" for x in c.late])
        )
    if c.unexpected:
        out.append(
            "不在应报范围但报送了的单位（数据已计入）：" + _listing([str(u) for u in c.unexpected])
        )
    if result.overlaps:
        by_cons: dict[tuple[str, str], list[str]] = {}
        for o in result.overlaps:
            by_cons.setdefault((str(o.consolidating), o.quarter), []).append(o.excluded.code)
        for (cons, quarter), codes in by_cons.items():
            out.append(
                f"合并报送：{cons} 报送了 {quarter} 的合并报表，其下 {len(codes)} 个单位的当季报表"
                f"未重复计入（{_listing(codes)}）。"
            )
    for s in result.stale_stocks:
        label = result.form.indicator(s.indicator_id).label
        out.append(
            f"期末数：{s.unit} {s.quarter} 合并报表中的“{label}”（{format_number(s.value)}）"
            f"已被下级 {s.newer_quarter} 的数取代，未计入。"
        )
    for w in result.warnings:
        out.append(f"提醒：{w}")
    return ["", *out] if out else []
