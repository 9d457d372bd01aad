"""What a receipt (回执) says, as plain data: from an ingest run, or again from the store.

A receipt is written when a file is ingested; ``unionroll receipts`` writes it again later
(a school lost it, or wants the Word copy) from what was stored with the return: its
status, counts and findings. Both give a :class:`ReceiptData`, which the receipt writer
(:mod:`unionroll.plugins.receipts`) renders without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from unionroll.core import tables as T
from unionroll.core.model import Finding
from unionroll.core.periods import Period


@dataclass(frozen=True)
class ReceiptLine:
    """One finding as a receipt lists it: where in the file, and what is wrong."""

    where: str
    message: str


@dataclass
class ReceiptData:
    unit_code: str | None
    unit_name: str | None
    period: str | None
    file_name: str
    received_at: datetime
    status: str  # a return status, or unreadable | duplicate for a file with no return
    locator: str | None = None
    n_values: int | None = None
    n_register_rows: int = 0
    errors: list[ReceiptLine] = field(default_factory=list)
    warnings: list[ReceiptLine] = field(default_factory=list)
    superseded: bool = False
    on_time: bool | None = None
    duplicate_of: str | None = None

    @property
    def period_label(self) -> str | None:
        return Period.parse(self.period).label_zh if self.period else None


def lines(findings: list[Finding], severity: str) -> list[ReceiptLine]:
    return [
        ReceiptLine(f.location.short if f.location else "整个文件", f.message)
        for f in findings
        if f.severity == severity
    ]


def stored_receipts(
    workspace: object, period: Period | str, unit: str | None = None
) -> list[ReceiptData]:
    """The receipts of the latest return of each unit (or of ``unit``) for ``period``, as
    they were written when the return was received."""
    from unionroll.core.units import require_unit

    period = Period.parse(period)
    r = T.returns
    u = T.units
    deadline = period.deadline(workspace.form.deadline_days)  # type: ignore[attr-defined]
    with workspace.session() as session:  # type: ignore[attr-defined]
        latest = select(func.max(r.c.id)).where(r.c.period == period.code).group_by(r.c.unit_id)
        if unit is not None:
            latest = latest.where(r.c.unit_id == require_unit(session, unit).id)
        rows = session.execute(
            select(r, u.c.code, u.c.name)
            .join(u, u.c.id == r.c.unit_id)
            .where(r.c.id.in_(latest))
            .order_by(u.c.code)
        ).all()
        ids = [row.id for row in rows]
        findings = (
            session.execute(
                select(
                    T.findings.c.return_id,
                    T.findings.c.severity,
                    T.findings.c.message,
                    T.findings.c.location,
                )
                .where(T.findings.c.return_id.in_(ids))
                .order_by(T.findings.c.id)
            ).all()
            if ids
            else []
        )
        registers = (
            dict(
                session.execute(
                    select(T.register_rows.c.return_id, func.count())
                    .where(T.register_rows.c.return_id.in_(ids))
                    .group_by(T.register_rows.c.return_id)
                ).all()
            )
            if ids
            else {}
        )
        replaced = (
            set(session.scalars(select(r.c.superseded_by_id).where(r.c.superseded_by_id.in_(ids))))
            if ids
            else set()
        )
    by_return: dict[int, list[tuple[str, ReceiptLine]]] = {}
    for f in findings:
        by_return.setdefault(f.return_id, []).append(
            (f.severity, ReceiptLine(f.location or "整个文件", f.message))
        )
    out = []
    for row in rows:
        found = by_return.get(row.id, [])
        # A return that was replaced since still shows its status of the day it came in.
        status = row.status
        if status == "superseded":
            status = "accepted_with_warnings" if row.n_warnings else "accepted"
        out.append(
            ReceiptData(
                unit_code=row.code,
                unit_name=row.name,
                period=row.period,
                file_name=row.source_name,
                received_at=row.submitted_at,
                status=status,
                locator=row.source_locator,
                n_values=row.n_values if status != "rejected" else None,
                n_register_rows=registers.get(row.id, 0),
                errors=[line for sev, line in found if sev == "error"],
                warnings=[line for sev, line in found if sev == "warning"],
                superseded=row.id in replaced,
                on_time=row.submitted_at.date() <= deadline if status != "rejected" else None,
            )
        )
    return out
