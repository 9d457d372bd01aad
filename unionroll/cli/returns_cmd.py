"""``unionroll returns``: stored returns, their history and their findings."""

from __future__ import annotations

import click
from sqlalchemy import select

from unionroll.cli.common import AppContext, format_table, handle_errors, pass_app
from unionroll.core.errors import UsageError
from unionroll.core.periods import Period
from unionroll.core.review import review_history, review_state
from unionroll.core.store import ReturnRecord, Unit, stored_return

STATUS_ZH = {
    "accepted": "已收录",
    "accepted_with_warnings": "已收录（有提醒）",
    "rejected": "退回",
    "superseded": "已被替换",
}


@click.group("returns")
def returns() -> None:
    """已收到的报表：列表、历史、详情。"""


def _fmt_time(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""  # type: ignore[attr-defined]


@returns.command("list")
@click.option("--period", "period_text", required=True, help="报送期间，如 2025Q1。")
@click.option("--all", "show_all", is_flag=True, help="也列出已被替换的报表。")
@pass_app
@handle_errors
def list_returns(app: AppContext, period_text: str, show_all: bool) -> None:
    """列出某期收到的报表。"""
    period = Period.parse(period_text)
    with app.workspace.session() as session:
        query = (
            select(ReturnRecord, Unit.code, Unit.name)
            .join(Unit, Unit.id == ReturnRecord.unit_id)
            .where(ReturnRecord.period == period.code)
            .order_by(Unit.code, ReturnRecord.id)
        )
        if not show_all:
            query = query.where(ReturnRecord.status != "superseded")
        rows = session.execute(query).all()
    click.echo(f"{period.label_zh}：{len(rows)} 份报表")
    if rows:
        click.echo(
            format_table(
                ["编号", "代码", "单位", "状态", "数值", "错误", "提醒", "收到时间", "文件"],
                [
                    [
                        r.id,
                        code,
                        name,
                        STATUS_ZH.get(r.status, r.status),
                        r.n_values,
                        r.n_errors,
                        r.n_warnings,
                        _fmt_time(r.submitted_at),
                        r.source_name,
                    ]
                    for r, code, name in rows
                ],
            )
        )


@returns.command("history")
@click.argument("unit_code")
@click.argument("period_text", metavar="PERIOD")
@pass_app
@handle_errors
def history(app: AppContext, unit_code: str, period_text: str) -> None:
    """某单位某期报表的全部报送记录（包括被替换和退回的）和审核记录。"""
    period = Period.parse(period_text)
    with app.workspace.session() as session:
        unit = session.execute(select(Unit).where(Unit.code == unit_code)).scalar_one_or_none()
        if unit is None:
            raise UsageError(f"单位名单中没有代码为 {unit_code} 的单位。")
        rows = (
            session.execute(
                select(ReturnRecord)
                .where(ReturnRecord.unit_id == unit.id, ReturnRecord.period == period.code)
                .order_by(ReturnRecord.id)
            )
            .scalars()
            .all()
        )
    click.echo(f"{unit.name}（{unit.code}）{period.label_zh}：{len(rows)} 次报送")
    if rows:
        click.echo(
            format_table(
                ["编号", "收到时间", "状态", "数值", "错误", "提醒", "文件", "被替换于"],
                [
                    [
                        r.id,
                        _fmt_time(r.submitted_at),
                        STATUS_ZH.get(r.status, r.status),
                        r.n_values,
                        r.n_errors,
                        r.n_warnings,
                        r.source_name,
                        f"#{r.superseded_by_id} {_fmt_time(r.superseded_at)}"
                        if r.superseded_by_id
                        else "",
                    ]
                    for r in rows
                ],
            )
        )
    _review_history(app, unit.code, period)


def _review_history(app: AppContext, unit_code: str, period: Period) -> None:
    if period.type is not app.workspace.form.period_type:
        return
    state = review_state(app.workspace, unit_code, period)
    steps = review_history(app.workspace, unit_code, period)
    click.echo("")
    line = f"审核状态：{state.label}"
    if state.reason:
        line += f"（原因：{state.reason}）"
    click.echo(line)
    if steps:
        click.echo(
            format_table(
                ["时间", "操作", "审核单位", "操作人", "报表编号", "状态变化", "原因/意见"],
                [
                    [
                        _fmt_time(e.at),
                        e.action_zh,
                        e.reviewer_name,
                        e.actor,
                        f"#{e.return_id}" if e.return_id else "",
                        f"{e.from_label} → {e.to_label}",
                        e.reason or "",
                    ]
                    for e in steps
                ],
            )
        )


@returns.command("show")
@click.argument("return_id", type=int)
@pass_app
@handle_errors
def show(app: AppContext, return_id: int) -> None:
    """一份报表的全部数值和检查结果。"""
    ws = app.workspace
    form = ws.form
    with ws.session() as session:
        stored = stored_return(session, return_id)
        if stored is None:
            raise UsageError(f"没有编号为 {return_id} 的报表。")
        record, unit, values, findings = (
            stored.record,
            stored.unit,
            stored.values,
            stored.findings,
        )
    period = Period.parse(record.period)
    click.echo(f"报表 #{record.id}：{unit.name}（{unit.code}）{period.label_zh}")
    click.echo(
        f"状态：{STATUS_ZH.get(record.status, record.status)}；文件：{record.source_name}；"
        f"收到：{_fmt_time(record.submitted_at)}"
    )
    rows = []
    for v in values:
        label = form.indicator(v.indicator_id).label if form.has_indicator(v.indicator_id) else ""
        shown = v.text if v.text is not None else _num(v.num)
        rows.append([v.indicator_id, label, shown, v.location or ""])
    if rows:
        click.echo(format_table(["指标代码", "指标", "数值", "位置"], rows))
    for f in findings:
        sev = "错误" if f.severity == "error" else "提醒"
        click.echo(f"[{sev}] {f.location or ''}：{f.message}")


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def register(cli: click.Group) -> None:
    cli.add_command(returns)
