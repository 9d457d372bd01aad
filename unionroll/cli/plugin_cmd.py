"""``unionroll plugin new``: start a plugin package (see unionroll.scaffold)."""

from __future__ import annotations

from pathlib import Path

import click

from unionroll.cli.common import handle_errors
from unionroll.scaffold import KIND_ZH, KINDS, new_plugin, plugin_names, written_files

_TRY = {
    "report": "unionroll report --period 2025H1 --kind {short}",
    "adapter": "unionroll ingest 某校_2025Q3.toml",
    "validator": "unionroll ingest 收到的报表/",
    "command": "unionroll {short} --period 2025H1",
}


@click.group("plugin")
def plugin() -> None:
    """编写插件：生成插件包的框架。"""


@plugin.command("new")
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="report",
    show_default=True,
    help="插件提供什么：报告、读取器、校验规则或命令。",
)
@click.option(
    "--dir",
    "parent",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="在这个文件夹下生成插件包。",
)
@handle_errors
def new(name: str, kind: str, parent: Path) -> None:
    """生成插件包 NAME（如 unionroll-township-ranking）。

    包含 pyproject（含入口点）、实现钩子的模块、能通过的测试和 README。
    """
    names = plugin_names(name)
    package = new_plugin(name, kind, parent)
    click.echo(f"已生成插件包 {names.distribution}（{KIND_ZH[kind]} {names.short}）：{package}")
    for rel in written_files(package):
        click.echo(f"  {rel}")
    click.echo("接下来：")
    click.echo(f"  cd {package}")
    click.echo("  pip install -e .")
    click.echo("  pytest")
    click.echo("  unionroll plugins")
    try_it = _TRY[kind].format(short=names.short)
    click.echo(f"  UNIONROLL_LOAD_PLUGINS={names.distribution} {try_it}")


def register(cli: click.Group) -> None:
    cli.add_command(plugin)
