"""``unionroll serve``: the web page for base units and reviewers (waitress)."""

from __future__ import annotations

import click

from unionroll.cli.common import AppContext, handle_errors, pass_app


@click.command("serve")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="监听地址；0.0.0.0 对局域网开放。"
)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口。"
)
@click.option(
    "--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="同时处理的请求数。"
)
@pass_app
@handle_errors
def serve(app: AppContext, host: str, port: int, threads: int) -> None:
    """启动网页：学校上传报表、看回执，学区和县审核。按 Ctrl+C 停止。"""
    from waitress import create_server

    from unionroll.core import migrate
    from unionroll.core.accounts import list_users
    from unionroll.web import create_app

    ws = app.workspace
    migrate.ensure_current(ws.engine)
    web = create_app(ws)
    server = create_server(web, host=host, port=port, threads=threads, ident="unionroll")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"网页已启动：http://{shown}:{server.effective_port}/")
    click.echo(f"工作区：{ws.root}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo("注意：已对其他电脑开放。请只在单位内网中使用，并为每个单位设置密码。")
    if not list_users(ws):
        click.echo("还没有登录账号：请先用 unionroll users add 单位代码 为各单位建账号。")
    click.echo("按 Ctrl+C 停止。")
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("网页已停止。")
    finally:
        server.close()


def register(cli: click.Group) -> None:
    cli.add_command(serve)
