"""``unionroll receipts``: write the receipts of a period again, as Word and Markdown."""

from __future__ import annotations

from pathlib import Path

import click

from unionroll.cli.common import AppContext, handle_errors, pass_app
from unionroll.core.errors import UsageError
from unionroll.core.periods import Period
from unionroll.core.receipt_data import stored_receipts
from unionroll.plugins.receipts import RECEIPT_FORMATS, ReceiptWriter


@click.command("receipts")
@click.option(
    "--period", "period_text", required=True, help="报送期间，如 2025Q1 或 2025年第一季度。"
)
@click.option("--unit", default=None, help="只写这个单位的回执（默认：本期报送过的全部单位）。")
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(RECEIPT_FORMATS),
    help="只输出这种格式（可重复）；默认 Word（docx）和 Markdown（md）都写。",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="输出文件夹（默认：工作区的 receipts/）。",
)
@pass_app
@handle_errors
def receipts(
    app: AppContext,
    period_text: str,
    unit: str | None,
    formats: tuple[str, ...],
    out_dir: Path | None,
) -> None:
    """按收到时的检查结果重新生成回执：每个单位最近一次报送的回执，Word 版一页，可转发。"""
    ws = app.workspace
    period = Period.parse(period_text)
    data = stored_receipts(ws, period, unit)
    if not data:
        who = f"单位 {unit} " if unit else ""
        raise UsageError(f"{who}{period.label_zh}没有报送记录，没有回执可写。")
    writer = ReceiptWriter(ws, out_dir, formats=formats or ("docx", "md"))
    written = writer.write_receipts(data)
    click.echo(f"{period.label_zh}：{len(data)} 个单位的回执，{len(written)} 个文件")
    for path in written:
        click.echo(f"  {path}")


def register(cli: click.Group) -> None:
    cli.add_command(receipts)
