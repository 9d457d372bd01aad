"""``unionroll ingest``: read, check and store returns; write receipts."""

from __future__ import annotations

from collections import Counter
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import click

from unionroll.cli.common import AppContext, format_table, handle_errors, pass_app, progress
from unionroll.core.ingest import FileOutcome, IngestOptions, IngestResult, collect_files
from unionroll.core.ingest import ingest_paths as run_ingest
from unionroll.plugins.receipts import VERDICT_ZH, ReceiptWriter

STATUS_ZH = {
    **VERDICT_ZH,
    "partly_rejected": "部分退回",
    "rejected": "退回",
    "accepted_with_warnings": "已收录（有提醒）",
}


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="只检查，不写入数据库，不生成回执。")
@click.option(
    "--received",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%d %H:%M"]),
    default=None,
    help="文件的收到时间（补录以前收到的报表时用，默认为现在），用于判断是否逾期。",
)
@click.option("--no-receipts", is_flag=True, help="不生成回执。")
@click.option("-v", "--verbose", is_flag=True, help="列出每个文件的结果，而不只是有问题的文件。")
@pass_app
@handle_errors
def ingest(
    app: AppContext,
    paths: tuple[Path, ...],
    dry_run: bool,
    received: datetime | None,
    no_receipts: bool,
    verbose: bool,
) -> None:
    """读取、检查并收录报表：文件或文件夹，.xlsx、JSON、CSV 均可。"""
    ws = app.workspace
    files = collect_files(paths)
    if not files:
        click.echo("没有找到要读取的文件。")
        return
    options = IngestOptions(dry_run=dry_run, received_at=received)
    # Made before reading: a bad [receipts] setting stops the run before anything is stored.
    writer = None if dry_run or no_receipts else ReceiptWriter(ws, received_at=received)
    with ExitStack() as stack:
        bar = stack.enter_context(progress(length=len(files), label="读取报表"))
        # Each file's receipt is written as soon as it is stored, while later files are
        # still being read.
        batch = stack.enter_context(writer.batch()) if writer is not None else None

        def advance(outcome: FileOutcome) -> None:
            if batch is not None:
                batch.add(outcome)
            bar.update(1)

        result = run_ingest(ws, files, options=options, progress=advance)
    receipts: list[Path] = batch.written if batch is not None else []
    _print_summary(result, verbose=verbose)
    for message in result.plugin_errors:
        click.echo(f"插件问题：{message}", err=True)
    if receipts:
        click.echo(f"回执 {len(receipts)} 份，在 {ws.root / 'receipts'}")
    if not result.ok:
        raise SystemExit(1)


def _print_summary(result: IngestResult, *, verbose: bool) -> None:
    rows = []
    for f in result.files:
        if f.error is not None or f.duplicate_of:
            if f.error is not None or verbose:
                reason = f.error.message if f.error else f"与 {f.duplicate_of} 相同"
                rows.append([f.display_name, "", "", STATUS_ZH[f.status], reason])
            continue
        for r in f.returns:
            if r.status in ("accepted", "unchanged") and not verbose:
                continue
            errors = [x for x in r.findings if x.severity == "error"]
            warnings = [x for x in r.findings if x.severity == "warning"]
            first = errors[0] if errors else (warnings[0] if warnings else None)
            detail = ""
            if first is not None:
                where = first.location.short if first.location else ""
                more = len(errors) + len(warnings) - 1
                detail = (f"{where}：" if where else "") + first.message
                detail += f"（另有 {more} 处）" if more > 0 else ""
            rows.append(
                [
                    f.display_name,
                    r.unit_code or "",
                    r.period or "",
                    STATUS_ZH.get(r.status, r.status),
                    detail,
                ]
            )
    if rows:
        click.echo(format_table(["文件", "单位", "期间", "结果", "说明"], rows))
        click.echo("")
    counts = Counter(r.status for f in result.files for r in f.returns)
    unreadable = len(result.unreadable)
    duplicates = sum(1 for f in result.files if f.duplicate_of)
    prefix = "检查完毕（未写入任何内容）" if result.dry_run else "处理完毕"
    parts = [f"{len(result.files)} 个文件"]
    accepted = counts["accepted"] + counts["accepted_with_warnings"]
    parts.append(f"{'可收录' if result.dry_run else '收录'} {accepted} 份报表")
    if counts["accepted_with_warnings"]:
        parts.append(f"其中有提醒 {counts['accepted_with_warnings']} 份")
    if counts["unchanged"]:
        parts.append(f"未变 {counts['unchanged']} 份")
    if counts["rejected"]:
        parts.append(f"退回 {counts['rejected']} 份")
    if unreadable:
        parts.append(f"无法读取 {unreadable} 个文件")
    if duplicates:
        parts.append(f"重复文件 {duplicates} 个已跳过")
    click.echo(f"{prefix}：" + "，".join(parts) + "。")


def register(cli: click.Group) -> None:
    cli.add_command(ingest)
