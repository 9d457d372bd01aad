"""Closing a unit from a date on and reopening it, with or without the units under it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionroll.core.errors import UsageError
from unionroll.core.store import Unit, UnitClosure, UnitEvent
from unionroll.core.tables import utcnow
from unionroll.core.units.history import _iso
from unionroll.core.units.queries import require_unit


def close_unit(
    session: Session,
    code: str,
    from_date: date,
    *,
    with_children: bool = False,
    source: str | None = None,
) -> list[Unit]:
    """Close a unit from ``from_date`` on (it is not expected to report for periods that
    start on or after that day). Returns the units closed, the named one first.

    A unit with open units under it is refused unless ``with_children`` closes them too.
    """
    unit = require_unit(session, code)
    if unit.active_from and from_date <= unit.active_from:
        raise UsageError(
            f"{unit.code} {unit.name} 的启用日期是 {unit.active_from:%Y-%m-%d}，"
            f"撤销日期 {from_date:%Y-%m-%d} 应晚于它。"
        )
    if unit.active_to == from_date:
        raise UsageError(f"{unit.code} {unit.name} 已经自 {from_date:%Y-%m-%d} 起撤销，未做改动。")
    below = [
        u for u in _descendants(session, unit.id) if u.active_to is None or u.active_to > from_date
    ]
    if below and not with_children:
        names = "、".join(f"{u.code} {u.name}" for u in below[:5])
        more = f" 等 {len(below)} 个" if len(below) > 5 else ""
        raise UsageError(
            f"{unit.code} {unit.name} 下还有未撤销的下级单位：{names}{more}。"
            "请先调整这些单位的上级，或加上 --with-children 一并撤销。"
        )
    closed = [unit, *below]
    now = utcnow()
    for u in closed:
        session.add(
            UnitEvent(
                unit_id=u.id,
                kind="closed",
                old_value=_iso(u.active_to),
                new_value=from_date.isoformat(),
                source=source,
                at=now,
            )
        )
        u.active_to = from_date
    session.flush()
    return closed


def reopen_unit(
    session: Session, code: str, *, with_children: bool = False, source: str | None = None
) -> list[Unit]:
    """Reopen a closed unit. ``with_children`` also reopens the units under it that were
    closed on the same day. Returns the units reopened, the named one first."""
    unit = require_unit(session, code)
    if unit.active_to is None:
        raise UsageError(f"{unit.code} {unit.name} 没有撤销，无需恢复。")
    if unit.parent is not None and unit.parent.active_to is not None:
        raise UsageError(
            f"{unit.code} {unit.name} 的上级 {unit.parent.code} {unit.parent.name} "
            f"自 {unit.parent.active_to:%Y-%m-%d} 起撤销，请先恢复上级或调整本单位的上级。"
        )
    reopened = [unit]
    if with_children:
        reopened += [u for u in _descendants(session, unit.id) if u.active_to == unit.active_to]
    now = utcnow()
    for u in reopened:
        session.add(
            UnitEvent(
                unit_id=u.id,
                kind="reopened",
                old_value=_iso(u.active_to),
                new_value=None,
                source=source,
                at=now,
            )
        )
        u.active_to = None
    session.flush()
    return reopened


def _descendants(session: Session, unit_id: int) -> list[Unit]:
    stmt = (
        select(Unit)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == unit_id, UnitClosure.depth > 0)
        .order_by(UnitClosure.depth, Unit.code)
    )
    return list(session.scalars(stmt))
