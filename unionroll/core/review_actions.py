"""The review steps: approve, send back for correction, unlock. See ``core/review.py``.

Each step runs in one transaction that first locks the unit's row (``SELECT … FOR
UPDATE`` on PostgreSQL; SQLite lets one writer in at a time), so a step and an ingest of
the same unit never interleave: a return cannot slip in between a check and a lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from unionroll.core.periods import Period
from unionroll.core.review import (
    NotAllowed,
    Reviewer,
    ReviewError,
    ReviewState,
    _read_state,
    reporting_period,
    reviewer_depth,
)
from unionroll.core.store import Approval, ApprovalEvent, Unit
from unionroll.core.tables import utcnow
from unionroll.core.units import require_unit
from unionroll.core.workspace import Workspace

MAX_REASON = 2000


@dataclass
class StepResult:
    unit_code: str
    ok: bool
    state: ReviewState | None = None
    error: str | None = None


def approve(
    workspace: Workspace,
    unit_code: str,
    period: Period | str,
    reviewer: Reviewer,
    *,
    reason: str | None = None,
) -> ReviewState:
    """Approve a unit's current return; by the top unit, this confirms and locks it."""
    return _step(workspace, "approve", unit_code, period, reviewer, reason)


def send_back(
    workspace: Workspace, unit_code: str, period: Period | str, reviewer: Reviewer, reason: str
) -> ReviewState:
    """Return a unit's current return for correction, saying why."""
    return _step(workspace, "return", unit_code, period, reviewer, reason)


def unlock(
    workspace: Workspace, unit_code: str, period: Period | str, reviewer: Reviewer, reason: str
) -> ReviewState:
    """Unlock a confirmed return (top unit only), so the unit may send a correction."""
    return _step(workspace, "unlock", unit_code, period, reviewer, reason)


def apply_many(
    workspace: Workspace,
    action: str,
    unit_codes: Iterable[str],
    period: Period | str,
    reviewer: Reviewer,
    reason: str | None = None,
) -> list[StepResult]:
    """One step for several units, each on its own: one refusal does not stop the rest."""
    results = []
    for code in unit_codes:
        try:
            state = _step(workspace, action, code, period, reviewer, reason)
        except ReviewError as exc:
            results.append(StepResult(code, False, error=str(exc)))
        else:
            results.append(StepResult(code, True, state=state))
    return results


def _step(
    workspace: Workspace,
    action: str,
    unit_code: str,
    period: Period | str,
    reviewer: Reviewer,
    reason: str | None,
) -> ReviewState:
    period = reporting_period(workspace, period)
    reason = (reason or "").strip() or None
    if action in ("return", "unlock") and not reason:
        what = "退回" if action == "return" else "解锁"
        raise ReviewError(f"{what}需要说明原因。")
    if reason and len(reason) > MAX_REASON:
        raise ReviewError(f"原因太长（{len(reason)} 字），请控制在 {MAX_REASON} 字以内。")
    with workspace.session() as session:
        _lock_unit(session, unit_code)
        unit = require_unit(session, unit_code)
        by = require_unit(session, reviewer.unit_code)
        before = _read_state(workspace, session, unit, period.code)
        top = by.parent_id is None
        _check_allowed(session, action, unit, by, top)
        approval = session.execute(
            select(Approval).where(Approval.unit_id == unit.id, Approval.period == period.code)
        ).scalar_one_or_none()
        name = f"{unit.name}（{unit.code}）{period.label_zh}"
        if before.state == "not_submitted":
            raise ReviewError(f"{name}还没有报送（或报来的都被退回），无可审核。")
        if action == "unlock":
            if before.state != "locked":
                raise ReviewError(f"{name}没有锁定（当前：{before.label}），无需解锁。")
            to_state = _unlock(session, approval, unit, period.code)
        else:
            if before.state == "locked":
                raise ReviewError(
                    f"{name}已经{before.label}并锁定。如需改动，请{by.name}先解锁"
                    if top
                    else f"{name}已经{before.label}并锁定，不能再{_verb(action)}。"
                )
            if action == "approve":
                _check_not_already(session, before, approval, by, name)
                to_state = "locked" if top else "approved"
            else:
                if before.state == "returned":
                    raise ReviewError(f"{name}已经退回，正等待重新报送。")
                _check_return_level(session, before, approval, by, name)
                to_state = "returned"
            assert before.return_id is not None
            if approval is None:
                approval = Approval(unit_id=unit.id, period=period.code)
                session.add(approval)
            approval.return_id = before.return_id
            approval.state = "returned" if action == "return" else "approved"
            approval.locked = to_state == "locked"
            approval.reviewer_id = by.id
            approval.reason = reason
            approval.updated_at = utcnow()
            approval.updated_by = reviewer.actor
        session.add(
            ApprovalEvent(
                unit_id=unit.id,
                period=period.code,
                return_id=before.return_id,
                action="lock" if to_state == "locked" and action == "approve" else action,
                from_state=before.state,
                to_state=to_state,
                reviewer_id=by.id,
                actor=reviewer.actor,
                at=utcnow(),
                reason=reason,
            )
        )
        session.flush()
        return _read_state(workspace, session, unit, period.code)


def _lock_unit(session: Session, code: str) -> None:
    """Take the unit's row for this transaction before reading anything: on PostgreSQL a
    row lock; on SQLite a (no-op) write first, so the transaction holds the write lock
    from its start and waits for another writer instead of failing on a stale read."""
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        session.execute(update(Unit).where(Unit.code == code).values(code=Unit.code))
    else:
        session.execute(select(Unit.id).where(Unit.code == code).with_for_update())


def _verb(action: str) -> str:
    return {"approve": "审核", "return": "退回"}.get(action, action)


def _check_allowed(session: Session, action: str, unit: Unit, by: Unit, top: bool) -> None:
    if action == "unlock":
        if not top:
            raise NotAllowed(f"只有最上级单位可以解锁，{by.name}不能解锁。")
        return
    depth = reviewer_depth(session, by.id, unit.id)
    if depth is None or (depth == 0 and not top):
        raise NotAllowed(f"{by.name}不是{unit.name}的上级单位，不能审核它的报表。")


def _check_not_already(
    session: Session, before: ReviewState, approval: Approval | None, by: Unit, name: str
) -> None:
    """A reviewer approves only what no one at its level or above has approved yet."""
    if before.state != "approved" or approval is None:
        return
    if approval.reviewer_id == by.id:
        raise ReviewError(f"{name}已由{by.name}审核通过。")
    if reviewer_depth(session, approval.reviewer_id, by.id) is not None:
        raise ReviewError(f"{name}已由更上一级审核通过（{before.label}）。")


def _check_return_level(
    session: Session, before: ReviewState, approval: Approval | None, by: Unit, name: str
) -> None:
    """An approval by a higher unit is not undone by a lower one."""
    if before.state != "approved" or approval is None or approval.reviewer_id == by.id:
        return
    if reviewer_depth(session, approval.reviewer_id, by.id) is not None:
        raise ReviewError(f"{name}已由上一级审核通过（{before.label}），不能再退回。")


def _unlock(session: Session, approval: Approval | None, unit: Unit, period: str) -> str:
    """Back to the approval given before the lock on the same return, if any."""
    assert approval is not None
    earlier = session.execute(
        select(ApprovalEvent)
        .where(
            ApprovalEvent.unit_id == unit.id,
            ApprovalEvent.period == period,
            ApprovalEvent.return_id == approval.return_id,
            ApprovalEvent.action == "approve",
            ApprovalEvent.id
            > _last_id(session, unit.id, period, approval.return_id, ("return", "unlock")),
        )
        .order_by(ApprovalEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    approval.locked = False
    approval.updated_at = utcnow()
    if earlier is None:
        session.delete(approval)
        return "submitted"
    approval.reviewer_id = earlier.reviewer_id
    approval.reason = earlier.reason
    approval.updated_by = earlier.actor
    return "approved"


def _last_id(
    session: Session, unit_id: int, period: str, return_id: int, actions: tuple[str, ...]
) -> int:
    found = session.execute(
        select(ApprovalEvent.id)
        .where(
            ApprovalEvent.unit_id == unit_id,
            ApprovalEvent.period == period,
            ApprovalEvent.return_id == return_id,
            ApprovalEvent.action.in_(actions),
        )
        .order_by(ApprovalEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return found or 0
