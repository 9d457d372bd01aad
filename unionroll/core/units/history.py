"""The ``unit_events`` record: the kinds of change kept, the event row, and reading a
unit's history back."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionroll.core.store import UnitEvent
from unionroll.core.units.queries import require_unit

EVENT_KINDS = (
    "created",
    "renamed",
    "moved",
    "level_changed",
    "closed",
    "reopened",
    "active_from_changed",
)


def _event(
    unit_id: int, kind: str, old: str | None, new: str | None, source: str | None, at: Any
) -> dict[str, Any]:
    return {
        "unit_id": unit_id,
        "kind": kind,
        "old_value": old,
        "new_value": new,
        "source": source,
        "at": at,
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def unit_history(session: Session, code: str) -> list[UnitEvent]:
    """A unit's events, oldest first. An unknown code raises UnknownUnitError."""
    unit = require_unit(session, code)
    stmt = (
        select(UnitEvent).where(UnitEvent.unit_id == unit.id).order_by(UnitEvent.at, UnitEvent.id)
    )
    return list(session.scalars(stmt))
