"""``unionroll rollup`` and ``unionroll trace``: rolled-up figures and where they come from."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click

from unionroll.cli.common import AppContext, format_table, handle_errors, pass_app
from unionroll.core.errors import UsageError
from unionroll.core.forms import Indicator
from unionroll.core.periods import Period
from unionroll.core.rollup import rollup as make_rollup
from unionroll.core.rollup_format import format_figure, format_number, plain_value
from unionroll.core.rollup_types import TARGET_STATUS_ZH, RollupNode, RollupResult
from unionroll.core.trace import Trace
from unionroll.core.trace import trace as make_trace
from unionroll.core.workspace import Config
from unionroll.core.zh import cn_number

JSON_FORMAT_VERSION = 1
LIST_LIMIT = 30


def _level_id(config: Config, text: str) -> str:
    level = config.level(text)
    if level is None:
        known = "、".join(f"{lv.id}（{lv.name}）" for lv in config.levels)
        raise UsageError(f"没有“{text}”这一层级。可用的层级：{known}")
    return level.id


def _write(text: str, output: Path | None, *, bom: bool = False) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8-sig" if bom else "utf-8", newline="")
    click.echo(f"已写入 {output}", err=True)


@click.command("rollup")
@click.option(
    "--period",
    "period_text",
    required=True,
    help="汇总期间，如 2025Q1、2025H1、2025 或 2025年上半年。",
)
@click.option("--unit", "unit_code", help="汇总哪个单位（代码），默认是最上级单位。")
@click.option("--depth", type=click.IntRange(min=0), help="列出下面几级单位（0：只有本单位）。")
@click.option(
    "--by", "by_level", help="列出某一层级的全部单位（层级 id 或中文名，如 school 或 学校）。"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="输出格式。",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="写入文件而不是屏幕。"
)
@click.option(
    "--approved-only",
    is_flag=True,
    help="只计审核通过（学区审核通过或县级确认）的报表，其余按未报计。",
)
@pass_app
@handle_errors
def rollup(
    app: AppContext,
    period_text: str,
    unit_code: str | None,
    depth: int | None,
    by_level: str | None,
    fmt: str,
    output: Path | None,
    approved_only: bool,
) -> None:
    """按层级、按期间汇总收录的报表。

    \b
    unionroll rollup --period 2025H1                     全县合计（按分类）
    unionroll rollup --period 2025H1 --unit T03 --depth 1  一个学区及其学校
    unionroll rollup --period 2025H1 --format json       JSON（格式见 docs/rollup.md）
    unionroll rollup --period 2025H1 --format csv --by 学校  每所学校一行
    """
    ws = app.workspace
    period = Period.parse(period_text)
    level = _level_id(ws.config, by_level) if by_level else None
    # text shows the unit's own totals unless asked for more; json and csv list everything
    text_depth = (depth or 0) if fmt == "text" else depth
    compute_depth = None if level else text_depth
    result = make_rollup(
        ws, period, unit=unit_code, depth=compute_depth, approved_only=approved_only
    )
    if level:
        listed = result.at_level(level)
    elif fmt == "text" and not depth:
        listed = []  # the unit's own totals only
    else:
        listed = list(result.nodes.values())
    if fmt == "json":
        _write(json.dumps(rollup_json(result, listed), ensure_ascii=False, indent=2), output)
    elif fmt == "csv":
        _write(rollup_csv(result, listed), output, bom=output is not None)
    else:
        _write(rollup_text(result, listed), output)


# --- text ---------------------------------------------------------------------------------


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


# --- json and csv ---------------------------------------------------------------------------


def rollup_json(result: RollupResult, listed: list[RollupNode]) -> dict[str, Any]:
    """The JSON document of ``unionroll rollup --format json`` (see docs/rollup.md)."""
    form = result.form
    return {
        "format": "unionroll-rollup",
        "version": JSON_FORMAT_VERSION,
        "workspace": result.workspace_name,
        "period": result.period.code,
        "period_label": result.period.label_zh,
        "quarters": [q.code for q in result.quarters],
        "approved_only": result.approved_only,
        "form": {"id": form.id, "version": form.version, "title": form.title},
        "root": result.root.code,
        "indicators": [
            {
                "id": ind.id,
                "label": ind.label,
                "unit": ind.unit,
                "agg": ind.agg,
                "section": ind.section,
                "levels": list(ind.levels),
            }
            for ind in form.indicators
        ],
        "units": [
            {
                "code": node.code,
                "name": node.name,
                "level": node.level,
                "level_name": node.level_name,
                "parent": node.parent,
                "depth": node.depth,
                "children": list(node.children),
                "completeness": node.completeness.to_dict(),
                "figures": {k: f.to_dict() for k, f in node.figures.items()},
            }
            for node in listed
        ],
        "overlaps": [o.to_dict() for o in result.overlaps],
        "stale_stocks": [
            {
                "unit": s.unit.code,
                "indicator": s.indicator_id,
                "quarter": s.quarter,
                "value": s.value,
                "newer_quarter": s.newer_quarter,
            }
            for s in result.stale_stocks
        ],
        "warnings": list(result.warnings),
    }


def _csv_header(ind: Indicator) -> str:
    if ind.agg == "ratio":
        return f"{ind.label}（%）"
    if ind.agg == "count_yes":
        return f"{ind.label}（是的单位数）"
    return f"{ind.label}（{ind.unit}）" if ind.unit else ind.label


def rollup_csv(result: RollupResult, listed: list[RollupNode]) -> str:
    """One row per unit, one column per indicator, in the form's order (docs/rollup.md)."""
    inds = list(result.form.indicators)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    fixed = ["代码", "单位", "层级", "上级代码", "应报单位", "实报单位", "未报单位"]
    writer.writerow(fixed + [_csv_header(ind) for ind in inds])
    for node in listed:
        c = node.completeness
        figs = node.figures
        row: list[Any] = [
            node.code,
            node.name,
            node.level_name,
            node.parent or "",
            c.expected,
            c.reported,
            len(c.missing),
        ]
        for ind in inds:
            value = plain_value(figs[ind.id])
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            row.append("" if value is None else value)
        writer.writerow([_inert(cell) for cell in row])
    return buf.getvalue()


def _inert(cell: Any) -> Any:
    """Text that Excel or WPS would run as a formula (=, +, -, @, or a tab or CR first)
    gets a leading apostrophe, so it opens as the text it is."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


# --- trace -------------------------------------------------------------------------------------


@click.command("trace")
@click.option("--period", "period_text", required=True, help="汇总期间，如 2025H1。")
@click.option("--unit", "unit_code", required=True, help="单位代码。")
@click.option("--indicator", "indicator_id", required=True, help="指标 id，如 care_funds。")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="输出格式。",
)
@pass_app
@handle_errors
def trace(app: AppContext, period_text: str, unit_code: str, indicator_id: str, fmt: str) -> None:
    """说明一个汇总数是由哪些报表、哪些数值构成的。"""
    ws = app.workspace
    t = make_trace(ws, Period.parse(period_text), unit_code, indicator_id)
    if fmt == "json":
        click.echo(json.dumps(trace_json(t), ensure_ascii=False, indent=2))
        return
    click.echo(trace_text(t), nl=False)


def trace_text(t: Trace) -> str:
    ind = t.indicator
    fig = t.figure
    out = [f"{t.period.label_zh} {t.unit.code} {t.unit.name} · {ind.label}（{ind.id}）"]
    unit = f" {ind.unit}" if fig.agg in ("sum", "stock") and ind.unit else ""
    out.append(
        f"汇总值：{format_figure(ind, fig)}{unit}；实报 {fig.reported} / 应报 {fig.expected} 个单位"
    )
    if fig.agg == "ratio":
        out.append(
            f"比率 = {ind.numerator} 合计 {format_number(fig.numerator)} ÷ "
            f"{ind.denominator} 合计 {format_number(fig.denominator)}"
        )
    if not t.items:
        out.append("没有任何单位报送这一指标。")
        return "\n".join(out) + "\n"
    out.append(f"构成：计入 {len(t.used)} 项，未计入 {len(t.left_out)} 项")
    rows = []
    for i in t.items:
        value = format_number(i.value) if isinstance(i.value, float) else str(i.value)
        row = [
            i.unit.code,
            i.unit.name,
            i.quarter,
            value,
            i.status_zh + (f"：{i.note}" if i.note else ""),
            i.source_name + ("（合并报表）" if i.consolidated else ""),
            i.submitted_at.strftime("%Y-%m-%d %H:%M"),
            i.return_id,
        ]
        if fig.agg == "ratio":
            row.insert(0, "分子" if i.role == "numerator" else "分母")
        rows.append(row)
    headers = ["单位代码", "单位", "季度", "数值", "状态", "来源文件", "报送时间", "报表编号"]
    if fig.agg == "ratio":
        headers.insert(0, "")
    out.append(format_table(headers, rows))
    return "\n".join(out) + "\n"


def trace_json(t: Trace) -> dict[str, Any]:
    return {
        "period": t.period.code,
        "unit": {"code": t.unit.code, "name": t.unit.name, "level": t.unit.level},
        "indicator": t.indicator.id,
        "figure": t.figure.to_dict(),
        "items": [
            {
                "role": i.role,
                "indicator": i.indicator_id,
                "unit": i.unit.code,
                "unit_name": i.unit.name,
                "quarter": i.quarter,
                "value": i.value,
                "status": i.status,
                "note": i.note,
                "return_id": i.return_id,
                "source_name": i.source_name,
                "submitted_at": i.submitted_at.isoformat(sep=" "),
                "consolidated": i.consolidated,
            }
            for i in t.items
        ],
    }


def register(cli: click.Group) -> None:
    cli.add_command(rollup)
    cli.add_command(trace)
