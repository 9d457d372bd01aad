"""``unionroll db``: the database schema."""

from __future__ import annotations

import click

from unionroll.cli.common import AppContext, handle_errors, pass_app
from unionroll.core import migrate, store


@click.group("db")
def db() -> None:
    """数据库结构：查看版本、升级。"""


@db.command("upgrade")
@pass_app
@handle_errors
def upgrade(app: AppContext) -> None:
    """把数据库结构升级到本程序的版本（已是最新则不做改动）。"""
    ws = app.workspace
    store.check_connection(ws.engine)
    before = migrate.current_revision(ws.engine)
    migrate.upgrade(ws.engine)
    after = migrate.current_revision(ws.engine)
    if before == after:
        click.echo(f"数据库结构已是最新（版本 {after}）。")
    else:
        click.echo(f"数据库结构已从 {before or '空'} 升级到 {after}。")


@db.command("status")
@pass_app
@handle_errors
def status(app: AppContext) -> None:
    """显示数据库地址和结构版本。"""
    ws = app.workspace
    store.check_connection(ws.engine)
    current = migrate.current_revision(ws.engine)
    head = migrate.head_revision()
    click.echo(f"数据库：{ws.engine.url.render_as_string(hide_password=True)}")
    click.echo(f"结构版本：{current or '未初始化'}（本程序：{head}）")


def register(cli: click.Group) -> None:
    cli.add_command(db)
