"""The unit tables as SQLAlchemy Core tables, writing rows in bulk, and the
``unit_closure`` table rebuilt from the parent links."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from unionroll.core.store import Unit, UnitClosure, UnitEvent

_UNITS = Unit.__table__
_CLOSURE = UnitClosure.__table__
_EVENTS = UnitEvent.__table__
_CHUNK = 5000  # rows per executemany call


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bulk_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows with executemany: SQLite runs them in one prepared loop and
    psycopg pipelines them, which measured faster than multi-row VALUES or RETURNING."""
    for chunk in _chunks(rows):
        session.execute(insert(table), chunk)


def rebuild_closure(session: Session) -> int:
    """Recompute the whole ``unit_closure`` table from the parent links; returns its size."""
    parent = {r.id: r.parent_id for r in session.execute(select(_UNITS.c.id, _UNITS.c.parent_id))}
    session.execute(delete(_CLOSURE))
    rows = [
        {"ancestor_id": a, "descendant_id": d, "depth": depth} for a, d, depth in closure_of(parent)
    ]
    _bulk_insert(session, _CLOSURE, rows)
    return len(rows)


def closure_of(parent: dict[int, int | None]) -> set[tuple[int, int, int]]:
    """Every (ancestor, descendant, depth) of the hierarchy given by unit → parent."""
    chains: dict[int, list[int]] = {}  # unit -> [unit, parent, grandparent, ...]
    for start in parent:
        path: list[int] = []
        unit: int | None = start
        while unit is not None and unit not in chains:
            if unit in path:  # a loop of parents (a damaged table): cut it here
                unit = None
                break
            path.append(unit)
            unit = parent.get(unit)
        above = chains[unit] if unit is not None else []
        for u in reversed(path):
            above = [u, *above]
            chains[u] = above
    return {(a, d, depth) for d, chain in chains.items() for depth, a in enumerate(chain)}
