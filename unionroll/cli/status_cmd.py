"""``unionroll status``: who reported for a period, who is late, who is missing."""

from __future__ import annotations

from pathlib import Path

import click

from unionroll.cli.common import AppContext, echo_json, format_table, handle_errors, pass_app
from unionroll.core.periods import Period
from unionroll.core.status import period_status
from unionroll.plugins.chase_list import chase_reason, write_chase_list


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@click.command("status")
@click.option(
    "--period", "period_text", required=True, help="报送期间，如 2025Q1 或 2025年第一季度。"
)
@click.option(
    "--chase", type=click.Path(dir_okay=False, path_type=Path), help="把催报名单写入此 .xlsx 文件。"
)
@click.option("--units", "show_units", is_flag=True, help="列出每个应报单位的状态。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
@handle_errors
def status(
    app: AppContext, period_text: str, chase: Path | None, show_units: bool, as_json: bool
) -> None:
    """按学区列出某期报表的报送情况：应报、已报、按时、逾期、退回、未报。"""
    ws = app.workspace
    st = period_status(ws, Period.parse(period_text))
    if as_json:
        echo_json(
            {
                "period": st.period.code,
                "deadline": st.deadline.isoformat(),
                "expected": st.expected,
                "reported": st.reported,
                "units": [
                    {
                        "code": u.code,
                        "name": u.name,
                        "level": u.level,
                        "group": u.group_code,
                        "state": u.state,
                        "submitted_at": u.submitted_at.isoformat() if u.submitted_at else None,
                        "days_late": u.days_late,
                        "reason": u.reason,
                        "review": u.review,
                        "review_label": u.review_label,
                        "review_reason": u.review_reason,
                    }
                    for u in st.units
                ],
            }
        )
        return
    d = st.deadline
    click.echo(f"{st.period.label_zh}报送情况（截止 {d.year}年{d.month}月{d.day}日）")
    rows = [
        [
            g.name,
            g.expected,
            g.reported,
            g.count("on_time"),
            g.count("late"),
            g.count("rejected"),
            g.count("missing", "pending"),
            _pct(g.rate),
            g.approved,
        ]
        for g in st.groups
    ]
    rows.append(
        [
            "合计",
            st.expected,
            st.reported,
            st.count("on_time"),
            st.count("late"),
            st.count("rejected"),
            st.count("missing", "pending"),
            _pct(st.rate),
            st.approved,
        ]
    )
    click.echo(
        format_table(
            [
                "学区/乡镇",
                "应报",
                "已报",
                "按时",
                "逾期报送",
                "被退回",
                "未报",
                "报送率",
                "审核通过",
            ],
            rows,
        )
    )
    level_name = ws.config.level_name
    listed = (
        st.units
        if show_units
        else [u for u in st.units if u.state != "on_time" or u.review == "returned"]
    )
    if listed:
        click.echo("")
        click.echo(
            format_table(
                ["学区/乡镇", "代码", "单位", "层级", "状态", "审核", "说明"],
                [
                    [
                        u.group_name,
                        u.code,
                        u.name,
                        level_name(u.level),
                        u.state_zh
                        + (f"（{u.days_late} 天）" if u.days_late and u.state != "pending" else ""),
                        u.review_label,
                        chase_reason(u),
                    ]
                    for u in listed
                ],
            )
        )
    if chase:
        write_chase_list(st, chase, title_prefix=ws.config.name)
        click.echo(f"\n催报名单已写入 {chase}（{len(st.to_chase)} 个单位待报送）")


def register(cli: click.Group) -> None:
    cli.add_command(status)
