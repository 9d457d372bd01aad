"""The ``unionroll`` command: global options and the command groups."""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Any

import click

from unionroll import __version__
from unionroll.core.errors import UnionrollError
from unionroll.core.hookcalls import notify

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# Built-in command → the module in unionroll.cli that defines it (its ``register``).
# A module is imported only when one of its commands runs (or ``--help`` lists them
# all), so that a command does not wait for every other command's libraries to load.
BUILTIN_COMMANDS = {
    "init": "init_cmd",
    "units": "units_cmd",
    "users": "users_cmd",
    "form": "form_cmd",
    "template": "template_cmd",
    "ingest": "ingest_cmd",
    "receipts": "receipts_cmd",
    "status": "status_cmd",
    "outliers": "outliers_cmd",
    "returns": "returns_cmd",
    "approve": "review_cmd",
    "return": "review_cmd",
    "unlock": "review_cmd",
    "rollup": "rollup_cmd",
    "trace": "rollup_cmd",
    "report": "report_cmd",
    "serve": "serve_cmd",
    "plugins": "plugins_cmd",
    "plugin": "plugin_cmd",
    "db": "db_cmd",
    "demo": "demo_cmd",
}


class UnionrollGroup(click.Group):
    """The top-level group: the built-in commands, loaded when used, and the commands of
    installed plugins, added before parsing."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(BUILTIN_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in BUILTIN_COMMANDS:
            module = importlib.import_module(f"unionroll.cli.{BUILTIN_COMMANDS[cmd_name]}")
            builtin = click.Group()
            module.register(builtin)
            for name, command in builtin.commands.items():
                self.commands.setdefault(name, command)  # a plugin's command of that name wins
        return self.commands.get(cmd_name)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from unionroll.core.plugins import get_plugin_manager

        try:
            for failure in notify(get_plugin_manager(), "register_commands", cli=self):
                click.echo(f"插件问题：{failure}", err=True)
        except UnionrollError as exc:
            click.echo(f"错误：{exc}", err=True)
            sys.exit(exc.exit_code)
        return super().main(*args, **kwargs)


@click.group(cls=UnionrollGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="unionroll")
@click.option(
    "-w",
    "--workspace",
    "workspace_dir",
    metavar="DIR",
    envvar="UNIONROLL_WORKSPACE",
    help="工作区文件夹（默认：当前文件夹或其上级中含 unionroll.toml 的文件夹）。",
)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    envvar="UNIONROLL_DB",
    help="数据库地址，覆盖配置文件，如 postgresql+psycopg://user@host/db。",
)
@click.pass_context
def cli(ctx: click.Context, workspace_dir: str | None, db_url: str | None) -> None:
    """unionroll：教育工会季度报表的收集、审核、汇总与报告。"""
    from unionroll.cli.common import AppContext  # with SQLAlchemy: after run() has begun

    _resume_collector()
    app = AppContext(workspace_dir, db_url)
    ctx.obj = app
    ctx.call_on_close(app.close)


_collector_paused = False


def run() -> None:
    """The ``unionroll`` command (and ``python -m unionroll``): :func:`cli`, with the garbage
    collector paused while the program starts, and out of the program without its last
    passes.

    Starting, the program imports its libraries, the plugins and the command: objects
    that last as long as the command, which the collector's passes would walk again and
    again (a tenth of a one-file ingest). It is switched on as the command begins, with
    those objects set aside (``gc.freeze``). When the command returns, its workspace is
    closed and everything it wrote is on disk, so the last passes would only walk every
    object a large run left behind (a fifth of a second after 2,000 files)."""
    global _collector_paused
    if gc.isenabled():
        gc.disable()
        _collector_paused = True
    try:
        cli()
    finally:
        gc.freeze()


def _resume_collector() -> None:
    """The collector on again, once the command to run is loaded (see :func:`run`)."""
    global _collector_paused
    if _collector_paused:
        _collector_paused = False
        gc.freeze()
        gc.enable()
