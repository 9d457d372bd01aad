"""The ``unionroll`` command: global options and the command groups."""

from __future__ import annotations

import sys
from typing import Any

import click

from unionroll import __version__
from unionroll.cli import (
    db_cmd,
    demo_cmd,
    form_cmd,
    ingest_cmd,
    init_cmd,
    outliers_cmd,
    plugin_cmd,
    plugins_cmd,
    receipts_cmd,
    report_cmd,
    returns_cmd,
    review_cmd,
    rollup_cmd,
    serve_cmd,
    status_cmd,
    template_cmd,
    units_cmd,
    users_cmd,
)
from unionroll.cli.common import AppContext
from unionroll.core.errors import UnionrollError
from unionroll.core.hookcalls import notify

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class UnionrollGroup(click.Group):
    """The top-level group; adds the commands of installed plugins before parsing."""

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
    app = AppContext(workspace_dir, db_url)
    ctx.obj = app
    ctx.call_on_close(app.close)


for module in (
    init_cmd,
    units_cmd,
    users_cmd,
    form_cmd,
    template_cmd,
    ingest_cmd,
    receipts_cmd,
    status_cmd,
    outliers_cmd,
    returns_cmd,
    review_cmd,
    rollup_cmd,
    report_cmd,
    serve_cmd,
    plugins_cmd,
    plugin_cmd,
    db_cmd,
    demo_cmd,
):
    module.register(cli)
