"""Storing what was read, several files' returns in one transaction.

A group of files (those read while the group before was being stored) is written in one
transaction: what each return finds in the store (its unit's earlier returns, a lock) is
read for the whole group at once, and its rows are inserted with one statement per
table. Each return is still stored whole or not at all, since the group is; a crash loses
at most the group being written, and a rerun stores it. If a group fails for any reason
but waiting on other writers, its returns are stored again one by one, so the return at
fault is the only one that fails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import DBAPIError

from unionroll.core import faults
from unionroll.core.ingest import rows as R
from unionroll.core.ingest.outcomes import FileOutcome, Prepared, ReturnOutcome
from unionroll.core.ingest.reading import FileReader
from unionroll.core.model import CheckedReturn, Finding, Location, ReturnData, UnitInfo
from unionroll.core.outlier_data import IngestOutliers
from unionroll.core.periods import Period
from unionroll.core.tables import ACTIVE_STATUSES, utcnow
from unionroll.core.workspace import Workspace
from unionroll.core.writes import insert_rows, source_file_ids, write_transaction


@dataclass
class _Pending:
    """A return on its way into the store."""

    prep: Prepared
    data: ReturnData
    checked: CheckedReturn
    content: str
    unit_id: int
    period: str
    unit: UnitInfo | None
    outcome: ReturnOutcome
    received: datetime
    # What the outcome said before the write: a transaction tried again starts from it.
    before: tuple[str, list[Finding]] = field(default=("", []))

    def reset(self) -> None:
        self.outcome.status, findings = self.before
        self.outcome.findings = list(findings)
        self.outcome.return_id = self.outcome.superseded_id = None


class Ingestor(FileReader):
    """Ingests files into one workspace. Create one per run: it caches units and adapters."""

    def __init__(self, workspace: Workspace, **reader: Any) -> None:
        """``reader``: FileReader's keywords (adapters, validators, forms, options)."""
        super().__init__(workspace, **reader)
        self._seen: dict[str, str] = {}
        self.outliers = IngestOutliers(
            self.form, {lv.id: lv.name for lv in workspace.config.levels}
        )
        self.plugin_errors: list[str] = []
        self._sniff_failed: set[str] = set()

    def ingest_file(self, path: Path, display_name: str | None = None) -> FileOutcome:
        return self.finish(self.prepare(path, display_name))

    def finish(self, prep: Prepared) -> FileOutcome:
        """Store what :meth:`prepare` read."""
        return self.finish_group([prep])[0]

    def finish_group(self, preps: Sequence[Prepared]) -> list[FileOutcome]:
        """Store what :meth:`prepare` read of several files, in one transaction."""
        # When the files were received: when the sender says, or now (one time per group).
        received = self.options.received_at or datetime.now()
        pending: list[_Pending] = []
        flagged: list[tuple[ReturnOutcome, CheckedReturn, UnitInfo, str]] = []
        for prep in preps:
            if not self._admit(prep):
                continue
            for (data, checked), content in zip(prep.checked, prep.contents, strict=True):
                outcome, unit, refused = self._outcome(prep, data, checked, received)
                prep.outcome.returns.append(outcome)
                if refused:
                    continue  # not the sender's own unit or period: not stored at all
                if checked.accepted and unit is not None and checked.period:
                    flagged.append((outcome, checked, unit, checked.period))
                unit_id = self.unit_ids.get(checked.unit_code or "")
                if self.options.dry_run or unit_id is None or checked.period is None:
                    # Without a known unit and period there is nothing a rejection can be
                    # filed under; the receipt still tells the sender every finding.
                    continue
                pending.append(
                    _Pending(
                        prep,
                        data,
                        checked,
                        content,
                        unit_id,
                        checked.period,
                        unit,
                        outcome,
                        received,
                    )
                )
        self._outliers(flagged)
        for item in pending:
            item.before = (item.outcome.status, list(item.outcome.findings))
        self._write(pending)
        return [prep.outcome for prep in preps]

    def _admit(self, prep: Prepared) -> bool:
        """Whether ``prep`` has returns to store: not unreadable, not a duplicate."""
        outcome = prep.outcome
        for message in prep.plugin_errors:
            if message not in self._sniff_failed:  # said once per run, not once per file
                self._sniff_failed.add(message)
                self.plugin_errors.append(message)
        if outcome.error is not None or outcome.checksum is None:
            return False
        if prep.adapter is None and prep.adapter_name is not None:
            prep.adapter = self._adapters_by_name[prep.adapter_name]
        if outcome.checksum in self._seen:
            outcome.duplicate_of = self._seen[outcome.checksum]
            return False
        self._seen[outcome.checksum] = outcome.display_name
        return True

    def _outcome(
        self, prep: Prepared, data: ReturnData, checked: CheckedReturn, received: datetime
    ) -> tuple[ReturnOutcome, UnitInfo | None, bool]:
        unit = self.units.get(checked.unit_code or "")
        period = checked.period
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
        refusal = self._refusal(checked, data, prep.outcome.display_name)
        if refusal is not None:
            _refused(outcome, refusal)
        return outcome, unit, refusal is not None

    def _outliers(self, flagged: list[tuple[ReturnOutcome, CheckedReturn, UnitInfo, str]]) -> None:
        """Far from the unit's past or its peers: a warning to check, never a refusal."""
        found = self.outliers.check_many(self.ws.engine, [f[1:] for f in flagged])
        for (outcome, checked, _unit, _period), warnings in zip(flagged, found, strict=True):
            checked.findings.extend(warnings)
            outcome.findings.extend(warnings)
            outcome.status = checked.status

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

    # writing -------------------------------------------------------------------------

    def _write(self, pending: list[_Pending]) -> None:
        if not pending:
            return
        units = [item.unit_id for item in pending]
        try:
            # write_transaction has taken the units' write lock: a review step (which locks
            # the same rows) or another ingest of these units waits until this commits.
            write_transaction(
                self.ws, lambda conn: self._write_all(conn, pending), lock_units=units
            )
        except DBAPIError:
            if len(pending) == 1:
                raise
            for item in pending:  # find the one at fault; the others are stored
                write_transaction(
                    self.ws,
                    lambda conn, one=item: self._write_all(conn, [one]),
                    lock_units=[item.unit_id],
                )
        for _ in pending:
            faults.point("stored")

    def _write_all(self, conn: Connection, pending: list[_Pending]) -> None:
        for item in pending:
            item.reset()
        for batch in _distinct_batches(pending):
            self._write_batch(conn, batch)

    def _write_batch(self, conn: Connection, batch: list[_Pending]) -> None:
        """Store returns of distinct units and periods: what each finds first, then all
        their rows, one statement per table."""
        keys = {
            "unit_ids": sorted({i.unit_id for i in batch}),
            "periods": sorted({i.period for i in batch}),
        }
        locked = {(row.unit_id, row.period) for row in conn.execute(R.LOCKED, keys)}
        history: dict[tuple[int, str], list[Row[Any]]] = defaultdict(list)
        for row in conn.execute(R.HISTORY, keys):
            history[(row.unit_id, row.period)].append(row)
        writes: list[tuple[_Pending, list[Row[Any]]]] = []
        for item in batch:
            faults.point("store_begin")
            active = self._decide(conn, item, locked, history[(item.unit_id, item.period)])
            if active is not None:
                writes.append((item, active))
        if writes:
            self._insert(conn, writes)

    def _decide(
        self,
        conn: Connection,
        item: _Pending,
        locked: set[tuple[int, str]],
        history: list[Row[Any]],
    ) -> list[Row[Any]] | None:
        """The current returns ``item`` replaces, or None when it is not written."""
        outcome, accepted = item.outcome, item.checked.accepted
        if (item.unit_id, item.period) in locked:
            _refused(outcome, self._locked_finding(item))
            return None
        active = [row for row in history if row.status in ACTIVE_STATUSES]
        if accepted and active and active[0].content_checksum == item.content:
            outcome.status, outcome.return_id = "unchanged", active[0].id
            return None
        if accepted and active and _sent_before(conn, item):
            # These very bytes were stored before and have since been replaced: sending
            # an old file again (a rerun after a crash, say) must not undo the newer one.
            outcome.status, outcome.return_id = "unchanged", active[0].id
            return None
        if not accepted and history and history[0].content_checksum == item.content:
            # The same faulty return again: it is already on file as rejected.
            outcome.return_id = history[0].id
            return None
        return active if accepted else []

    def _insert(self, conn: Connection, writes: list[tuple[_Pending, list[Row[Any]]]]) -> None:
        sources = source_file_ids(conn, [self._source_row(item.prep) for item, _ in writes])
        for _ in writes:
            faults.point("store_source")
        # Retired before the new returns go in: the store allows one current return per
        # unit and period at any moment (uq_returns_current).
        retire = [{"old_id": row.id} for _, active in writes for row in active]
        if retire:
            conn.execute(R.RETIRE, retire)
        ids = (
            conn.execute(
                R.INSERT_RETURN,
                [
                    self._return_row(item, sources[item.prep.outcome.checksum or ""])
                    for item, _ in writes
                ],
            )
            .scalars()
            .all()
        )
        for (item, _), return_id in zip(writes, ids, strict=True):
            item.outcome.return_id = return_id
            faults.point("store_return")
        at = utcnow()
        superseded = [
            {"old_id": row.id, "new_id": item.outcome.return_id, "at": at}
            for item, active in writes
            for row in active
        ]
        if superseded:
            conn.execute(R.SUPERSEDE, superseded)
            for item, active in writes:
                if active:
                    item.outcome.superseded_id = active[0].id
                    faults.point("store_supersede")
        stored = [item for item, _ in writes if item.checked.accepted]
        insert_rows(conn, R.VALUES, R.VALUE_COLUMNS, _rows(R.value_rows, stored))
        insert_rows(conn, R.REGISTER_ROWS, R.REGISTER_COLUMNS, _rows(R.register_rows, stored))
        for _ in stored:
            faults.point("store_values")
        findings = [
            row
            for item, _ in writes
            for row in R.finding_rows(item.outcome.return_id or 0, item.checked.findings)
        ]
        insert_rows(conn, R.FINDINGS, R.FINDING_COLUMNS, findings)
        for _ in writes:
            faults.point("store_commit")

    def _source_row(self, prep: Prepared) -> dict[str, Any]:
        return {
            "checksum": prep.outcome.checksum,
            "original_name": prep.outcome.display_name,
            "stored_path": prep.stored,
            "size": prep.size,
            "received_at": utcnow(),
        }

    def _return_row(self, item: _Pending, source_id: int) -> dict[str, Any]:
        checked, adapter = item.checked, item.prep.adapter
        assert adapter is not None
        return {
            "unit_id": item.unit_id,
            "period": item.period,
            "form_id": checked.form_id,
            "form_version": checked.form_version,
            "status": checked.status,
            "consolidated": bool(item.data.consolidated),
            "adapter": adapter.name,
            "source_file_id": source_id,
            "source_name": item.prep.outcome.display_name,
            "source_locator": item.data.locator,
            "content_checksum": item.content,
            "submitted_at": item.received.replace(tzinfo=None),
            "superseded_by_id": None,
            "superseded_at": None,
            "n_values": len(checked.values) if checked.accepted else 0,
            "n_errors": len(checked.errors),
            "n_warnings": len(checked.warnings),
            "submitted_by": self.options.submitted_by,
        }

    def _locked_finding(self, item: _Pending) -> Finding:
        top = self.ws.config.levels[0].name
        shown = item.unit.name if item.unit else item.data.unit_code
        return Finding(
            "error",
            "locked",
            f"{shown}{Period.parse(item.period).label_zh}的报表已经{top}级确认并锁定，"
            f"不能再报送或更正。如确需更正，请联系{top}教育工会解锁。",
            item.data.unit_location or Location(file=item.prep.outcome.display_name),
        )


def _distinct_batches(pending: list[_Pending]) -> Iterator[list[_Pending]]:
    """``pending`` in order, cut where a unit and period comes again: the later return
    must find the earlier one in the store."""
    batch: list[_Pending] = []
    keys: set[tuple[int, str]] = set()
    for item in pending:
        key = (item.unit_id, item.period)
        if key in keys:
            yield batch
            batch, keys = [], set()
        batch.append(item)
        keys.add(key)
    if batch:
        yield batch


def _rows(make: Any, items: list[_Pending]) -> list[tuple[Any, ...]]:
    return [row for item in items for row in make(item.outcome.return_id, item.checked)]


def _refused(outcome: ReturnOutcome, finding: Finding) -> ReturnOutcome:
    outcome.status = "rejected"
    outcome.on_time = None
    outcome.findings.insert(0, finding)
    return outcome


def _sent_before(conn: Connection, item: _Pending) -> bool:
    row = conn.execute(
        R.SUPERSEDED_FROM_FILE,
        {
            "unit_id": item.unit_id,
            "period": item.period,
            "content": item.content,
            "file": item.prep.outcome.checksum,
        },
    ).first()
    return row is not None
