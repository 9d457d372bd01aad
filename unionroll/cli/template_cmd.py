"""``unionroll template``: one Excel return template per unit, unit and period filled in."""

from __future__ import annotations

import uuid
from pathlib import Path

import click

from unionroll.cli.common import AppContext, handle_errors, pass_app, progress
from unionroll.core.errors import UsageError
from unionroll.core.files import safe_name
from unionroll.core.periods import Period
from unionroll.core.units import unit_infos


@click.command("template")
@click.option("--period", "period_text", required=True, help="报送期间，如 2025Q1。")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="输出文件夹（默认：工作区的 templates/期间/）。",
)
@click.option("--units", "codes", default=None, help="只为这些单位生成，代码用逗号分隔。")
@click.option("--level", "level_text", default=None, help="只为这一层级的单位生成，如 学校。")
@click.option(
    "--consolidated",
    is_flag=True,
    help="合并报送：学区等上级单位代其下属单位报送一份汇总报表，模板包含下级的指标。",
)
@pass_app
@handle_errors
def template(
    app: AppContext,
    period_text: str,
    out_dir: Path | None,
    codes: str | None,
    level_text: str | None,
    consolidated: bool,
) -> None:
    """为每个应报单位生成已填好单位和期间的 Excel 报表模板。"""
    from unionroll.adapters.xlsx_template import write_template

    ws = app.workspace
    form = ws.form
    period = Period.parse(period_text)
    if period.type is not form.period_type:
        raise UsageError(
            f"{form.title}按{form.period_type.label_zh}报送，请指定一个{form.period_type.label_zh}，"
            f"如 {period.year}Q1。"
        )
    with ws.session() as session:
        infos = unit_infos(session)
    if codes:
        wanted = [c.strip() for c in codes.replace("，", ",").split(",") if c.strip()]
        unknown = [c for c in wanted if c not in infos]
        if unknown:
            raise UsageError("单位名单中没有这些代码：" + "、".join(unknown))
        chosen = [infos[c] for c in wanted]
    else:
        chosen = [
            u
            for u in infos.values()
            if u.level in form.levels and u.is_open_during(period.start, period.end)
        ]
    if level_text:
        level = ws.config.level(level_text)
        if level is None:
            names = "、".join(f"{lv.name}（{lv.id}）" for lv in ws.config.levels)
            raise UsageError(f"未知的层级“{level_text}”。可用的层级：{names}")
        chosen = [u for u in chosen if u.level == level.id]
    not_reporting = [u.code for u in chosen if u.level not in form.levels]
    if not_reporting:
        raise UsageError("这些单位的层级不填报本报表：" + "、".join(not_reporting))
    if not chosen:
        raise UsageError("没有需要生成模板的单位。请先用 unionroll units import 导入单位名单。")
    lowest = form.levels[-1]
    if consolidated:
        chosen = [u for u in chosen if u.level != lowest]
        if not chosen:
            raise UsageError(
                "合并报送的模板只发给学区等有下属单位的上级单位，所选单位都是最基层单位。"
            )
    target = out_dir or ws.root / "templates" / period.code
    target.mkdir(parents=True, exist_ok=True)
    written = 0
    with progress(sorted(chosen, key=lambda u: u.code), label="生成模板") as bar:
        for unit in bar:
            name = safe_name(f"{unit.code}_{unit.name}_{period.code}") + ".xlsx"
            write_template(
                target / name,
                form=form,
                unit=unit,
                period=period,
                level_name=ws.config.level_name(unit.level),
                county_name=ws.config.name,
                template_id=uuid.uuid4().hex,
                consolidated=consolidated,
            )
            written += 1
    d = period.deadline(form.deadline_days)
    click.echo(
        f"已生成 {written} 份{period.label_zh}报表模板，在 {target}。"
        f"报送截止日期：{d.year}年{d.month}月{d.day}日。"
    )


def register(cli: click.Group) -> None:
    cli.add_command(template)
