"""Review and approval of returns, bottom up, per unit and period.

A unit's return for a period moves through these states::

    not_submitted → submitted → approved (by a unit above) → locked (by the top unit)
                        ↑            │
                        └─ returned ←┘   (any reviewer above may send it back, with a reason)

Each unit above the unit in the hierarchy is one of its reviewers: for a school, its
township and then the county. A higher reviewer may approve straight away (the county
confirming a school whose township has not reviewed yet). Approval by the top unit locks
the period for that unit: ingest refuses a new return until the top unit unlocks it.

The state is about one return. A unit may send a new return while it is not locked; the
new return is then back at ``submitted`` until reviewed again (the approval of the earlier
return is kept in the history, never carried over). Every step is recorded in
``approval_events`` with who, when and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from unionroll.core.errors import UnionrollError, UsageError
from unionroll.core.periods import Period
from unionroll.core.store import (
    Approval,
    ApprovalEvent,
    ReturnRecord,
    Unit,
    UnitClosure,
)
from unionroll.core.tables import ACTIVE_STATUSES
from unionroll.core.units import natural_key, require_unit, root, subtree_ids
from unionroll.core.workspace import Workspace

STATES = ("not_submitted", "submitted", "approved", "locked", "returned")
ACTION_ZH = {"approve": "审核通过", "lock": "确认并锁定", "return": "退回修改", "unlock": "解锁"}


class ReviewError(UnionrollError):
    """A review step that cannot be taken in the return's present state."""


class NotAllowed(ReviewError):
    """The reviewer is not above the unit (or not the top unit, for unlocking)."""


@dataclass(frozen=True)
class Reviewer:
    """Who takes a review step: the unit they act for, and a name for the audit trail."""

    unit_code: str
    actor: str


@dataclass
class ReviewState:
    """Where one unit's return for one period stands."""

    unit_code: str
    unit_name: str
    period: str
    state: str  # one of STATES
    label: str  # in Chinese, e.g. 学区审核通过
    return_id: int | None = None
    reviewer_code: str | None = None
    reviewer_name: str | None = None
    reason: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None

    @property
    def locked(self) -> bool:
        return self.state == "locked"

    @property
    def approved(self) -> bool:
        return self.state in ("approved", "locked")


@dataclass
class HistoryEntry:
    at: datetime
    action: str
    action_zh: str
    from_state: str
    to_state: str
    reviewer_code: str
    reviewer_name: str
    actor: str
    reason: str | None
    return_id: int | None
    from_label: str = ""
    to_label: str = ""


def state_label(workspace: Workspace, state: str, reviewer_level: str | None) -> str:
    """The Chinese name of a state: 未报, 已报, 学区审核通过, 县级确认, 已退回."""
    if state == "approved":
        return f"{workspace.config.level_name(reviewer_level or '')}审核通过"
    if state == "locked":
        return f"{workspace.config.levels[0].name}级确认"
    return {"not_submitted": "未报", "submitted": "已报", "returned": "已退回"}[state]


def derive_state(current_return_id: int | None, approval: Approval | None) -> str:
    """The state of a unit and period from its current return and its approval row."""
    if current_return_id is None:
        return "not_submitted"
    if approval is None or approval.return_id != current_return_id:
        return "submitted"  # never reviewed, or a newer return came in since
    if approval.state == "returned":
        return "returned"
    return "locked" if approval.locked else "approved"


def reporting_period(workspace: Workspace, period: Period | str) -> Period:
    """The period as one of the form's reporting periods (a quarter), or a clear error."""
    period = Period.parse(period)
    form = workspace.form
    if period.type is not form.period_type:
        raise UsageError(
            f"{form.title}按{form.period_type.label_zh}报送，请指定{form.period_type.label_zh}，"
            f"例如 {period.year}Q1；{period.label_zh}包含："
            + "、".join(p.code for p in period.subperiods(form.period_type))
        )
    return period


# --- reading ---------------------------------------------------------------------------


def current_returns(conn: Connection | Session, period: str) -> dict[int, int]:
    """unit id → id of its current (accepted) return for the period."""
    rows = conn.execute(
        select(ReturnRecord.unit_id, ReturnRecord.id).where(
            ReturnRecord.period == period, ReturnRecord.status.in_(ACTIVE_STATUSES)
        )
    ).all()
    return {unit_id: return_id for unit_id, return_id in rows}


def approvals_of(session: Session, period: str) -> dict[int, Approval]:
    rows = session.execute(select(Approval).where(Approval.period == period)).scalars()
    return {a.unit_id: a for a in rows}


def approved_return_ids(conn: Connection, periods: Iterable[str]) -> set[int]:
    """The returns approved at some level (or locked) for these periods, for rollups
    limited to approved data."""
    rows = conn.execute(
        select(Approval.return_id).where(
            Approval.period.in_(list(periods)), Approval.state == "approved"
        )
    ).all()
    return {row[0] for row in rows}


def is_locked(conn: Connection, unit_id: int, period: str) -> bool:
    row = conn.execute(
        select(Approval.locked).where(Approval.unit_id == unit_id, Approval.period == period)
    ).first()
    return bool(row and row[0])


def review_states(workspace: Workspace, period: Period | str) -> dict[str, ReviewState]:
    """unit code → review state for every unit, for one reporting period."""
    period = reporting_period(workspace, period)
    with workspace.session() as session:
        units = {u.id: u for u in session.execute(select(Unit)).scalars()}
        current = current_returns(session, period.code)
        approvals = approvals_of(session, period.code)
        return {
            u.code: _state_of(
                workspace, u, period.code, current.get(uid), approvals.get(uid), units
            )
            for uid, u in units.items()
        }


def review_marks(
    workspace: Workspace, quarters: Iterable[str], codes: Iterable[str]
) -> dict[str, dict[str, tuple[str, str]]]:
    """quarter → unit code → (state, label) for the given units: plain rows, no ORM
    objects, since a province's rollup asks this for 20,000 units."""
    quarters = list(quarters)
    wanted = set(codes)
    with workspace.engine.connect() as conn:
        rows = conn.execute(select(Unit.id, Unit.code, Unit.level)).all()
        units = {uid: code for uid, code, _level in rows if code in wanted}
        levels_by_id = {uid: level for uid, _code, level in rows}
        out: dict[str, dict[str, tuple[str, str]]] = {}
        for quarter in quarters:
            current = current_returns(conn, quarter)
            approvals = {
                row.unit_id: row
                for row in conn.execute(select(Approval).where(Approval.period == quarter))
            }
            marks: dict[str, tuple[str, str]] = {}
            for uid, code in units.items():
                approval = approvals.get(uid)
                state = derive_state(current.get(uid), approval)  # type: ignore[arg-type]
                reviewer = levels_by_id.get(approval.reviewer_id) if approval else None
                marks[code] = (state, state_label(workspace, state, reviewer))
            out[quarter] = marks
    return out


def review_state(workspace: Workspace, unit_code: str, period: Period | str) -> ReviewState:
    period = reporting_period(workspace, period)
    with workspace.session() as session:
        unit = require_unit(session, unit_code)
        return _read_state(workspace, session, unit, period.code)


def review_history(
    workspace: Workspace, unit_code: str, period: Period | str
) -> list[HistoryEntry]:
    """Every review step of a unit and period, oldest first."""
    period = Period.parse(period)
    with workspace.session() as session:
        unit = require_unit(session, unit_code)
        rows = session.execute(
            select(ApprovalEvent, Unit.code, Unit.name, Unit.level)
            .join(Unit, Unit.id == ApprovalEvent.reviewer_id)
            .where(ApprovalEvent.unit_id == unit.id, ApprovalEvent.period == period.code)
            .order_by(ApprovalEvent.id)
        ).all()
    entries = []
    approver_level: dict[int | None, str] = {}  # return id → level of its last approver
    previous: HistoryEntry | None = None
    for e, code, name, level in rows:
        if e.action == "approve":
            approver_level[e.return_id] = level
        same = previous is not None and previous.return_id == e.return_id
        entry = HistoryEntry(
            at=local_time(e.at),
            action=e.action,
            action_zh=ACTION_ZH.get(e.action, e.action),
            from_state=e.from_state,
            to_state=e.to_state,
            reviewer_code=code,
            reviewer_name=name,
            actor=e.actor,
            reason=e.reason,
            return_id=e.return_id,
            from_label=previous.to_label
            if same and previous is not None
            else state_label(workspace, e.from_state, None),
            to_label=state_label(workspace, e.to_state, approver_level.get(e.return_id)),
        )
        entries.append(entry)
        previous = entry
    return entries


def area_codes(workspace: Workspace, unit_code: str) -> set[str]:
    """The codes of a unit and every unit under it: what its reviewers may see."""
    with workspace.session() as session:
        unit = require_unit(session, unit_code)
        ids = subtree_ids(session, unit.id)
        rows = session.execute(select(Unit.code).where(Unit.id.in_(ids))).scalars()
        return set(rows)


def awaiting_review(workspace: Workspace, reviewer_code: str, period: Period | str) -> list[str]:
    """The units of the reviewer's area whose return waits for its review: submitted, or
    approved only by a reviewer below it. The reviewer's own return is among them only
    for the top unit, which confirms its own."""
    states = review_states(workspace, period)
    area = area_codes(workspace, reviewer_code)
    top = top_unit_code(workspace)
    waiting = []
    for code in area:
        st = states.get(code)
        if st is None or (code == reviewer_code and code != top):
            continue
        below = st.reviewer_code in area and st.reviewer_code != reviewer_code
        if st.state == "submitted" or (st.state == "approved" and below):
            waiting.append(code)
    return sorted(waiting, key=natural_key)


def top_unit_code(workspace: Workspace) -> str:
    with workspace.session() as session:
        top = root(session)
    if top is None:
        raise UsageError("还没有单位。请先运行 unionroll units import 单位名单.xlsx")
    return top.code


def _state_of(
    workspace: Workspace,
    unit: Unit,
    period: str,
    current: int | None,
    approval: Approval | None,
    units: dict[int, Unit],
) -> ReviewState:
    state = derive_state(current, approval)
    reviewer = units.get(approval.reviewer_id) if approval and state != "submitted" else None
    return ReviewState(
        unit_code=unit.code,
        unit_name=unit.name,
        period=period,
        state=state,
        label=state_label(workspace, state, reviewer.level if reviewer else None),
        return_id=current,
        reviewer_code=reviewer.code if reviewer else None,
        reviewer_name=reviewer.name if reviewer else None,
        reason=approval.reason if approval and state == "returned" else None,
        updated_at=local_time(approval.updated_at) if approval and reviewer else None,
        updated_by=approval.updated_by if reviewer else None,
    )


def _read_state(workspace: Workspace, session: Session, unit: Unit, period: str) -> ReviewState:
    current = session.execute(
        select(ReturnRecord.id)
        .where(
            ReturnRecord.unit_id == unit.id,
            ReturnRecord.period == period,
            ReturnRecord.status.in_(ACTIVE_STATUSES),
        )
        .order_by(ReturnRecord.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    approval = session.execute(
        select(Approval).where(Approval.unit_id == unit.id, Approval.period == period)
    ).scalar_one_or_none()
    units = {unit.id: unit}
    if approval is not None:
        reviewer = session.get(Unit, approval.reviewer_id)
        if reviewer is not None:
            units[reviewer.id] = reviewer
    return _state_of(workspace, unit, period, current, approval, units)


def reviewer_depth(session: Session, reviewer_id: int, unit_id: int) -> int | None:
    """How many levels the reviewer is above the unit (0: the unit itself), or None when
    the reviewer is not above it."""
    return session.execute(
        select(UnitClosure.depth).where(
            UnitClosure.ancestor_id == reviewer_id, UnitClosure.descendant_id == unit_id
        )
    ).scalar_one_or_none()


def local_time(stored: datetime) -> datetime:
    """A time stored in UTC (as ``utcnow`` writes it), in this computer's time zone."""
    return stored.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)
