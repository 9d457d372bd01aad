"""Receipts (回执): for every ingested file, what was accepted and every finding by cell.

Each receipt is written as Markdown and, when asked (``[receipts] formats`` in the
workspace config, or ``unionroll receipts``), as a one-page Word document in the format of
the county's other documents, which a school can print or forward.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, Template

from unionroll.core.errors import ConfigError
from unionroll.core.files import safe_name, sweep_stale_parts, write_text_atomic
from unionroll.core.ingest import FileOutcome, IngestResult, ReturnOutcome
from unionroll.core.receipt_data import ReceiptData, lines
from unionroll.core.workspace import Workspace
from unionroll.core.zh import date_zh
from unionroll.plugins.templating import make_environment

if TYPE_CHECKING:
    from unionroll.plugins.docx_writer import DocxWriter

VERDICT_ZH = {
    "accepted": "已收录",
    "accepted_with_warnings": "已收录（有提醒，请核实）",
    "rejected": "退回：有错误，未收录",
    "unchanged": "与已收录的报表相同，无需重复报送",
    "unreadable": "退回：文件无法读取，未收录",
    "duplicate": "与本批次中另一个文件内容相同，已跳过",
}
RECEIPT_FORMATS = ("md", "docx")


def _safe(text: str) -> str:
    return safe_name(text).strip("_") or "未命名"


def receipt_formats(workspace: Workspace) -> tuple[str, ...]:
    """``[receipts] formats`` of the workspace config (default: Markdown only)."""
    raw = workspace.config.raw.get("receipts", {}).get("formats", ["md"])
    formats = [raw] if isinstance(raw, str) else raw
    if (
        not isinstance(formats, list)
        or not formats
        or any(f not in RECEIPT_FORMATS for f in formats)
    ):
        raise ConfigError(
            "配置文件 unionroll.toml 中 [receipts] 的 formats 应为 md、docx 中的一个或几个，"
            f'例如 formats = ["md", "docx"]；现在是 {raw!r}。'
        )
    return tuple(formats)


def from_outcome(
    outcome: FileOutcome, ret: ReturnOutcome | None, received: datetime
) -> ReceiptData:
    """What the receipt of one return (or of a file with none) says."""
    if ret is None:
        status = "unreadable" if outcome.error is not None else "duplicate"
        return ReceiptData(
            unit_code=None,
            unit_name=None,
            period=None,
            file_name=outcome.display_name,
            received_at=received,
            status=status,
            errors=lines([outcome.error], "error") if outcome.error else [],
            duplicate_of=outcome.duplicate_of,
        )
    return ReceiptData(
        unit_code=ret.unit_code,
        unit_name=ret.unit_name,
        period=ret.period,
        file_name=outcome.display_name,
        received_at=received,
        status=ret.status,
        locator=ret.locator,
        n_values=ret.n_values if ret.status != "rejected" else None,
        n_register_rows=ret.n_register_rows,
        errors=lines(ret.findings, "error"),
        warnings=lines(ret.findings, "warning"),
        superseded=ret.superseded_id is not None,
        on_time=ret.on_time,
    )


def receipt_environment(workspace: Workspace) -> Environment:
    """The template environment receipts are rendered with (the county's own receipt
    template, if it has one, before the built-in one)."""
    return make_environment(workspace.pm, override_dir=_templates_dir(workspace))


class ReceiptWriter:
    """Writes receipts into ``receipts/<period>/`` of the workspace (or a folder)."""

    def __init__(
        self,
        workspace: Workspace,
        out_dir: Path | None = None,
        *,
        received_at: datetime | None = None,
        formats: tuple[str, ...] | None = None,
        env: Environment | None = None,
    ) -> None:
        self.ws = workspace
        self.out_dir = out_dir or workspace.root / "receipts"
        self.formats = formats or receipt_formats(workspace)
        # ``env``: one made by :func:`receipt_environment` before, for a server that
        # writes a receipt per request and should not compile the template each time.
        self.env: Environment = env or receipt_environment(workspace)
        self.received = received_at or datetime.now()
        self._docx: DocxWriter | None = None
        if "docx" in self.formats:
            from unionroll.plugins.docx_writer import DocxWriter  # python-docx: only if asked

            self._docx = DocxWriter()
        self._templates: dict[str, Template] = {}  # looked up once per writer, not per file
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[Future[None]] = []

    def write(self, result: IngestResult) -> list[Path]:
        with self.batch() as batch:
            for outcome in result.files:
                batch.add(outcome)
        return batch.written

    def write_receipts(self, receipts: list[ReceiptData]) -> list[Path]:
        with self.batch() as batch:
            for data in receipts:
                batch.add_receipt(data)
        return batch.written

    @contextmanager
    def batch(self) -> Iterator[ReceiptBatch]:
        """Receipts written as files come: ``add`` each outcome as soon as it is stored
        (``ingest_paths(progress=...)``), so receipts are written while later files are
        still being read. On leaving, every write has finished; a failed write (a full
        disk) is raised, not lost."""
        sweep_stale_parts(self.out_dir)  # receipts half-written by a killed run
        batch = ReceiptBatch(self)
        # Rendering is quick; the disk is what a batch of hundreds of receipts waits on,
        # and a few writes in flight at once hide most of that wait.
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="unionroll-receipt") as pool:
            self._pool = pool
            try:
                yield batch
            finally:
                self._pool = None
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def write_one(self, data: ReceiptData) -> list[Path]:
        if (
            data.unit_code is None
            and data.period is None
            and data.status in ("unreadable", "duplicate")
        ):
            folder, stem = "未识别", f"未识别_{_safe(Path(data.file_name).stem)}_回执"
        else:
            unit = data.unit_code or "未知单位"
            folder = data.period or "未知期间"
            stem = f"{_safe(unit)}_{_safe(data.unit_name or '')}_{folder}_回执"
        context = self._context(data)
        paths = []
        if "md" in self.formats:
            text = self._template("receipt.md.j2").render(**context)
            paths.append(self._save(self.out_dir / folder / f"{stem}.md", text))
        if self._docx is not None:
            from unionroll.plugins.document import parse_markup

            doc = parse_markup(self._template("receipt.txt.j2").render(**context))
            paths.append(self._docx.write(doc, self.out_dir / folder / f"{stem}.docx"))
        return paths

    def _template(self, name: str) -> Template:
        if name not in self._templates:
            self._templates[name] = self.env.get_template(name)
        return self._templates[name]

    def _context(self, data: ReceiptData) -> dict[str, Any]:
        return {
            "title": "报表回执",
            "unit_name": data.unit_name,
            "unit_code": data.unit_code,
            "period_label": data.period_label,
            "file_name": data.file_name,
            "locator": data.locator,
            "received_at": data.received_at.strftime("%Y-%m-%d %H:%M"),
            "received_zh": f"{date_zh(data.received_at.date())} {data.received_at:%H:%M}",
            "verdict": VERDICT_ZH[data.status],
            "status": data.status,
            "n_values": data.n_values,
            "n_register_rows": data.n_register_rows,
            "note": _note(data),
            "errors": data.errors,
            "warnings": data.warnings,
            "county_name": self.ws.config.name,
            # Dated the day the file was received and checked.
            "today": date_zh(data.received_at.date()),
        }

    def _save(self, target: Path, text: str) -> Path:
        if self._pool is not None:
            self._pending.append(
                self._pool.submit(write_text_atomic, target, text, fault="receipt")
            )
        else:
            write_text_atomic(target, text, fault="receipt")
        return target


class ReceiptBatch:
    """The receipts of one run, written as their files are stored (see
    :meth:`ReceiptWriter.batch`)."""

    def __init__(self, writer: ReceiptWriter) -> None:
        self.writer = writer
        self.written: list[Path] = []

    def add(self, outcome: FileOutcome) -> None:
        """Write the receipts of one file: one per return, or one for a file with none."""
        received = self.writer.received
        if outcome.error is not None or outcome.duplicate_of:
            self.add_receipt(from_outcome(outcome, None, received))
        for ret in outcome.returns:
            self.add_receipt(from_outcome(outcome, ret, received))

    def add_receipt(self, data: ReceiptData) -> None:
        self.written.extend(self.writer.write_one(data))


def _note(data: ReceiptData) -> str | None:
    if data.duplicate_of:
        return f"与 {data.duplicate_of} 相同。"
    if data.status == "rejected":
        return "本报表未收录。请按下列说明改正后重新报送整份报表。"
    if data.superseded:
        return "本报表替换了此前报送的同期报表（原报表保留在历史记录中）。"
    if data.on_time is False:
        return "本报表在截止日期之后收到，按逾期报送统计。"
    return None


def _templates_dir(workspace: Workspace) -> Path | None:
    configured = workspace.config.templates_dir
    if not configured:
        return None
    path = Path(configured)
    return path if path.is_absolute() else workspace.root / path
