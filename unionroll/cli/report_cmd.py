"""``unionroll report``: write the county's reports for a period."""

from __future__ import annotations

from pathlib import Path

import click

from unionroll.cli.common import AppContext, handle_errors, pass_app
from unionroll.core.periods import Period
from unionroll.core.reporting import run_reports


@click.command("report")
@click.option(
    "--period", "period_text", required=True, help="汇总期间，如 2025H1 或 2025年上半年。"
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="输出文件夹（默认：工作区的 reports/期间/）。",
)
@click.option(
    "--kind", "kinds", multiple=True, help="只生成这种报告（可重复），如 county-summary。"
)
@click.option(
    "--format", "formats", multiple=True, help="只输出这种格式（可重复）：docx、md、html、xlsx。"
)
@click.option(
    "--templates",
    "templates_dir",
    type=click.Path(file_okay=False),
    help="本县的模板文件夹：其中的同名模板替换内置模板。",
)
@click.option(
    "--docx-template",
    type=click.Path(dir_okay=False),
    help="本县的 Word 模板（.docx），用其中的样式和页面设置。",
)
@click.option("--unit", default=None, help="只汇总这个单位及其下属单位（默认：全县）。")
@click.option(
    "--approved-only", is_flag=True, help="只计审核通过（学区审核通过或县级确认）的报表。"
)
@click.option(
    "--date",
    "signed",
    default=None,
    help="落款日期，如 2025-07-10（默认：unionroll.toml 中 [reports] 的 date；"
    "都未设置时为今天，期间结束十天以后才生成的为期间结束后第十天）。",
)
@pass_app
@handle_errors
def report(
    app: AppContext,
    period_text: str,
    out_dir: Path | None,
    kinds: tuple[str, ...],
    formats: tuple[str, ...],
    templates_dir: str | None,
    docx_template: str | None,
    unit: str | None,
    approved_only: bool,
    signed: str | None,
) -> None:
    """生成工作总结、工作要点和汇总工作簿等报告。"""
    ws = app.workspace
    period = Period.parse(period_text)
    run = run_reports(
        ws,
        period,
        kinds=kinds,
        formats=tuple(f.lower().lstrip(".") for f in formats),
        out_dir=out_dir,
        templates_dir=templates_dir,
        docx_template=docx_template,
        unit=unit,
        approved_only=approved_only,
        today=signed,
    )
    click.echo(f"{period.label_zh}：{run.completeness}")
    if approved_only:
        click.echo("口径：只计审核通过的报表，未审核的按未报计。")
    for outcome in run.outcomes:
        if outcome.error:
            click.echo(f"  ✗ {outcome.name}：{outcome.error}", err=True)
            continue
        click.echo(f"  {outcome.name}（{outcome.description}）")
        for path in outcome.files:
            click.echo(f"    {path}")
    click.echo(f"报告在 {run.out_dir}")
    if not run.ok:
        raise SystemExit(1)


def register(cli: click.Group) -> None:
    cli.add_command(report)
