"""``unionroll init``: create a workspace."""

from __future__ import annotations

from pathlib import Path

import click

from unionroll.cli.common import AppContext, handle_errors, pass_app
from unionroll.core.workspace import CONFIG_NAME, Workspace


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default=None, help="本单位名称，如“某某县教育工会”。")
@pass_app
@handle_errors
def init(app: AppContext, directory: Path, name: str | None) -> None:
    """在 DIRECTORY 新建工作区：配置文件和数据库。"""
    ws = Workspace.create(directory, name=name, db_url=app.db_url)
    try:
        url = ws.engine.url
        shown = url.database if url.get_backend_name() == "sqlite" else None
        shown = shown or url.render_as_string(hide_password=True)
    finally:
        ws.close()
    click.echo(f"已创建工作区 {directory}")
    click.echo(f"  配置文件：{directory / CONFIG_NAME}")
    click.echo(f"  数据库：  {shown}")
    click.echo("下一步：")
    click.echo(f"  cd {directory}")
    click.echo("  unionroll units import 单位名单.xlsx")


def register(cli: click.Group) -> None:
    cli.add_command(init)
