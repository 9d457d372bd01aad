"""``unionroll db``: the database schema."""

from __future__ import annotations

from pathlib import Path

import click

from unionroll.cli.common import AppContext, handle_errors, pass_app
from unionroll.core import integrity, migrate
from unionroll.core.engine import check_connection


@click.group("db")
def db() -> None:
    """数据库：查看版本、升级、检查、备份。"""


@db.command("upgrade")
@pass_app
@handle_errors
def upgrade(app: AppContext) -> None:
    """把数据库结构升级到本程序的版本（已是最新则不做改动）。"""
    ws = app.workspace
    check_connection(ws.engine)
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
    check_connection(ws.engine)
    current = migrate.current_revision(ws.engine)
    head = migrate.head_revision()
    click.echo(f"数据库：{ws.engine.url.render_as_string(hide_password=True)}")
    click.echo(f"结构版本：{current or '未初始化'}（本程序：{head}）")


@db.command("check")
@pass_app
@handle_errors
def check(app: AppContext) -> None:
    """检查数据库和保留的源文件是否完整一致（只读，不做任何改动）；有问题时以非零状态退出。"""
    ws = app.workspace
    check_connection(ws.engine)
    report = integrity.check_store(ws)
    for item in report.checks:
        mark = "通过" if item.ok else f"有 {len(item.problems)} 处问题"
        click.echo(f"{'✓' if item.ok else '✗'} {item.title}：{mark}（检查了 {item.checked} 项）")
        for problem in item.problems:
            click.echo(f"    - {problem}")
    if report.ok:
        click.echo("检查完毕：未发现问题。")
        return
    click.echo(f"检查完毕：发现 {report.n_problems} 处问题，见上。", err=True)
    raise SystemExit(1)


@db.command("backup")
@click.argument("target", required=False, type=click.Path(path_type=Path))
@pass_app
@handle_errors
def backup(app: AppContext, target: Path | None) -> None:
    """把 SQLite 数据库备份为一个一致的副本（其他命令正在写入时也可以运行）。

    TARGET 为备份文件路径，默认写到工作区的 backups/ 文件夹。
    """
    ws = app.workspace
    check_connection(ws.engine)
    written = integrity.backup_sqlite(ws, target)
    db_file = Path(ws.engine.url.database or "")
    click.echo(f"已备份数据库到 {written}")
    click.echo("恢复方法：先停止所有正在运行的 unionroll 命令，")
    click.echo(f"  把 {db_file} 改名保留（同名的 -wal、-shm 文件一并移走），")
    click.echo(f"  再把备份文件复制为 {db_file}，然后运行 unionroll db check。")
    click.echo(f"注意：报表源文件保存在 {ws.root / 'sources'} 文件夹，不在数据库中，请一并备份。")


def register(cli: click.Group) -> None:
    cli.add_command(db)
