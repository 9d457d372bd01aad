"""The units as plain rows, read with SQLAlchemy Core: what storing returns needs of the
hierarchy (every unit's code, name, level and parent, and its row id), without the ORM."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.engine import Connection

from unionroll.core.model import UnitInfo
from unionroll.core.tables import units as _UNITS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_PARENTS = _UNITS.alias("parent")
_UNIT_INFOS = select(
    _UNITS.c.code,
    _UNITS.c.name,
    _UNITS.c.level,
    _PARENTS.c.code,
    _UNITS.c.active_from,
    _UNITS.c.active_to,
).outerjoin(_PARENTS, _PARENTS.c.id == _UNITS.c.parent_id)


def unit_infos(session: Session | Connection) -> dict[str, UnitInfo]:
    """Every unit as a plain :class:`UnitInfo`, by code."""
    return {
        row[0]: UnitInfo(
            code=row[0],
            name=row[1],
            level=row[2],
            parent_code=row[3],
            active_from=row[4],
            active_to=row[5],
        )
        for row in session.execute(_UNIT_INFOS)
    }


def unit_ids(session: Session | Connection) -> dict[str, int]:
    """Every unit's row id, by code."""
    return dict(session.execute(select(_UNITS.c.code, _UNITS.c.id)).all())
