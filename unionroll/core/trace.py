"""Tracing a rolled-up figure back to the returns and values behind it.

``trace(workspace, "2025H1", "COUNTY", "care_funds")`` lists every value of that indicator
in the unit's subtree for the period's quarters, with the return it came from (unit,
quarter, source file, time received, return id) and what became of it: used, left out
because a consolidated return above stands for that quarter, an earlier quarter of a
stock (only the latest counts), or a stale consolidated stock. For a ratio it lists the
numerator's and the denominator's values. :func:`explain` does the same from a
:class:`~unionroll.core.rollup_types.RollupResult` without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from unionroll.core.forms import Indicator
from unionroll.core.periods import Period
from unionroll.core.rollup import rollup
from unionroll.core.rollup_compute import Engine
from unionroll.core.rollup_types import (
    Figure,
    RollupResult,
    UnitRef,
    UnknownIndicatorError,
)
from unionroll.core.workspace import Workspace

STATUS_ZH = {
    "used": "计入",
    "excluded": "未计入（上级合并报送）",
    "not_latest": "未计入（非最新季度）",
    "stale": "未计入（下级已有更新的数）",
}


@dataclass(frozen=True)
class TraceItem:
    """One value behind a figure and what became of it."""

    role: str  # value | numerator | denominator
    indicator_id: str
    unit: UnitRef
    quarter: str
    return_id: int
    source_name: str
    submitted_at: datetime
    consolidated: bool
    value: float | str
    status: str  # used | excluded | not_latest | stale
    note: str = ""

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]


@dataclass(frozen=True)
class Trace:
    period: Period
    unit: UnitRef
    indicator: Indicator
    figure: Figure
    items: tuple[TraceItem, ...]

    @property
    def used(self) -> tuple[TraceItem, ...]:
        return tuple(i for i in self.items if i.status == "used")

    @property
    def left_out(self) -> tuple[TraceItem, ...]:
        return tuple(i for i in self.items if i.status != "used")

    @property
    def return_ids(self) -> list[int]:
        return sorted({i.return_id for i in self.items})


def trace(workspace: Workspace, period: Period | str, unit: str, indicator_id: str) -> Trace:
    """Explain one rolled-up figure: the values and returns it is made of."""
    form = workspace.form
    if not form.has_indicator(indicator_id):
        raise UnknownIndicatorError(indicator_id, form)
    result = rollup(workspace, period, unit=unit, depth=0, hooks=False)
    return explain(result, result.root.code, indicator_id)


def explain(result: RollupResult, code: str, indicator_id: str) -> Trace:
    """:func:`trace` on a rollup already made (no database needed)."""
    node = result.node(code)
    figure = node.figure(indicator_id)
    engine: Engine = result._engine
    kk = engine.ind_pos[indicator_id]
    ind = engine.inds[kk]
    pos = node._pos
    items: list[TraceItem] = []
    if ind.agg == "ratio":
        for role, ref in (("numerator", ind.numerator), ("denominator", ind.denominator)):
            if ref in engine.ind_pos:
                items.extend(_items(engine, pos, engine.ind_pos[ref], role))
    else:
        items.extend(_items(engine, pos, kk, "value"))
    return Trace(result.period, node.ref, ind, figure, tuple(items))


def _items(engine: Engine, pos: int, kk: int, role: str) -> list[TraceItem]:
    ind = engine.inds[kk]
    end = int(engine.h.end[pos])
    found: list[tuple[int, int, float | str]] = []  # (unit, quarter, value)
    if ind.agg in ("choice", "none"):
        t = engine.ex.texts
        r = engine.ex.returns
        for i in np.flatnonzero(t.ind == kk).tolist():
            ret = int(t.ret[i])
            s, u = int(r.slot[ret]), int(r.unit[ret])
            if s < engine.q and pos <= u < end and engine.act[s, u] == ret and t.text[i]:
                found.append((u, s, t.text[i]))
    if ind.agg != "choice":
        col = engine.vals[:, pos:end, kk]
        for s, u in zip(*np.nonzero(~np.isnan(col)), strict=True):
            found.append((int(u) + pos, int(s), float(col[s, u])))
    found.sort(key=lambda x: (x[0], x[1]))
    latest_choice: dict[int, int] = {}
    if ind.agg == "choice":
        for u, s, _ in found:
            if not engine.excluded[s, u]:
                latest_choice[u] = max(latest_choice.get(u, -1), s)
    out = []
    for u, s, value in found:
        status, note = _status(engine, kk, ind, u, s, latest_choice)
        ret = int(engine.act[s, u])
        r = engine.ex.returns
        out.append(
            TraceItem(
                role=role,
                indicator_id=ind.id,
                unit=engine.refs[u],
                quarter=engine.slots[s].code,
                return_id=int(r.id[ret]),
                source_name=r.source_name[ret],
                submitted_at=r.submitted_at[ret],
                consolidated=bool(r.consolidated[ret]),
                value=value,
                status=status,
                note=note,
            )
        )
    return out


def _status(
    engine: Engine, kk: int, ind: Indicator, u: int, s: int, latest_choice: dict[int, int]
) -> tuple[str, str]:
    if engine.excluded[s, u]:
        c = engine.refs[int(engine.top[s, u])]
        return "excluded", f"{engine.slots[s].short_label_zh}由 {c.code} {c.name} 合并报送代替"
    if ind.agg == "stock":
        if engine.stock_stale[u, kk] and engine.stock_latest[u, kk] == s:
            newer = engine.tree.strict_descendant_max(engine.stock_latest[:, kk])[u]
            return "stale", f"下级单位在{engine.slots[int(newer)].short_label_zh}报送了更新的数"
        if engine.stock_quarter[u, kk] == s:
            return "used", f"采用{engine.slots[s].short_label_zh}（最新）的数"
        return "not_latest", "期末数只取最新季度"
    if ind.agg == "choice":
        if latest_choice.get(u) == s:
            return "used", "采用最新季度的选项"
        return "not_latest", "只取最新季度的选项"
    return "used", ""
