"""``unionroll demo``: the whole flow on a built-in demo county."""

from __future__ import annotations

import time
from pathlib import Path

import click

from unionroll.cli.common import AppContext, format_table, handle_errors, pass_app
from unionroll.demo.run import DEMO_PASSWORD, run_demo


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("unionroll-demo"),
    show_default=True,
    help="演示工作区的文件夹。",
)
@click.option("--force", is_flag=True, help="文件夹已是演示工作区时，删除后重新生成。")
@pass_app
@handle_errors
def demo(app: AppContext, out_dir: Path, force: bool) -> None:
    """用内置的演示县（1 个县、12 个学区、150 所学校）走一遍完整流程。"""
    started = time.perf_counter()
    click.echo(f"在 {out_dir} 生成演示工作区……")
    run = run_demo(out_dir, force=force, db_url=app.db_url, say=lambda m: click.echo(f"  {m}"))
    click.echo("")
    for status in run.statuses:
        d = status.deadline
        click.echo(
            f"{status.period.label_zh}（截止 {d.year}年{d.month}月{d.day}日）："
            f"应报 {status.expected}，按时 {status.count('on_time')}，逾期 {status.count('late')}，"
            f"退回未改 {status.count('rejected')}，未报 {status.count('missing', 'pending')}"
        )
    reports = run.reports
    assert reports is not None
    click.echo(f"{run.half.label_zh}汇总：{reports.completeness}")
    click.echo("")
    root = run.root
    rows = [["工作区配置", str(root / "unionroll.toml")]]
    rows.append(["数据库", str(root / "unionroll.db") if not app.db_url else app.db_url])
    rows.append(["收到的报表", str(root / "收到的报表")])
    rows.append(["回执", str(root / "receipts")])
    rows += [["回执（Word）", str(p)] for p in run.word_receipts]
    rows += [["催报名单", str(p)] for p in run.chase_lists]
    for outcome in reports.outcomes:
        if outcome.error:
            rows.append([outcome.name, f"出错：{outcome.error}"])
        rows += [[outcome.name, str(p)] for p in outcome.files]
    click.echo(format_table(["内容", "位置"], rows))
    click.echo("")
    click.echo(f"完成，用时 {time.perf_counter() - started:.1f} 秒。接着可以试试：")
    click.echo(f"  cd {out_dir}")
    click.echo(f"  unionroll status --period {run.half.quarters()[1].code}")
    click.echo(f"  unionroll rollup --period {run.half.code}")
    click.echo(f"  unionroll trace --period {run.half.code} --unit QS --indicator care_funds")
    click.echo(f"  unionroll outliers --period {run.half.code}")
    click.echo(f"  unionroll returns history T0302 {run.half.quarters()[1].code}")
    click.echo("")
    click.echo("网页（学校上传报表、看回执；学区和县审核）：")
    db = f" --db {app.db_url}" if app.db_url else ""
    click.echo(f"  unionroll --workspace {out_dir}{db} serve")
    click.echo(f"然后用浏览器打开 http://127.0.0.1:8000/ 。演示账号的密码都是 {DEMO_PASSWORD}：")
    click.echo(format_table(["登录名", "可以看到"], [list(x) for x in run.logins]))
    if not reports.ok:
        raise SystemExit(1)


def register(cli: click.Group) -> None:
    cli.add_command(demo)
