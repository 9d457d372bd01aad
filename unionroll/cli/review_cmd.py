"""``unionroll approve | return | unlock``: the review steps from the command line.

Whoever runs the command acts for the top unit (the county) unless ``--as`` names a
reviewing unit, such as a township checking its schools.
"""

from __future__ import annotations

import getpass

import click

from unionroll.cli.common import AppContext, format_table, handle_errors, pass_app
from unionroll.core.errors import UsageError
from unionroll.core.review import Reviewer, awaiting_review, top_unit_code
from unionroll.core.review_actions import StepResult, apply_many


def _reviewer(app: AppContext, as_unit: str | None) -> Reviewer:
    code = as_unit or top_unit_code(app.workspace)
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this account (a container, say)
        user = "?"
    return Reviewer(code, f"命令行（{user}）")


def _targets(
    app: AppContext, reviewer: Reviewer, codes: tuple[str, ...], period: str, everyone: bool
) -> list[str]:
    if codes and everyone:
        raise UsageError("请只用一种方式指定单位：列出单位代码，或用 --all。")
    if codes:
        return list(codes)
    if not everyone:
        raise UsageError("请列出要处理的单位代码，或用 --all 处理辖区内全部待审核的单位。")
    return awaiting_review(app.workspace, reviewer.unit_code, period)


def _report(action_zh: str, results: list[StepResult]) -> None:
    rows = [
        [r.unit_code, r.state.unit_name, r.state.label, ""]
        if r.state
        else [r.unit_code, "", "未处理", r.error or ""]
        for r in results
    ]
    if rows:
        click.echo(format_table(["代码", "单位", "现在的状态", "说明"], rows))
    done = sum(1 for r in results if r.ok)
    failed = len(results) - done
    click.echo(f"{action_zh}：成功 {done} 个" + (f"，未处理 {failed} 个" if failed else "") + "。")
    if failed:
        raise SystemExit(1)


_PERIOD = click.option("--period", "period_text", required=True, help="报送期间，如 2025Q1。")
_AS = click.option(
    "--as",
    "as_unit",
    metavar="CODE",
    help="以哪个单位的身份审核（单位代码，如学区），默认是最上级单位（县）。",
)


@click.command("approve")
@click.argument("codes", nargs=-1)
@_PERIOD
@_AS
@click.option("--all", "all_", is_flag=True, help="辖区内全部“已报”待审核的单位。")
@click.option("--note", default=None, help="审核意见（可不填）。")
@pass_app
@handle_errors
def approve_cmd(
    app: AppContext,
    codes: tuple[str, ...],
    period_text: str,
    as_unit: str | None,
    all_: bool,
    note: str | None,
) -> None:
    """审核通过单位的报表；县级审核即确认并锁定，此后该单位本期不能再报送。"""
    reviewer = _reviewer(app, as_unit)
    targets = _targets(app, reviewer, codes, period_text, all_)
    if not targets:
        click.echo("没有待审核的单位。")
        return
    _report("审核", apply_many(app.workspace, "approve", targets, period_text, reviewer, note))


@click.command("return")
@click.argument("codes", nargs=-1, required=True)
@_PERIOD
@_AS
@click.option("--reason", required=True, help="退回原因（必填），会显示给报送单位。")
@pass_app
@handle_errors
def return_cmd(
    app: AppContext, codes: tuple[str, ...], period_text: str, as_unit: str | None, reason: str
) -> None:
    """把单位的报表退回修改，并说明原因；单位改好后重新报送。"""
    reviewer = _reviewer(app, as_unit)
    _report("退回", apply_many(app.workspace, "return", codes, period_text, reviewer, reason))


@click.command("unlock")
@click.argument("codes", nargs=-1, required=True)
@_PERIOD
@click.option("--reason", required=True, help="解锁原因（必填），记入审核记录。")
@pass_app
@handle_errors
def unlock_cmd(app: AppContext, codes: tuple[str, ...], period_text: str, reason: str) -> None:
    """解锁县级已确认的报表，让单位可以重新报送更正。"""
    reviewer = _reviewer(app, None)
    _report("解锁", apply_many(app.workspace, "unlock", codes, period_text, reviewer, reason))


def register(cli: click.Group) -> None:
    cli.add_command(approve_cmd)
    cli.add_command(return_cmd)
    cli.add_command(unlock_cmd)
