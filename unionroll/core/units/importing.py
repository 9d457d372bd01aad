"""Importing a unit list: checking it against the stored units, inserting new units
parents first, updating changed ones with an event for each change, and rebuilding the
closure table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from unionroll.core.errors import ImportRejected
from unionroll.core.tables import utcnow
from unionroll.core.unit_check import KnownUnit, PlannedUnit, check_units
from unionroll.core.unit_table import UnitTable, read_unit_file
from unionroll.core.units.closure import _EVENTS, _UNITS, _bulk_insert, _chunks, rebuild_closure
from unionroll.core.units.history import _event, _iso
from unionroll.core.workspace import Level, Workspace


@dataclass
class ImportResult:
    """What an import did. ``updated`` counts units with any change; the other counters
    say which changes (one unit can be both renamed and moved)."""

    source: str
    total_rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    renamed: int = 0
    moved: int = 0
    level_changed: int = 0
    closed: int = 0
    dates_changed: int = 0
    closure_rows: int = 0
    warnings: list[str] = field(default_factory=list)


def import_units(workspace: Workspace, path: str | Path) -> ImportResult:
    """Import a unit list file into the workspace in one transaction.

    Either every row is good and the whole file is applied, or ImportRejected lists every
    bad row and nothing is written.
    """
    table = read_unit_file(path)
    with workspace.session() as session:
        return apply_unit_table(session, table, workspace.config.levels)


def apply_unit_table(session: Session, table: UnitTable, levels: Sequence[Level]) -> ImportResult:
    """Check a unit table against the stored units and apply it within ``session``.

    Units absent from the table are left as they are: a list may be partial. An empty
    date cell keeps the stored date; reopening is done with :func:`reopen_unit`.
    """
    known, ids = _load_known(session)
    outcome = check_units(table, known, levels)
    if outcome.problems:
        bad_rows = len({p.row for p in outcome.problems})
        raise ImportRejected(
            f"单位名单 {table.source} 有 {bad_rows} 行有问题，未导入任何单位。"
            "请改正以下各处后重新导入：",
            outcome.problems,
        )
    result = ImportResult(
        source=table.source, total_rows=len(table.rows), warnings=outcome.warnings
    )
    now = utcnow()
    new = [p for p in outcome.planned if p.code not in known]
    _insert_new(session, new, ids, now)
    events: list[dict[str, Any]] = [
        _event(ids[p.code], "created", None, p.name, table.source, now) for p in new
    ]
    result.created = len(new)

    changes: list[dict[str, Any]] = []
    for p in outcome.planned:
        old = known.get(p.code)
        if old is None:
            continue
        unit_events = _diff(old, p, table.source, now)
        if not unit_events:
            result.unchanged += 1
            continue
        result.updated += 1
        kinds = {e["kind"] for e in unit_events}
        result.renamed += "renamed" in kinds
        result.moved += "moved" in kinds
        result.level_changed += "level_changed" in kinds
        result.closed += "closed" in kinds
        result.dates_changed += "active_from_changed" in kinds
        events.extend(unit_events)
        changes.append(
            {
                "b_id": old.id,
                "b_name": p.name,
                "b_level": p.level,
                "b_parent": ids[p.parent_code] if p.parent_code else None,
                "b_from": p.active_from,
                "b_to": p.active_to,
                "b_now": now,
            }
        )
    if changes:
        stmt = (
            update(_UNITS)
            .where(_UNITS.c.id == bindparam("b_id"))
            .values(
                name=bindparam("b_name"),
                level=bindparam("b_level"),
                parent_id=bindparam("b_parent"),
                active_from=bindparam("b_from"),
                active_to=bindparam("b_to"),
                updated_at=bindparam("b_now"),
            )
        )
        for chunk in _chunks(changes):
            session.connection().execute(stmt, chunk)
    _bulk_insert(session, _EVENTS, events)
    result.closure_rows = rebuild_closure(session)
    # The rows changed underneath the ORM; objects loaded earlier must not be trusted.
    session.expire_all()
    return result


def _load_known(session: Session) -> tuple[dict[str, KnownUnit], dict[str, int]]:
    rows = session.execute(
        select(
            _UNITS.c.id,
            _UNITS.c.code,
            _UNITS.c.name,
            _UNITS.c.level,
            _UNITS.c.parent_id,
            _UNITS.c.active_from,
            _UNITS.c.active_to,
        )
    ).all()
    code_of = {r.id: r.code for r in rows}
    known = {
        r.code: KnownUnit(
            id=r.id,
            code=r.code,
            name=r.name,
            level=r.level,
            parent_code=code_of.get(r.parent_id) if r.parent_id is not None else None,
            active_from=r.active_from,
            active_to=r.active_to,
        )
        for r in rows
    }
    return known, {r.code: r.id for r in rows}


def _insert_new(
    session: Session,
    new: list[PlannedUnit],
    ids: dict[str, int],
    now: Any,
) -> None:
    """Insert new units parents first, so every parent_id is known when its row goes in."""
    parent_of = {p.code: p.parent_code for p in new}
    depth: dict[str, int] = {}  # how many new units lie above this one

    def depth_of(code: str) -> int:
        path = []
        cur: str | None = code
        while cur in parent_of and cur not in depth:
            path.append(cur)
            cur = parent_of[cur]
        base = depth.get(cur, -1) if cur is not None else -1
        for c in reversed(path):
            base += 1
            depth[c] = base
        return depth[code]

    by_depth: dict[int, list[PlannedUnit]] = defaultdict(list)
    for p in new:
        by_depth[depth_of(p.code)].append(p)
    for d in sorted(by_depth):
        rows = [
            {
                "code": p.code,
                "name": p.name,
                "level": p.level,
                "parent_id": ids[p.parent_code] if p.parent_code else None,
                "active_from": p.active_from,
                "active_to": p.active_to,
                "created_at": now,
                "updated_at": now,
            }
            for p in by_depth[d]
        ]
        _bulk_insert(session, _UNITS, rows)
        codes = [p.code for p in by_depth[d]]
        for part in _chunks(codes, 900):  # stays under SQLite's bound-parameter limit
            for row in session.execute(
                select(_UNITS.c.id, _UNITS.c.code).where(_UNITS.c.code.in_(part))
            ):
                ids[row.code] = row.id


def _diff(old: KnownUnit, new: PlannedUnit, source: str, now: Any) -> list[dict[str, Any]]:
    events = []
    if old.name != new.name:
        events.append(_event(old.id, "renamed", old.name, new.name, source, now))
    if old.parent_code != new.parent_code:
        events.append(_event(old.id, "moved", old.parent_code, new.parent_code, source, now))
    if old.level != new.level:
        events.append(_event(old.id, "level_changed", old.level, new.level, source, now))
    if old.active_from != new.active_from:
        events.append(
            _event(
                old.id,
                "active_from_changed",
                _iso(old.active_from),
                _iso(new.active_from),
                source,
                now,
            )
        )
    if old.active_to != new.active_to:
        events.append(
            _event(old.id, "closed", _iso(old.active_to), _iso(new.active_to), source, now)
        )
    return events
