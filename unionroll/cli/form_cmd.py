"""``unionroll form``: the form this workspace collects."""

from __future__ import annotations

import click

from unionroll.cli.common import AppContext, echo_json, handle_errors, pass_app
from unionroll.core.errors import UnionrollError
from unionroll.core.forms import FormDefinition, load_form_file
from unionroll.core.zh import cn_number

AGG_ZH = {
    "sum": "累加",
    "stock": "取期末数",
    "ratio": "比率",
    "count_yes": "计“是”的单位数",
    "choice": "按选项计数",
    "none": "不汇总",
}
TYPE_ZH = {
    "int": "整数",
    "decimal": "小数",
    "money": "金额",
    "bool": "是/否",
    "choice": "选择",
    "text": "文字",
    "derived": "自动计算",
}


@click.group("form")
def form() -> None:
    """报表定义：查看、检查。"""


@form.command("show")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出完整定义。")
@pass_app
@handle_errors
def show(app: AppContext, as_json: bool) -> None:
    """按分类列出本工作区采用的报表。"""
    ws = app.workspace
    definition = ws.form
    if as_json:
        echo_json(definition.to_dict())
        return
    _print_form(definition, level_name=ws.config.level_name)


@form.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@pass_app
@handle_errors
def check(app: AppContext, path: str) -> None:
    """检查一个报表定义文件，列出全部问题。"""
    try:
        known: list[str] | None = app.workspace.config.level_ids
    except UnionrollError:  # checking a file needs no workspace; levels are then not compared
        known = None
    definition = load_form_file(path, known_levels=known)
    click.echo(
        f"{path}：报表 {definition.title}（{definition.name}），"
        f"{len(definition.sections)} 个分类，{len(definition.indicators)} 个指标，"
        f"{len(definition.registers)} 个登记表，{len(definition.rules)} 条规则，未发现问题。"
    )


def _print_form(definition: FormDefinition, level_name: object) -> None:
    name_of = level_name if callable(level_name) else (lambda x: x)
    click.echo(f"{definition.title}（{definition.id}，第 {definition.version} 版）")
    levels = "、".join(name_of(lv) for lv in definition.levels)
    click.echo(
        f"报送周期：{definition.period_type.label_zh}；截止：期末后 {definition.deadline_days} 天；"
        f"填报层级：{levels}"
    )
    for number, section in enumerate(definition.sections, start=1):
        click.echo("")
        scope = "、".join(name_of(lv) for lv in section.levels)
        click.echo(f"{cn_number(number)}、{section.name}（{scope}）")
        for ind in section.indicators:
            extra = []
            if ind.required:
                extra.append("必填")
            if ind.agg == "ratio":
                extra.append(f"= {ind.numerator} / {ind.denominator}")
            if ind.options:
                extra.append("选项：" + "/".join(ind.options))
            if ind.levels != section.levels:
                extra.append("仅" + "、".join(name_of(lv) for lv in ind.levels))
            unit = f"[{ind.unit}]" if ind.unit else ""
            tail = f"  {'；'.join(extra)}" if extra else ""
            click.echo(
                f"  {ind.label}{unit}  {ind.id}  {TYPE_ZH.get(ind.type, ind.type)}，"
                f"{AGG_ZH.get(ind.agg, ind.agg)}{tail}"
            )
    if definition.rules:
        click.echo("")
        click.echo("校验规则：")
        for rule in definition.rules:
            sev = "错误" if rule.severity == "error" else "提醒"
            if rule.kind == "le":
                text = f"{rule.indicator} ≤ {rule.other}"
            else:
                text = f"{rule.indicator} > 0 时 {rule.other} 应 > 0"
            click.echo(f"  [{sev}] {text}" + (f"（{rule.message}）" if rule.message else ""))
    click.echo("")
    click.echo("登记表：")
    for reg in definition.registers:
        cols = "、".join(col.label for col in reg.columns)
        click.echo(f"  {reg.name}（{reg.id}）：{cols}")


def register(cli: click.Group) -> None:
    cli.add_command(form)
