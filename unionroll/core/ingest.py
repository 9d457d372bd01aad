"""Ingestion: detect → read → validate → store, one database transaction per return.

A file is read by the first adapter (highest priority) whose ``sniff`` accepts it. Each
return it holds is validated and stored whole or not at all. An identical return already
stored is a no-op; a changed one for the same unit and period supersedes the earlier
return, which is kept as history. Every source file is copied into the workspace under
its checksum so any figure can be traced back to the file it came from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from unionroll.core import faults
from unionroll.core.contracts import Adapter, ReadContext, Validator
from unionroll.core.errors import SourceError, UsageError
from unionroll.core.files import part_name, sweep_stale_parts
from unionroll.core.forms import FormDefinition
from unionroll.core.hookcalls import notify
from unionroll.core.ingest_readers import ReaderPool
from unionroll.core.model import CheckedReturn, Finding, Location, ReturnData, UnitInfo
from unionroll.core.outlier_data import IngestOutliers
from unionroll.core.periods import Period
from unionroll.core.review import is_locked
from unionroll.core.store import (
    ACTIVE_STATUSES,
    RegisterRow,
    ReturnRecord,
    ReturnValue,
    SourceFile,
    Unit,
    utcnow,
)
from unionroll.core.store import (
    Finding as FindingRow,
)
from unionroll.core.units import unit_infos
from unionroll.core.validation import validate
from unionroll.core.workspace import Workspace
from unionroll.core.writes import source_file_id, write_transaction

MAX_FILE_BYTES = 50 * 1024 * 1024
READ_AHEAD = 4  # files read and checked ahead of the one being stored
HEAD_BYTES = 8192

# Hints for files that no adapter accepts, by their first bytes or their extension.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class ReturnOutcome:
    """What became of one return in a file."""

    unit_code: str | None
    unit_name: str | None
    period: str | None
    status: str  # accepted | accepted_with_warnings | rejected | unchanged
    findings: list[Finding]
    n_values: int = 0
    n_register_rows: int = 0
    return_id: int | None = None
    superseded_id: int | None = None
    locator: str | None = None
    on_time: bool | None = None

    @property
    def ok(self) -> bool:
        return self.status != "rejected"


@dataclass
class FileOutcome:
    """What became of one input file."""

    path: Path
    display_name: str
    checksum: str | None = None
    adapter: str | None = None
    returns: list[ReturnOutcome] = field(default_factory=list)
    error: Finding | None = None  # the file could not be read at all
    duplicate_of: str | None = None  # same bytes as an earlier file in this batch

    @property
    def ok(self) -> bool:
        return self.error is None and all(r.ok for r in self.returns)

    @property
    def status(self) -> str:
        if self.duplicate_of:
            return "duplicate"
        if self.error is not None:
            return "unreadable"
        statuses = {r.status for r in self.returns}
        if "rejected" in statuses:
            return "rejected" if statuses == {"rejected"} else "partly_rejected"
        if statuses == {"unchanged"}:
            return "unchanged"
        if "accepted_with_warnings" in statuses:
            return "accepted_with_warnings"
        return "accepted"


@dataclass
class Prepared:
    """A file read and checked, waiting to be stored."""

    outcome: FileOutcome
    blob: bytes = b""
    size: int = 0
    adapter: Adapter | None = None  # not sent back from a reader process: see adapter_name
    adapter_name: str | None = None
    checked: list[tuple[ReturnData, CheckedReturn]] = field(default_factory=list)
    stored: str | None = None  # where the source file's copy is in the workspace
    plugin_errors: list[str] = field(default_factory=list)  # sniffs that raised


@dataclass
class IngestResult:
    files: list[FileOutcome]
    dry_run: bool = False
    # Broken plugins passed over during the run (a sniff or an after_ingest hook that
    # raised), each naming the plugin: for the county, never for a school's receipt.
    plugin_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files for r in f.returns if r.status == status)

    @property
    def unreadable(self) -> list[FileOutcome]:
        return [f for f in self.files if f.error is not None]

    @property
    def failed_files(self) -> list[FileOutcome]:
        return [f for f in self.files if not f.ok]


@dataclass
class IngestOptions:
    dry_run: bool = False
    received_at: datetime | None = None  # when the files were received (default: now)
    today: date | None = None
    keep_sources: bool = True
    # Who is sending (a web login); recorded with each stored return.
    submitted_by: str | None = None
    # When set, returns of other units are refused unread into the store: a school on
    # the web page sends only its own.
    only_units: frozenset[str] | None = None
    # When set, a return for another period is refused (the period the sender chose).
    only_period: str | None = None


# --- finding the files -----------------------------------------------------------------


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively) into a sorted list of files to read."""
    files: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(
                    p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "~$"))
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(str(raw))
    if missing:
        raise UsageError("找不到这些文件或文件夹：" + "、".join(missing))
    return files


def choose_adapter(
    path: Path,
    head: bytes,
    adapters: Sequence[Adapter],
    failures: dict[str, str] | None = None,
) -> Adapter | None:
    """The adapter that claims the file, highest priority first. ``failures``, when given,
    collects adapter name → message for sniffs that raised."""
    for adapter in sorted(adapters, key=lambda a: -a.priority):
        try:
            if adapter.sniff(path, head):
                return adapter
        except Exception as exc:  # a sniffing plugin must not stop the run; it just does not claim
            if failures is not None:
                failures[adapter.name] = (
                    f"读取器 {adapter.name} 的 sniff 出错，已跳过：{type(exc).__name__}: {exc}"
                )
            continue
    return None


def _not_return_data(datas: object) -> str | None:
    """What is wrong with an adapter's result (a type name), or None when it is right."""
    if not isinstance(datas, list | tuple):
        return type(datas).__name__
    wrong = next((d for d in datas if not isinstance(d, ReturnData)), None)
    return None if wrong is None else f"含有 {type(wrong).__name__} 的列表"


def _unrecognised_message(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(_OLE_MAGIC):
        if suffix == ".et":
            return (
                "这是 WPS 表格 .et 文件，无法读取。"
                "请在 WPS 中“另存为”Excel 工作簿（.xlsx）后再报送。"
            )
        return (
            "这是旧版 Excel（.xls）或加密的文件，无法读取。"
            "请在 Excel/WPS 中“另存为”Excel 工作簿（.xlsx），并取消密码保护后再报送。"
        )
    if not head:
        return "文件是空的（0 字节）。"
    if head.startswith(b"%PDF"):
        return "这是 PDF 文件，不是报表。请报送 Excel 报表模板（.xlsx）。"
    if suffix in (".doc", ".docx", ".wps"):
        return "这是 Word 文档，不是报表。请报送 Excel 报表模板（.xlsx）。"
    return "无法识别的文件格式：不是报表模板（.xlsx）、JSON 报表或 CSV 长表。"


# --- the pipeline ------------------------------------------------------------------------


class Ingestor:
    """Ingests files into one workspace. Create one per run: it caches units and adapters."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        adapters: Sequence[Adapter],
        validators: Sequence[Validator],
        forms: dict[str, FormDefinition],
        options: IngestOptions | None = None,
    ) -> None:
        self.ws = workspace
        self.form = workspace.form
        self.forms = dict(forms)
        self.forms.setdefault(self.form.name, self.form)
        self.adapters = list(adapters)
        self._adapters_by_name = {a.name: a for a in self.adapters}
        self.validators = list(validators)
        self.options = options or IngestOptions()
        self.today = self.options.today or date.today()
        with workspace.session() as session:
            self.units: dict[str, UnitInfo] = unit_infos(session)
            self.unit_ids: dict[str, int] = dict(session.execute(select(Unit.code, Unit.id)).all())
        self._seen: dict[str, str] = {}
        self.outliers = IngestOutliers(
            self.form, {lv.id: lv.name for lv in workspace.config.levels}
        )
        self.plugin_errors: list[str] = []
        self._sniff_failed: set[str] = set()

    def adapter_settings(self, name: str) -> dict[str, Any]:
        """An adapter's settings: ``[adapters.NAME]`` over ``[plugins.NAME]``."""
        return self.ws.config.plugin_settings("adapters", name)

    # one file ------------------------------------------------------------------------

    def ingest_file(self, path: Path, display_name: str | None = None) -> FileOutcome:
        return self.finish(self.prepare(path, display_name))

    def prepare(self, path: Path, display_name: str | None = None) -> Prepared:
        """Read and check one file; touches no database, so it can run ahead in a thread."""
        name = display_name or path.name
        prep = Prepared(FileOutcome(path=path, display_name=name))
        outcome = prep.outcome
        where = Location(file=name)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise SourceError(
                    f"文件太大（{size / 1024 / 1024:.1f} MB），一份报表不应超过 "
                    f"{MAX_FILE_BYTES // 1024 // 1024} MB。",
                    code="too_large",
                )
            prep.blob = path.read_bytes()
            prep.size = len(prep.blob)
        except SourceError as exc:
            outcome.error = _finding_from(exc, where)
            return prep
        except OSError as exc:
            outcome.error = Finding("error", "unreadable", f"无法打开文件：{exc.strerror}", where)
            return prep
        outcome.checksum = hashlib.sha256(prep.blob).hexdigest()

        head = prep.blob[:HEAD_BYTES]
        sniff_failures: dict[str, str] = {}
        adapter = choose_adapter(path, head, self.adapters, sniff_failures)
        prep.plugin_errors.extend(sniff_failures.values())
        if adapter is None:
            outcome.error = Finding(
                "error", "unrecognised", _unrecognised_message(path, head), where
            )
            return prep
        prep.adapter = adapter
        prep.adapter_name = adapter.name
        outcome.adapter = adapter.name
        context = ReadContext(
            form=self.form,
            forms=self.forms,
            display_name=name,
            settings=self.adapter_settings(adapter.name),
        )
        try:
            datas = adapter.read(path, context)
        except SourceError as exc:
            outcome.error = _finding_from(exc, where)
            return prep
        except MemoryError:
            outcome.error = Finding(
                "error", "too_large", "文件内容过大，读取时内存不足，已拒收。", where
            )
            return prep
        except Exception as exc:  # a reader's bug must not take the run down with it
            outcome.error = Finding(
                "error",
                "adapter_failed",
                f"读取器 {adapter.name} 无法读取此文件（{type(exc).__name__}: {exc}）。",
                where,
            )
            return prep
        wrong = _not_return_data(datas)
        if wrong is not None:
            outcome.error = Finding(
                "error",
                "adapter_failed",
                f"读取器 {adapter.name} 出错：read() 应返回 ReturnData 的列表，"
                f"实际返回了 {wrong}。",
                where,
            )
            return prep
        if not datas:
            outcome.error = Finding("error", "empty", "文件中没有任何报表数据。", where)
            return prep
        prep.checked = [
            (
                data,
                validate(
                    data,
                    form=self.form,
                    forms=self.forms,
                    units=self.units,
                    today=self.today,
                    validators=self.validators,
                ),
            )
            for data in datas
        ]
        if any(c.period and c.unit_code in self.unit_ids for _, c in prep.checked):
            # Only a file with a return to store is kept: a kept copy always has its row.
            prep.stored = self._keep_copy(prep.blob, outcome.checksum, name)
        prep.blob = b""  # copied into the workspace; nothing later needs the bytes
        return prep

    def finish(self, prep: Prepared) -> FileOutcome:
        """Store what :meth:`prepare` read: each return in its own transaction."""
        outcome = prep.outcome
        for message in prep.plugin_errors:
            if message not in self._sniff_failed:  # said once per run, not once per file
                self._sniff_failed.add(message)
                self.plugin_errors.append(message)
        if outcome.error is not None or outcome.checksum is None:
            return outcome
        if prep.adapter is None and prep.adapter_name is not None:
            prep.adapter = self._adapters_by_name[prep.adapter_name]
        if outcome.checksum in self._seen:
            outcome.duplicate_of = self._seen[outcome.checksum]
            return outcome
        self._seen[outcome.checksum] = outcome.display_name
        assert prep.adapter is not None
        for data, checked in prep.checked:
            outcome.returns.append(self._store(checked, data, prep))
        return outcome

    # storing -------------------------------------------------------------------------

    def _store(self, checked: CheckedReturn, data: ReturnData, prep: Prepared) -> ReturnOutcome:
        adapter, name = prep.adapter, prep.outcome.display_name
        checksum = prep.outcome.checksum
        assert adapter is not None and checksum is not None
        unit = self.units.get(checked.unit_code or "")
        period = checked.period
        received = self.options.received_at or datetime.now()
        outcome = ReturnOutcome(
            unit_code=checked.unit_code,
            unit_name=unit.name if unit else None,
            period=period,
            status=checked.status,
            findings=list(checked.findings),
            n_values=len(checked.values),
            n_register_rows=len(checked.registers),
            locator=data.locator,
        )
        if period and checked.accepted:
            deadline = Period.parse(period).deadline(self.form.deadline_days)
            outcome.on_time = received.date() <= deadline
        refusal = self._refusal(checked, data, name)
        if refusal is not None:
            return _refused(outcome, refusal)
        if checked.accepted and unit is not None and period:
            # Far from the unit's past or its peers: a warning to check, never a refusal.
            flagged = self.outliers.check(self.ws.engine, checked, unit, period)
            checked.findings.extend(flagged)
            outcome.findings.extend(flagged)
            outcome.status = checked.status
        content = content_checksum(checked)
        unit_id = self.unit_ids.get(checked.unit_code or "")
        if self.options.dry_run or unit_id is None or period is None:
            # Without a known unit and period there is nothing a rejection can be filed under;
            # the receipt still tells the sender every finding.
            return outcome

        def write(conn: Connection) -> ReturnOutcome:
            # write_transaction has taken the unit's write lock: a review step (which locks
            # the same row) or another ingest of this unit waits until this one commits.
            faults.point("store_begin")
            outcome.superseded_id = None  # a second try starts afresh
            if is_locked(conn, unit_id, period):
                return _refused(outcome, _locked_finding(self.ws, data, name, unit, period))
            history = conn.execute(_HISTORY, {"unit_id": unit_id, "period": period}).all()
            active = [row for row in history if row.status in ACTIVE_STATUSES]
            if checked.accepted and active and active[0].content_checksum == content:
                outcome.status = "unchanged"
                outcome.return_id = active[0].id
                return outcome
            if (
                checked.accepted
                and active
                and _sent_before(conn, unit_id, period, content, checksum)
            ):
                # These very bytes were stored before and have since been replaced: sending
                # an old file again (a rerun after a crash, say) must not undo the newer one.
                outcome.status = "unchanged"
                outcome.return_id = active[0].id
                return outcome
            if not checked.accepted and history and history[0].content_checksum == content:
                # The same faulty return again: it is already on file as rejected.
                outcome.return_id = history[0].id
                return outcome
            source_id = self._source_file(conn, prep.size, checksum, name, prep.stored)
            faults.point("store_source")
            if checked.accepted and active:
                # Retired before the new return goes in: the store allows one current
                # return per unit and period at any moment (uq_returns_current).
                conn.execute(_RETIRE, [{"old_id": row.id} for row in active])
            return_id = conn.execute(
                _INSERT_RETURN,
                {
                    "unit_id": unit_id,
                    "period": period,
                    "form_id": checked.form_id,
                    "form_version": checked.form_version,
                    "status": checked.status,
                    "consolidated": bool(data.consolidated),
                    "adapter": adapter.name,
                    "source_file_id": source_id,
                    "source_name": name,
                    "source_locator": data.locator,
                    "content_checksum": content,
                    "submitted_at": received.replace(tzinfo=None),
                    "superseded_by_id": None,
                    "superseded_at": None,
                    "n_values": len(checked.values) if checked.accepted else 0,
                    "n_errors": len(checked.errors),
                    "n_warnings": len(checked.warnings),
                    "submitted_by": self.options.submitted_by,
                },
            ).scalar_one()
            outcome.return_id = return_id
            faults.point("store_return")
            if checked.accepted:
                if active:
                    conn.execute(
                        _SUPERSEDE,
                        [{"old_id": row.id, "new_id": return_id, "at": utcnow()} for row in active],
                    )
                    outcome.superseded_id = active[0].id
                    faults.point("store_supersede")
                _insert_values(conn, return_id, checked)
                faults.point("store_values")
            _insert_findings(conn, return_id, checked.findings)
            faults.point("store_commit")
            return outcome

        outcome = write_transaction(self.ws, write, lock_unit=unit_id)
        faults.point("stored")
        return outcome

    def _refusal(self, checked: CheckedReturn, data: ReturnData, name: str) -> Finding | None:
        """Why the sender may not send this return at all, or None."""
        opts = self.options
        code = checked.unit_code
        if opts.only_units is not None and code and code not in opts.only_units:
            unit = self.units.get(code)
            shown = f"{unit.name}（{code}）" if unit else code
            own = "、".join(sorted(opts.only_units))
            return Finding(
                "error",
                "not_own_unit",
                f"这是{shown}的报表，你只能报送本单位（{own}）的报表。请检查是否选错了文件。",
                data.unit_location or Location(file=name),
            )
        if opts.only_period and checked.period and checked.period != opts.only_period:
            chosen, found = Period.parse(opts.only_period), Period.parse(checked.period)
            return Finding(
                "error",
                "other_period",
                f"你选择报送{chosen.label_zh}，但这份报表是{found.label_zh}的。"
                "请检查是否选错了文件，或回到期间列表选择对应的期间。",
                data.period_location or Location(file=name),
            )
        return None

    def _source_file(
        self, conn: Connection, size: int, checksum: str, name: str, stored: str | None
    ) -> int:
        row = {
            "checksum": checksum,
            "original_name": name,
            "stored_path": stored,
            "size": size,
            "received_at": utcnow(),
        }
        return source_file_id(conn, row)

    def _keep_copy(self, blob: bytes, checksum: str, name: str) -> str | None:
        """Copy a source file into the workspace under its checksum; returns its path there.

        Done while reading (in the reading thread, where the disk's wait overlaps with
        storing the previous file). A copy whose return is then not stored is harmless:
        it is named by its content, and the same file sent again reuses it.
        """
        if not self.options.keep_sources or self.options.dry_run:
            return None
        suffix = Path(name).suffix.lower()[:10]
        rel = f"sources/{checksum[:2]}/{checksum}{suffix}"
        target = self.ws.root / rel
        faults.point("read")
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(part_name(target.name))
            with tmp.open("wb") as fh:
                fh.write(blob[: len(blob) // 2])
                fh.flush()
                faults.point("copy_write")
                fh.write(blob[len(blob) // 2 :])
            faults.point("copy_rename")
            tmp.replace(target)  # never a half-written copy under the final name
        return rel


# Statements are built once: ingest stores thousands of returns, and building (and
# ORM-processing) a statement per return costs more than running it.
_RETURNS = ReturnRecord.__table__
_HISTORY = (
    select(_RETURNS.c.id, _RETURNS.c.content_checksum, _RETURNS.c.status)
    .where(
        _RETURNS.c.unit_id == bindparam("unit_id"),
        _RETURNS.c.period == bindparam("period"),
        _RETURNS.c.status != "superseded",
    )
    .order_by(_RETURNS.c.id.desc())
)
_INSERT_RETURN = insert(_RETURNS).returning(_RETURNS.c.id)
_RETIRE = update(_RETURNS).where(_RETURNS.c.id == bindparam("old_id")).values(status="superseded")
_SUPERSEDE = (
    update(_RETURNS)
    .where(_RETURNS.c.id == bindparam("old_id"))
    .values(
        status="superseded",
        superseded_by_id=bindparam("new_id"),
        superseded_at=bindparam("at"),
    )
)
_SOURCES = SourceFile.__table__
_SUPERSEDED_FROM_FILE = (
    select(_RETURNS.c.id)
    .join(_SOURCES, _SOURCES.c.id == _RETURNS.c.source_file_id)
    .where(
        _RETURNS.c.unit_id == bindparam("unit_id"),
        _RETURNS.c.period == bindparam("period"),
        _RETURNS.c.status == "superseded",
        _RETURNS.c.content_checksum == bindparam("content"),
        _SOURCES.c.checksum == bindparam("file"),
    )
    .limit(1)
)
_INSERT_VALUES = insert(ReturnValue.__table__)
_INSERT_REGISTER_ROWS = insert(RegisterRow.__table__)
_INSERT_FINDINGS = insert(FindingRow.__table__)


def _refused(outcome: ReturnOutcome, finding: Finding) -> ReturnOutcome:
    outcome.status = "rejected"
    outcome.on_time = None
    outcome.findings.insert(0, finding)
    return outcome


def _locked_finding(
    ws: Workspace, data: ReturnData, name: str, unit: UnitInfo | None, period: str
) -> Finding:
    top = ws.config.levels[0].name
    shown = unit.name if unit else data.unit_code
    return Finding(
        "error",
        "locked",
        f"{shown}{Period.parse(period).label_zh}的报表已经{top}级确认并锁定，不能再报送或更正。"
        f"如确需更正，请联系{top}教育工会解锁。",
        data.unit_location or Location(file=name),
    )


def _sent_before(conn: Connection, unit_id: int, period: str, content: str, file: str) -> bool:
    row = conn.execute(
        _SUPERSEDED_FROM_FILE,
        {"unit_id": unit_id, "period": period, "content": content, "file": file},
    ).first()
    return row is not None


def _finding_from(exc: SourceError, fallback: Location) -> Finding:
    location = exc.location if isinstance(exc.location, Location) else fallback
    return Finding("error", exc.code, exc.message, location)


def content_checksum(checked: CheckedReturn) -> str:
    """A checksum of what a return says, independent of the file it came in."""
    payload = {
        "unit": checked.unit_code,
        "period": checked.period,
        "form": [checked.form_id, checked.form_version],
        "consolidated": bool(checked.data.consolidated),
        "values": sorted((k, v) for k, v in checked.values.items()),
        "registers": [
            [r.register, r.category, r.level, r.month, sorted(r.data.items(), key=str)]
            for r in checked.registers
        ],
    }
    blob = json.dumps(payload, ensure_ascii=False, default=str, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _insert_values(conn: Connection, return_id: int, checked: CheckedReturn) -> None:
    rows: list[dict[str, Any]] = []
    for indicator_id, value in checked.values.items():
        loc = checked.value_locations.get(indicator_id)
        is_text = isinstance(value, str)
        rows.append(
            {
                "return_id": return_id,
                "indicator_id": indicator_id,
                "num": None if is_text or value is None else float(value),
                "text": value if is_text else None,
                "location": _loc_text(loc),
            }
        )
    if rows:
        conn.execute(_INSERT_VALUES, rows)
    regs = [
        {
            "return_id": return_id,
            "register": r.register,
            "row_no": r.row_no,
            "category": r.category,
            "level": r.level,
            "month": r.month,
            "data": _jsonable(r.data),
            "location": _loc_text(r.location),
        }
        for r in checked.registers
    ]
    if regs:
        conn.execute(_INSERT_REGISTER_ROWS, regs)


def _insert_findings(conn: Connection, return_id: int, findings: list[Finding]) -> None:
    rows = [
        {
            "return_id": return_id,
            "severity": f.severity,
            "code": f.code,
            "message": f.message,
            "location": _loc_text(f.location),
            "indicator_id": f.indicator_id,
        }
        for f in findings
    ]
    if rows:
        conn.execute(_INSERT_FINDINGS, rows)


def _loc_text(loc: Location | None) -> str | None:
    return loc.short if loc is not None else None


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def ingest_paths(
    workspace: Workspace,
    paths: Iterable[str | Path],
    *,
    options: IngestOptions | None = None,
    progress: Callable[[FileOutcome], None] | None = None,
) -> IngestResult:
    """Ingest files and folders with the workspace's registered adapters and validators."""
    from unionroll.core.plugins import (
        registered_adapters,
        registered_forms,
        registered_validators,
    )

    files = collect_files(paths)
    # Copies half-written by a run that was killed: their final copies are written again.
    sweep_stale_parts(workspace.root / "sources")
    pm = workspace.pm
    ingestor = Ingestor(
        workspace,
        adapters=list(registered_adapters(pm).values()),
        validators=list(registered_validators(pm).values()),
        forms=registered_forms(pm),
        options=options,
    )
    outcomes = []
    with ReaderPool(ingestor, len(files)) as reader:
        for outcome in reader.outcomes(files):
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    result = IngestResult(
        outcomes, dry_run=ingestor.options.dry_run, plugin_errors=ingestor.plugin_errors
    )
    if not result.dry_run:
        # The returns are stored: a failing plugin is named and the others still run.
        failures = notify(pm, "after_ingest", workspace=workspace, result=result)
        result.plugin_errors.extend(str(f) for f in failures)
    return result
