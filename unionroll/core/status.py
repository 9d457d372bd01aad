"""Reporting status: for a period, who was expected, who reported on time, late, or not at all.

Expected units are the units of the form's levels that were open during the period.
A unit is "on time" when its first accepted return for the period was received by the
form's deadline; a later correction does not make it late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionroll.core.periods import Period
from unionroll.core.review import approvals_of, derive_state, reporting_period, state_label
from unionroll.core.store import Finding as FindingRow
from unionroll.core.store import ReturnRecord, Unit
from unionroll.core.tables import ACTIVE_STATUSES, ONCE_ACCEPTED_STATUSES
from unionroll.core.workspace import Workspace

STATE_ZH = {
    "on_time": "按时报送",
    "late": "逾期报送",
    "rejected": "被退回",
    "missing": "逾期未报",
    "pending": "尚未报送",
}


@dataclass
class UnitStatus:
    code: str
    name: str
    level: str
    group_code: str
    group_name: str
    state: str  # on_time | late | rejected | missing | pending
    submitted_at: datetime | None = None
    return_id: int | None = None
    days_late: int = 0
    reason: str | None = None  # why a rejected return was refused (its first error)
    review: str = "not_submitted"  # the review state: see core/review.py
    review_label: str = "未报"
    review_reason: str | None = None  # why a reviewer sent it back

    @property
    def state_zh(self) -> str:
        return STATE_ZH[self.state]

    @property
    def reported(self) -> bool:
        return self.state in ("on_time", "late")


class _Counts:
    """Counts over a list of unit statuses: a township's, or the whole period's."""

    units: list[UnitStatus]

    def count(self, *states: str) -> int:
        return sum(1 for u in self.units if u.state in states)

    @property
    def expected(self) -> int:
        return len(self.units)

    @property
    def reported(self) -> int:
        return self.count("on_time", "late")

    @property
    def approved(self) -> int:
        """Units whose return is approved in review (at any level) or confirmed."""
        return sum(1 for u in self.units if u.review in ("approved", "locked"))

    @property
    def confirmed(self) -> int:
        """Units whose return the top unit has confirmed (and so locked)."""
        return sum(1 for u in self.units if u.review == "locked")

    @property
    def rate(self) -> float | None:
        return self.reported / self.expected if self.expected else None


@dataclass
class GroupStatus(_Counts):
    code: str
    name: str
    units: list[UnitStatus] = field(default_factory=list)


@dataclass
class PeriodStatus(_Counts):
    period: Period
    deadline: date
    today: date
    groups: list[GroupStatus]

    @property
    def units(self) -> list[UnitStatus]:  # type: ignore[override]
        return [u for g in self.groups for u in g.units]

    @property
    def to_chase(self) -> list[UnitStatus]:
        return [
            u
            for u in self.units
            if u.state in ("missing", "rejected", "pending") or u.review == "returned"
        ]


def period_status(
    workspace: Workspace, period: Period | str, *, today: date | None = None
) -> PeriodStatus:
    """The status of one reporting period (a period of the form's period type)."""
    period = reporting_period(workspace, period)
    form = workspace.form
    today = today or date.today()
    deadline = period.deadline(form.deadline_days)
    with workspace.session() as session:
        return _status(session, workspace, period, deadline, today)


def _status(
    session: Session, workspace: Workspace, period: Period, deadline: date, today: date
) -> PeriodStatus:
    form = workspace.form
    levels = workspace.config.level_ids
    units = session.execute(
        select(
            Unit.id,
            Unit.code,
            Unit.name,
            Unit.level,
            Unit.parent_id,
            Unit.active_from,
            Unit.active_to,
        )
    ).all()
    by_id = {u.id: u for u in units}
    group_level = levels[1] if len(levels) > 1 else levels[0]
    root_level = levels[0]

    def group_of(unit) -> tuple[str, str]:
        node = unit
        while node is not None:
            if node.level == group_level:
                return node.code, node.name
            if node.level == root_level and node is not unit:
                break
            node = by_id.get(node.parent_id) if node.parent_id else None
        if unit.level == root_level:
            return unit.code, unit.name
        return "", "直属单位"

    returns = session.execute(
        select(
            ReturnRecord.id,
            ReturnRecord.unit_id,
            ReturnRecord.status,
            ReturnRecord.submitted_at,
        )
        .where(ReturnRecord.period == period.code)
        .order_by(ReturnRecord.submitted_at, ReturnRecord.id)
    ).all()
    first_accepted: dict[int, tuple[int, datetime]] = {}
    current: dict[int, int] = {}
    last_rejected: dict[int, int] = {}
    for r in returns:
        if r.status in ONCE_ACCEPTED_STATUSES and r.unit_id not in first_accepted:
            first_accepted[r.unit_id] = (r.id, r.submitted_at)
        if r.status in ACTIVE_STATUSES:
            current[r.unit_id] = r.id
        if r.status == "rejected":
            last_rejected[r.unit_id] = r.id
    reasons: dict[int, str] = {}
    if last_rejected:
        rows = session.execute(
            select(FindingRow.return_id, FindingRow.message)
            .where(
                FindingRow.return_id.in_(list(last_rejected.values())),
                FindingRow.severity == "error",
            )
            .order_by(FindingRow.id)
        ).all()
        for row in rows:
            reasons.setdefault(row.return_id, row.message)

    approvals = approvals_of(session, period.code)
    levels_of = {u.id: u.level for u in units}

    groups: dict[tuple[str, str], GroupStatus] = {}
    for unit in sorted(
        units, key=lambda u: (levels.index(u.level) if u.level in levels else 99, u.code)
    ):
        if unit.level not in form.levels:
            continue
        if unit.active_from and unit.active_from > period.end:
            continue
        if unit.active_to and unit.active_to <= period.start:
            continue
        gcode, gname = group_of(unit)
        status = UnitStatus(unit.code, unit.name, unit.level, gcode, gname, "pending")
        if unit.id in first_accepted:
            _, submitted = first_accepted[unit.id]
            status.submitted_at = submitted
            status.return_id = current.get(unit.id, first_accepted[unit.id][0])
            late_by = (submitted.date() - deadline).days
            status.state = "late" if late_by > 0 else "on_time"
            status.days_late = max(late_by, 0)
        elif unit.id in last_rejected:
            status.state = "rejected"
            status.return_id = last_rejected[unit.id]
            status.reason = reasons.get(last_rejected[unit.id])
        else:
            status.state = "missing" if today > deadline else "pending"
            status.days_late = max((today - deadline).days, 0)
        approval = approvals.get(unit.id)
        status.review = derive_state(current.get(unit.id), approval)
        reviewer_level = levels_of.get(approval.reviewer_id) if approval else None
        status.review_label = state_label(workspace, status.review, reviewer_level)
        if status.review == "returned" and approval is not None:
            status.review_reason = approval.reason
        groups.setdefault((gcode, gname), GroupStatus(gcode, gname)).units.append(status)
    ordered = sorted(groups.values(), key=lambda g: (g.code == "", g.code))
    return PeriodStatus(period=period, deadline=deadline, today=today, groups=ordered)
