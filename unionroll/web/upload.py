"""An uploaded file, ingested exactly as ``unionroll ingest`` ingests a file.

The upload is written under its own (cleaned) name into a fresh folder of the
workspace's ``tmp/``, read by :func:`ingest_paths` with the uploading account's limits
(its own unit; the period it chose), its receipt written to ``receipts/`` like every
other, and the folder removed. What the page shows is built from the same outcome.
"""

from __future__ import annotations

import re
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import datetime

from jinja2 import Environment
from werkzeug.datastructures import FileStorage

from unionroll.core.accounts import Account
from unionroll.core.ingest import FileOutcome, IngestOptions, ingest_paths
from unionroll.core.model import Finding
from unionroll.core.periods import Period
from unionroll.core.workspace import Workspace
from unionroll.plugins.receipts import VERDICT_ZH, ReceiptWriter

_UNSAFE = re.compile(r'[\x00-\x1f\x7f\\/:*?"<>|]+')


@dataclass
class FindingRow:
    where: str
    message: str


@dataclass
class ReturnReceipt:
    unit: str
    period: str
    verdict: str
    ok: bool
    status: str
    n_values: int | None
    n_register_rows: int
    errors: list[FindingRow] = field(default_factory=list)
    warnings: list[FindingRow] = field(default_factory=list)
    return_id: int | None = None


@dataclass
class UploadReceipt:
    """What the page shows after an upload: the same facts as the Markdown receipt."""

    file_name: str
    received_at: str
    ok: bool
    file_error: FindingRow | None = None
    file_verdict: str | None = None
    returns: list[ReturnReceipt] = field(default_factory=list)


def clean_name(raw: str | None) -> str:
    """The uploaded file's name without any folder, control or unsafe characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    if not name:
        return "上传的文件"
    stem, dot, ext = name.rpartition(".")
    if dot and len(ext) <= 10:
        return stem[:100] + "." + ext
    return name[:110]


def receive(
    ws: Workspace,
    account: Account,
    upload: FileStorage,
    period: Period | None,
    *,
    env: Environment | None = None,
) -> UploadReceipt:
    """Ingest one uploaded file for ``account``; ``env`` is the receipt template
    environment to reuse (see :func:`receipt_environment`)."""
    name = clean_name(upload.filename)
    folder = ws.root / "tmp" / "uploads" / secrets.token_hex(8)
    folder.mkdir(parents=True)
    try:
        path = folder / name
        upload.save(path)
        received = datetime.now().replace(microsecond=0)
        options = IngestOptions(
            received_at=received,
            submitted_by=account.login,
            only_units=frozenset({account.unit_code}),
            only_period=period.code if period else None,
        )
        result = ingest_paths(ws, [path], options=options)
        ReceiptWriter(ws, received_at=received, env=env).write(result)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    (outcome,) = result.files
    return _receipt(outcome, name, received)


def _rows(findings: list[Finding]) -> list[FindingRow]:
    return [FindingRow(f.location.short if f.location else "整个文件", f.message) for f in findings]


def _receipt(outcome: FileOutcome, name: str, received: datetime) -> UploadReceipt:
    receipt = UploadReceipt(
        file_name=name, received_at=received.strftime("%Y-%m-%d %H:%M"), ok=outcome.ok
    )
    if outcome.error is not None:
        receipt.file_error = _rows([outcome.error])[0]
        receipt.file_verdict = VERDICT_ZH["unreadable"]
        return receipt
    for ret in outcome.returns:
        period = Period.parse(ret.period).label_zh if ret.period else "（未写明期间）"
        unit = f"{ret.unit_name}（{ret.unit_code}）" if ret.unit_name else (ret.unit_code or "")
        receipt.returns.append(
            ReturnReceipt(
                unit=unit or "（未写明单位）",
                period=period,
                verdict=VERDICT_ZH[ret.status],
                ok=ret.ok,
                status=ret.status,
                n_values=ret.n_values if ret.status != "rejected" else None,
                n_register_rows=ret.n_register_rows,
                errors=_rows([f for f in ret.findings if f.severity == "error"]),
                warnings=_rows([f for f in ret.findings if f.severity == "warning"]),
                return_id=ret.return_id,
            )
        )
    return receipt
