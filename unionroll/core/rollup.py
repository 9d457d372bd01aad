"""Rollup: level and period aggregation, completeness, registers, targets vs actuals.

``rollup(workspace, "2025H1")`` reads the accepted returns of the period's quarters and
rolls them up to every unit of the hierarchy: a unit's figure is its own return plus
everything under it, each indicator by its aggregation type. The result is plain data
(:mod:`unionroll.core.rollup_types`) that report plugins use without a database.
The rules, with their traps, are written down in docs/rollup.md.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime

import numpy as np

from unionroll.core.errors import UsageError
from unionroll.core.hookcalls import notify
from unionroll.core.periods import Period
from unionroll.core.review import review_marks
from unionroll.core.rollup_compute import Engine
from unionroll.core.rollup_extract import extract
from unionroll.core.rollup_types import (
    Completeness,
    Figure,
    LateReturn,
    ListedValue,
    NodeRegisters,
    Overlap,
    PartialUnit,
    RegisterEntry,
    Reporter,
    ReviewMark,
    RollupNode,
    RollupResult,
    StaleStock,
    TargetCheck,
    TargetTotal,
    UnitRef,
)
from unionroll.core.workspace import Workspace

__all__ = [
    "Completeness",
    "Figure",
    "LateReturn",
    "ListedValue",
    "NodeRegisters",
    "Overlap",
    "PartialUnit",
    "RegisterEntry",
    "Reporter",
    "ReviewMark",
    "RollupNode",
    "RollupResult",
    "StaleStock",
    "TargetCheck",
    "TargetTotal",
    "UnitRef",
    "rollup",
]

# Set while after_rollup runs, so a plugin that makes a rollup of its own from the hook
# does not set the hook off again.
_IN_HOOK: ContextVar[bool] = ContextVar("unionroll_in_after_rollup", default=False)


def rollup(
    workspace: Workspace,
    period: Period | str,
    *,
    unit: str | None = None,
    depth: int | None = None,
    hooks: bool = True,
    approved_only: bool = False,
) -> RollupResult:
    """Roll up ``period`` (a quarter, half-year or year) for ``unit`` (default: the top
    unit) and everything under it.

    ``depth`` limits which units get a node in the result (0: the unit alone, 1: with its
    children, ...); figures always cover the whole subtree. ``hooks``: call the
    ``after_rollup`` hook once with the result (commands leave this on; internal uses such
    as tracing turn it off). ``approved_only``: count only returns approved in review (by
    a reviewer at any level, or confirmed); the others count as not reported.
    """
    period = Period.parse(period)
    if depth is not None and depth < 0:
        raise UsageError("层数（--depth）不能是负数。")
    ex = extract(workspace, period, unit, approved_only=approved_only)
    level_names = {lv.id: lv.name for lv in workspace.config.levels}
    engine = Engine(ex, level_names)
    result = build_result(engine, workspace.config.name, depth)
    result.approved_only = approved_only
    result.review = _review(workspace, result)
    if hooks and not _IN_HOOK.get():
        token = _IN_HOOK.set(True)
        try:
            failures = notify(workspace.pm, "after_rollup", workspace=workspace, rollup=result)
            result.warnings.extend(str(f) for f in failures)
        finally:
            _IN_HOOK.reset(token)
    return result


def _review(workspace: Workspace, result: RollupResult) -> dict[str, dict[str, ReviewMark]]:
    expected = [code for code, node in result.nodes.items() if node.level in result.form.levels]
    marks = review_marks(workspace, (q.code for q in result.quarters), expected)
    return {
        quarter: {code: ReviewMark(state, label) for code, (state, label) in by_unit.items()}
        for quarter, by_unit in marks.items()
    }


def build_result(engine: Engine, workspace_name: str, depth: int | None) -> RollupResult:
    ex = engine.ex
    h = ex.hierarchy
    root = ex.root
    end = int(h.end[root])
    base_depth = int(h.depth[root])
    rel = h.depth[root:end] - base_depth
    picked = np.flatnonzero(rel <= depth) + root if depth is not None else np.arange(root, end)
    nodes: dict[str, RollupNode] = {}
    by_pos: dict[int, RollupNode] = {}
    names = engine.level_names
    make = object.__new__  # a province has 20,000 nodes: fill them without __init__'s cost
    parents = h.parent.tolist()
    depths = h.depth.tolist()
    for pos in picked.tolist():
        p = parents[pos]
        node = make(RollupNode)
        node.__dict__.update(
            code=h.codes[pos],
            name=h.names[pos],
            level=h.levels[pos],
            level_name=names.get(h.levels[pos], h.levels[pos]),
            parent=h.codes[p] if p >= 0 else h.parent_code_of_top,
            children=[],
            depth=depths[pos] - base_depth,
            active_from=h.active_from[pos],
            active_to=h.active_to[pos],
            _engine=engine,
            _pos=pos,
        )
        nodes[node.code] = node
        by_pos[pos] = node
        if pos != root:
            by_pos[p].children.append(node.code)
    return RollupResult(
        period=ex.period,
        previous_period=ex.previous,
        quarters=tuple(ex.slots[: ex.n_current]),
        form=ex.form,
        workspace_name=workspace_name,
        level_names=dict(engine.level_names),
        root=by_pos[root],
        nodes=nodes,
        overlaps=engine.overlaps,
        stale_stocks=[s for pos, s in engine.stale if root <= pos < end],
        warnings=engine.warnings,
        created_at=datetime.now(),
        _engine=engine,
    )
