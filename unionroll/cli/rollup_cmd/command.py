"""The ``unionroll rollup`` command: its options, and where its output goes."""

from __future__ import annotations

import json
from pathlib import Path

import click

from unionroll.cli.common import AppContext, handle_errors, pass_app
from unionroll.cli.rollup_cmd.json_csv import rollup_csv, rollup_json
from unionroll.cli.rollup_cmd.text import rollup_text
from unionroll.core.errors import UsageError
from unionroll.core.periods import Period
from unionroll.core.rollup import rollup as make_rollup
from unionroll.core.workspace import Config


def _level_id(config: Config, text: str) -> str:
    level = config.level(text)
    if level is None:
        known = "、".join(f"{lv.id}（{lv.name}）" for lv in config.levels)
        raise UsageError(f"没有“{text}”这一层级。可用的层级：{known}")
    return level.id


def _write(text: str, output: Path | None, *, bom: bool = False) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8-sig" if bom else "utf-8", newline="")
    click.echo(f"已写入 {output}", err=True)


@click.command("rollup")
@click.option(
    "--period",
    "period_text",
    required=True,
    help="汇总期间，如 2025Q1、2025H1、2025 或 2025年上半年。",
)
@click.option("--unit", "unit_code", help="汇总哪个单位（代码），默认是最上级单位。")
@click.option("--depth", type=click.IntRange(min=0), help="列出下面几级单位（0：只有本单位）。")
@click.option(
    "--by", "by_level", help="列出某一层级的全部单位（层级 id 或中文名，如 school 或 学校）。"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="输出格式。",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="写入文件而不是屏幕。"
)
@click.option(
    "--approved-only",
    is_flag=True,
    help="只计审核通过（学区审核通过或县级确认）的报表，其余按未报计。",
)
@pass_app
@handle_errors
def rollup(
    app: AppContext,
    period_text: str,
    unit_code: str | None,
    depth: int | None,
    by_level: str | None,
    fmt: str,
    output: Path | None,
    approved_only: bool,
) -> None:
    """按层级、按期间汇总收录的报表。

    \b
    unionroll rollup --period 2025H1                     全县合计（按分类）
    unionroll rollup --period 2025H1 --unit T03 --depth 1  一个学区及其学校
    unionroll rollup --period 2025H1 --format json       JSON（格式见 docs/rollup.md）
    unionroll rollup --period 2025H1 --format csv --by 学校  每所学校一行
    """
    ws = app.workspace
    period = Period.parse(period_text)
    level = _level_id(ws.config, by_level) if by_level else None
    # text shows the unit's own totals unless asked for more; json and csv list everything
    text_depth = (depth or 0) if fmt == "text" else depth
    compute_depth = None if level else text_depth
    result = make_rollup(
        ws, period, unit=unit_code, depth=compute_depth, approved_only=approved_only
    )
    if level:
        listed = result.at_level(level)
    elif fmt == "text" and not depth:
        listed = []  # the unit's own totals only
    else:
        listed = list(result.nodes.values())
    if fmt == "json":
        _write(json.dumps(rollup_json(result, listed), ensure_ascii=False, indent=2), output)
    elif fmt == "csv":
        _write(rollup_csv(result, listed), output, bom=output is not None)
    else:
        _write(rollup_text(result, listed), output)
