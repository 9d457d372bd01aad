"""``unionroll users``: logins for the web page, one per unit (or more)."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from sqlalchemy import select

from unionroll.cli.common import AppContext, format_table, handle_errors, pass_app
from unionroll.core.accounts import add_user, list_users, reset_password, set_active
from unionroll.core.errors import UsageError
from unionroll.core.store import Unit, UserAccount


@click.group("users")
def users() -> None:
    """网页登录账号：每个单位一个，学校报送，学区和县审核。"""


def _units_without_login(app: AppContext, level: str | None) -> list[str]:
    ws = app.workspace
    level_id = None
    if level:
        found = ws.config.level(level)
        if found is None:
            raise UsageError(f"没有“{level}”这个层级。")
        level_id = found.id
    with ws.session() as session:
        have = set(session.execute(select(UserAccount.unit_id)).scalars())
        query = select(Unit.id, Unit.code).where(Unit.active_to.is_(None))
        if level_id:
            query = query.where(Unit.level == level_id)
        return [code for uid, code in session.execute(query.order_by(Unit.code)) if uid not in have]


@users.command("add")
@click.argument("codes", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="为所有还没有账号的单位建账号。")
@click.option("--level", help="与 --all 同用：只为这一层级的单位建账号，如 学校。")
@click.option("--login", help="登录名（只建一个账号时可用；默认用单位代码）。")
@click.option("--password", help="密码（默认自动生成，至少 8 个字符）。")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="把登录名和密码写入此 CSV 文件（用 Excel 打开，打印后分发给各单位）。",
)
@pass_app
@handle_errors
def add(
    app: AppContext,
    codes: tuple[str, ...],
    all_: bool,
    level: str | None,
    login: str | None,
    password: str | None,
    out: Path | None,
) -> None:
    """为单位建网页登录账号，并给出密码。"""
    if all_ and codes:
        raise UsageError("请只用一种方式指定单位：列出单位代码，或用 --all。")
    targets = _units_without_login(app, level) if all_ else list(codes)
    if not targets:
        raise UsageError("请列出单位代码，或用 --all 为所有还没有账号的单位建账号。")
    if login and len(targets) > 1:
        raise UsageError("--login 只能在只建一个账号时使用。")
    made = []
    for code in targets:
        name, secret = add_user(app.workspace, code, login=login, password=password)
        made.append([code, name, secret])
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["单位代码", "登录名", "密码"])
            writer.writerows(made)
        click.echo(f"已建 {len(made)} 个账号，登录名和密码已写入 {out}。请妥善保管。")
        return
    click.echo(format_table(["单位代码", "登录名", "密码"], made))
    click.echo(f"已建 {len(made)} 个账号。密码只显示这一次，请转告各单位并妥善保管。")


@users.command("reset")
@click.argument("login")
@click.option("--password", help="新密码（默认自动生成）。")
@pass_app
@handle_errors
def reset(app: AppContext, login: str, password: str | None) -> None:
    """重设某个账号的密码；该账号已登录的网页随即失效。"""
    secret = reset_password(app.workspace, login, password)
    click.echo(f"账号 {login} 的新密码：{secret}")


@users.command("disable")
@click.argument("login")
@pass_app
@handle_errors
def disable(app: AppContext, login: str) -> None:
    """停用账号（不删除）；重设密码即重新启用。"""
    set_active(app.workspace, login, False)
    click.echo(f"账号 {login} 已停用。")


@users.command("list")
@pass_app
@handle_errors
def list_cmd(app: AppContext) -> None:
    """列出全部账号。"""
    rows = [
        [
            user.login,
            unit.code,
            unit.name,
            app.workspace.config.level_name(unit.level),
            "启用" if user.active else "停用",
            user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "从未登录",
        ]
        for user, unit in list_users(app.workspace)
    ]
    if not rows:
        click.echo("还没有账号。用 unionroll users add 单位代码 建账号。")
        return
    click.echo(format_table(["登录名", "单位代码", "单位", "层级", "状态", "最近登录"], rows))


def register(cli: click.Group) -> None:
    cli.add_command(users)
