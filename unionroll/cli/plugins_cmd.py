"""``unionroll plugins``: what is installed and which hooks each plugin implements."""

from __future__ import annotations

import click

from unionroll.cli.common import echo_json, handle_errors
from unionroll.core.plugins import get_plugin_manager, plugin_infos


@click.command("plugins")
@click.option("--all", "include_builtin", is_flag=True, help="也列出内置插件。")
@click.option("--hook", "hooks", multiple=True, metavar="NAME", help="只列出实现了该钩子的插件。")
@handle_errors
def plugins(include_builtin: bool, hooks: tuple[str, ...]) -> None:
    """以 JSON 列出已安装的插件：名称、版本、实现的钩子。"""
    infos = plugin_infos(get_plugin_manager(), include_builtin=include_builtin)
    if hooks:
        infos = [info for info in infos if set(hooks) & set(info.hooks)]
    echo_json([info.to_dict() for info in infos])


def register(cli: click.Group) -> None:
    cli.add_command(plugins)
