"""The queries the rest of unionroll asks of the hierarchy: one unit by code, the units
above and below a unit, the display tree, counts per level, and the code sort order."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from unionroll.core.errors import UnknownUnitError
from unionroll.core.store import Unit, UnitClosure
from unionroll.core.unit_table import code_text


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


def natural_key(code: str) -> tuple[Any, ...]:
    """Sort key putting 2 before 10 and 1001-2 before 1001-10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code))
