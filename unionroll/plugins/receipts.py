"""Receipts (回执): for every ingested file, what was accepted and every finding by cell."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment

from unionroll.core.files import safe_name, sweep_stale_parts, write_text_atomic
from unionroll.core.ingest import FileOutcome, IngestResult, ReturnOutcome
from unionroll.core.model import Finding
from unionroll.core.periods import Period
from unionroll.core.workspace import Workspace
from unionroll.plugins.templating import make_environment

VERDICT_ZH = {
    "accepted": "已收录",
    "accepted_with_warnings": "已收录（有提醒，请核实）",
    "rejected": "退回：有错误，未收录",
    "unchanged": "与已收录的报表相同，无需重复报送",
    "unreadable": "退回：文件无法读取，未收录",
    "duplicate": "与本批次中另一个文件内容相同，已跳过",
}


def _safe(text: str) -> str:
    return safe_name(text).strip("_") or "未命名"


def _finding_rows(findings: list[Finding]) -> list[dict[str, str]]:
    return [
        {"where": f.location.short if f.location else "整个文件", "message": f.message}
        for f in findings
    ]


def receipt_environment(workspace: Workspace) -> Environment:
    """The template environment receipts are rendered with (the county's own receipt
    template, if it has one, before the built-in one)."""
    return make_environment(workspace.pm, override_dir=_templates_dir(workspace))


class ReceiptWriter:
    """Writes Markdown receipts into ``receipts/<period>/`` of the workspace (or a folder)."""

    def __init__(
        self,
        workspace: Workspace,
        out_dir: Path | None = None,
        *,
        received_at: datetime | None = None,
        env: Environment | None = None,
    ) -> None:
        self.ws = workspace
        self.out_dir = out_dir or workspace.root / "receipts"
        # ``env``: one made by :func:`receipt_environment` before, for a server that
        # writes a receipt per request and should not compile the template each time.
        self.env: Environment = env or receipt_environment(workspace)
        self.template = self.env.get_template("receipt.md.j2")
        self.received = (received_at or datetime.now()).strftime("%Y-%m-%d %H:%M")
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[Future[None]] = []

    def write(self, result: IngestResult) -> list[Path]:
        sweep_stale_parts(self.out_dir)  # receipts half-written by a killed run
        # Rendering is quick; the disk is what a batch of hundreds of receipts waits on,
        # and a few writes in flight at once hide most of that wait.
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="unionroll-receipt") as pool:
            self._pool = pool
            try:
                written = [p for outcome in result.files for p in self.write_file(outcome)]
            finally:
                self._pool = None
        for future in self._pending:
            future.result()  # a write that failed (a full disk) is an error, not a silence
        self._pending.clear()
        return written

    def write_file(self, outcome: FileOutcome) -> list[Path]:
        if outcome.error is not None or outcome.duplicate_of:
            status = "unreadable" if outcome.error is not None else "duplicate"
            note = f"与 {outcome.duplicate_of} 相同。" if outcome.duplicate_of else None
            text = self._render(
                outcome,
                None,
                verdict=VERDICT_ZH[status],
                errors=[outcome.error] if outcome.error else [],
                warnings=[],
                note=note,
            )
            stem = Path(outcome.display_name).stem
            return [self._save("未识别", f"未识别_{_safe(stem)}_回执.md", text)]
        paths = []
        for ret in outcome.returns:
            text = self._render(
                outcome,
                ret,
                verdict=VERDICT_ZH[ret.status],
                errors=[f for f in ret.findings if f.severity == "error"],
                warnings=[f for f in ret.findings if f.severity == "warning"],
                note=_note(ret),
            )
            unit = ret.unit_code or "未知单位"
            name = f"{_safe(unit)}_{_safe(ret.unit_name or '')}_{ret.period or '未知期间'}_回执.md"
            paths.append(self._save(ret.period or "未知期间", name, text))
        return paths

    def _render(
        self,
        outcome: FileOutcome,
        ret: ReturnOutcome | None,
        *,
        verdict: str,
        errors: list[Finding],
        warnings: list[Finding],
        note: str | None,
    ) -> str:
        period_label = None
        if ret and ret.period:
            period_label = Period.parse(ret.period).label_zh
        return self.template.render(
            title="报表回执",
            unit_name=ret.unit_name if ret else None,
            unit_code=ret.unit_code if ret else None,
            period_label=period_label,
            file_name=outcome.display_name,
            locator=ret.locator if ret else None,
            received_at=self.received,
            verdict=verdict,
            n_values=ret.n_values if ret and ret.status != "rejected" else None,
            n_register_rows=ret.n_register_rows if ret else 0,
            note=note,
            errors=_finding_rows(errors),
            warnings=_finding_rows(warnings),
            county_name=self.ws.config.name,
            today=_date_zh(date.today()),
        )

    def _save(self, folder: str, name: str, text: str) -> Path:
        target = self.out_dir / folder / name
        if self._pool is not None:
            self._pending.append(
                self._pool.submit(write_text_atomic, target, text, fault="receipt")
            )
        else:
            write_text_atomic(target, text, fault="receipt")
        return target


def _note(ret: ReturnOutcome) -> str | None:
    if ret.status == "rejected":
        return "本报表未收录。请按下列说明改正后重新报送整份报表。"
    if ret.superseded_id:
        return "本报表替换了此前报送的同期报表（原报表保留在历史记录中）。"
    if ret.on_time is False:
        return "本报表在截止日期之后收到，按逾期报送统计。"
    return None


def _date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _templates_dir(workspace: Workspace) -> Path | None:
    configured = workspace.config.templates_dir
    if not configured:
        return None
    path = Path(configured)
    return path if path.is_absolute() else workspace.root / path
