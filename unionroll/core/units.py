"""The unit hierarchy: importing the unit list, closing and reopening units, and the
queries the rest of unionroll asks of it.

Levels come from the workspace config (any number, highest first). A unit's level must be
strictly lower than its parent's; skipping a level is fine (a county-direct school,
县直学校, sits right under the county). There is exactly one root, at the top level.

The ``unit_closure`` table holds every (ancestor, descendant, depth) pair, each unit being
its own ancestor at depth 0, so "everything under this township" is one indexed query.
It is rebuilt after every import. Every change to a unit is kept in ``unit_events``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from unionroll.core.errors import ImportRejected, UnknownUnitError, UsageError
from unionroll.core.model import UnitInfo
from unionroll.core.store import Unit, UnitClosure, UnitEvent, utcnow
from unionroll.core.unit_check import KnownUnit, PlannedUnit, check_units, parse_date
from unionroll.core.unit_table import UnitTable, code_text, read_unit_file
from unionroll.core.workspace import Level, Workspace

__all__ = [
    "EVENT_KINDS",
    "ImportResult",
    "TreeNode",
    "ancestors",
    "apply_unit_table",
    "children",
    "close_unit",
    "closure_of",
    "counts_by_level",
    "get_unit",
    "import_units",
    "natural_key",
    "parse_date",
    "read_unit_file",
    "rebuild_closure",
    "reopen_unit",
    "require_unit",
    "root",
    "subtree_ids",
    "tree",
    "unit_history",
    "unit_infos",
]

EVENT_KINDS = (
    "created",
    "renamed",
    "moved",
    "level_changed",
    "closed",
    "reopened",
    "active_from_changed",
)

_UNITS = Unit.__table__
_CLOSURE = UnitClosure.__table__
_EVENTS = UnitEvent.__table__
_CHUNK = 5000  # rows per executemany call


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


@dataclass
class TreeNode:
    """A unit in a display tree. ``hidden`` counts descendants cut off by a depth limit."""

    id: int
    code: str
    name: str
    level: str
    active_from: date | None
    active_to: date | None
    children: list[TreeNode] = field(default_factory=list)
    hidden: int = 0

    def walk(self, depth: int = 0) -> Iterable[tuple[TreeNode, int]]:
        """This node and every shown node below it, depth first, with its depth."""
        stack = [(self, depth)]
        while stack:
            node, d = stack.pop()
            yield node, d
            stack.extend((child, d + 1) for child in reversed(node.children))


# --- import --------------------------------------------------------------------------


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


# --- closing and reopening -----------------------------------------------------------


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


# --- queries -------------------------------------------------------------------------


def get_unit(session: Session, code: str) -> Unit | None:
    """The unit with this code (written as in a spreadsheet: 1001, 1001.0, １００１), or None."""
    return session.scalars(select(Unit).where(Unit.code == code_text(code))).first()


def require_unit(session: Session, code: str) -> Unit:
    """Like :func:`get_unit`, but an unknown code raises UnknownUnitError."""
    unit = get_unit(session, code)
    if unit is None:
        raise UnknownUnitError(
            f"找不到代码为“{code_text(code)}”的单位。可用 unionroll units list 查看全部单位。"
        )
    return unit


def unit_infos(session: Session) -> dict[str, UnitInfo]:
    """Every unit as a plain :class:`UnitInfo`, by code."""
    parent = aliased(Unit)
    stmt = select(
        Unit.code,
        Unit.name,
        Unit.level,
        parent.code,
        Unit.active_from,
        Unit.active_to,
    ).outerjoin(parent, parent.id == Unit.parent_id)
    return {
        row[0]: UnitInfo(
            code=row[0],
            name=row[1],
            level=row[2],
            parent_code=row[3],
            active_from=row[4],
            active_to=row[5],
        )
        for row in session.execute(stmt)
    }


def subtree_ids(session: Session, unit_id: int) -> list[int]:
    """The ids of a unit and everything under it (the unit first, then by depth)."""
    stmt = (
        select(UnitClosure.descendant_id)
        .where(UnitClosure.ancestor_id == unit_id)
        .order_by(UnitClosure.depth, UnitClosure.descendant_id)
    )
    return list(session.scalars(stmt))


def children(session: Session, unit_id: int) -> list[Unit]:
    """The units directly under a unit, in code order."""
    units = session.scalars(select(Unit).where(Unit.parent_id == unit_id)).all()
    return sorted(units, key=lambda u: natural_key(u.code))


def ancestors(session: Session, unit_id: int) -> list[Unit]:
    """The units above a unit, from the root down to its parent."""
    stmt = (
        select(Unit)
        .join(UnitClosure, UnitClosure.ancestor_id == Unit.id)
        .where(UnitClosure.descendant_id == unit_id, UnitClosure.depth > 0)
        .order_by(UnitClosure.depth.desc())
    )
    return list(session.scalars(stmt))


def root(session: Session) -> Unit | None:
    """The top unit (the county union), or None before any unit is imported."""
    return session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)).first()


def tree(session: Session, code: str | None = None, *, depth: int | None = None) -> list[TreeNode]:
    """The hierarchy for display: the root (or the unit ``code``) with its descendants,
    children in code order. ``depth`` limits how many levels below it are filled in;
    each cut-off node's ``hidden`` says how many units lie under it."""
    if code is not None:
        top_ids = [require_unit(session, code).id]
    else:
        top_ids = list(session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))))
    if not top_ids:
        return []
    rows = session.execute(
        select(
            Unit.id,
            Unit.code,
            Unit.name,
            Unit.level,
            Unit.parent_id,
            Unit.active_from,
            Unit.active_to,
            UnitClosure.depth,
            UnitClosure.ancestor_id,
        )
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id.in_(top_ids))
    ).all()
    nodes: dict[int, TreeNode] = {}
    parent_of: dict[int, int | None] = {}
    rel_depth: dict[int, int] = {}
    for r in rows:
        nodes[r.id] = TreeNode(r.id, r.code, r.name, r.level, r.active_from, r.active_to)
        parent_of[r.id] = r.parent_id
        rel_depth[r.id] = r.depth
    for node_id in sorted(nodes, key=lambda i: natural_key(nodes[i].code)):
        d = rel_depth[node_id]
        if d == 0:
            continue
        if depth is not None and d > depth:
            # Count it against the deepest shown ancestor.
            anc = parent_of[node_id]
            while anc is not None and rel_depth[anc] > depth:
                anc = parent_of[anc]
            if anc is not None:
                nodes[anc].hidden += 1
            continue
        nodes[parent_of[node_id]].children.append(nodes[node_id])  # type: ignore[index]
    return [nodes[i] for i in sorted(top_ids, key=lambda i: natural_key(nodes[i].code))]


def counts_by_level(
    session: Session, unit_id: int | None = None, *, open_on: date | None = None
) -> dict[str, int]:
    """How many units there are per level id, in the whole hierarchy or under (and
    including) ``unit_id``; with ``open_on``, only units open on that day."""
    stmt = select(Unit.level, func.count()).group_by(Unit.level)
    if unit_id is not None:
        stmt = stmt.join(UnitClosure, UnitClosure.descendant_id == Unit.id).where(
            UnitClosure.ancestor_id == unit_id
        )
    if open_on is not None:
        stmt = stmt.where(
            (Unit.active_from.is_(None)) | (Unit.active_from <= open_on),
            (Unit.active_to.is_(None)) | (Unit.active_to > open_on),
        )
    return {row[0]: int(row[1]) for row in session.execute(stmt)}


def unit_history(session: Session, code: str) -> list[UnitEvent]:
    """A unit's events, oldest first. An unknown code raises UnknownUnitError."""
    unit = require_unit(session, code)
    stmt = (
        select(UnitEvent).where(UnitEvent.unit_id == unit.id).order_by(UnitEvent.at, UnitEvent.id)
    )
    return list(session.scalars(stmt))


def natural_key(code: str) -> tuple[Any, ...]:
    """Sort key putting 2 before 10 and 1001-2 before 1001-10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code))
