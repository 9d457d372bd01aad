"""The ``unionroll trace`` command: where one rolled-up figure comes from, as text or JSON."""

from __future__ import annotations

import json
from typing import Any

import click

from unionroll.cli.common import AppContext, format_table, handle_errors, pass_app
from unionroll.core.periods import Period
from unionroll.core.rollup_format import format_figure, format_number
from unionroll.core.trace import Trace
from unionroll.core.trace import trace as make_trace


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
