"""The rollup's arrays: for each quarter and unit the return that counts, consolidation,
the period values, the expected units, and the subtree totals level by level."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

import numpy as np

from unionroll.core.forms import Indicator
from unionroll.core.rollup_compute.figures import FigureViews
from unionroll.core.rollup_compute.registers import RegisterViews
from unionroll.core.rollup_compute.targets import TargetViews
from unionroll.core.rollup_compute.tree import NUMERIC_AGGS, Tree, _Refs
from unionroll.core.rollup_extract import Extract
from unionroll.core.rollup_types import (
    Overlap,
    StaleStock,
)


class Engine(FigureViews, RegisterViews, TargetViews):
    """All arrays of one rollup, and the per-unit views built from them."""

    def __init__(self, ex: Extract, level_names: dict[str, str]) -> None:
        self.ex = ex
        self.form = ex.form
        self.level_names = level_names
        self.warnings: list[str] = list(ex.warnings)
        h = ex.hierarchy
        self.h = h
        self.n = h.n
        self.q = ex.n_current
        self.slots = ex.slots
        self.inds: list[Indicator] = list(self.form.indicators)
        self.ind_pos = {ind.id: k for k, ind in enumerate(self.inds)}
        self.tree = Tree(h.parent, h.depth)
        # ratio -> (numerator, denominator) positions, when both are added-up numbers
        self.ratio_parts: dict[int, tuple[int, int]] = {}
        for kk, ind in enumerate(self.inds):
            a, b = self.ind_pos.get(ind.numerator or ""), self.ind_pos.get(ind.denominator or "")
            if (
                ind.agg == "ratio"
                and a is not None
                and b is not None
                and self.inds[a].agg in NUMERIC_AGGS
                and self.inds[b].agg in NUMERIC_AGGS
            ):
                self.ratio_parts[kk] = (a, b)
        self.refs = _Refs(h.codes, h.names, h.levels)
        self._choose_returns()
        self._consolidation()
        self._values()
        self._expected()
        self._aggregate()
        self._completeness_arrays()
        self._register_arrays()
        self._award_keys: list[str] | None = None
        self._priorities: list[dict[str, Any]] | None = None

    # --- returns and consolidation ----------------------------------------------------

    def _choose_returns(self) -> None:
        r = self.ex.returns
        s_count = len(self.slots)
        self.act = np.full((s_count, self.n), -1, dtype=np.int64)
        active = np.flatnonzero(r.active)  # in id order
        keys = r.slot[active] * self.n + r.unit[active]
        rev_keys = keys[::-1]
        uniq, first = np.unique(rev_keys, return_index=True)
        chosen = active[::-1][first]  # the newest active return of each (quarter, unit)
        self.act.reshape(-1)[uniq] = chosen
        if uniq.size < active.size:
            counts = Counter(keys.tolist())
            dup = sorted(
                {
                    f"{self.h.codes[key % self.n]}（{self.slots[key // self.n].code}）"
                    for key, c in counts.items()
                    if c > 1
                }
            )
            self.warnings.append(
                f"{len(dup)} 个单位在同一季度有不止一份有效报表，只采用最新的一份："
                + "、".join(dup[:20])
                + ("等" if len(dup) > 20 else "")
            )
        # The first accepted arrival per (quarter, unit) decides lateness.
        self.first_seen: dict[tuple[int, int], datetime] = {}
        now_slots = r.slot < self.q
        for i in np.flatnonzero(now_slots).tolist():
            key = (int(r.slot[i]), int(r.unit[i]))
            at = r.submitted_at[i]
            if key not in self.first_seen or at < self.first_seen[key]:
                self.first_seen[key] = at

    def _consolidation(self) -> None:
        r = self.ex.returns
        has = self.act >= 0
        cons = np.zeros_like(has)
        cons[has] = r.consolidated[self.act[has]]
        top = np.full(self.act.shape, -1, dtype=np.int64)
        for idx, par in self.tree.down:
            above = top[:, par]
            top[:, idx] = np.where(above >= 0, above, np.where(cons[:, par], par, -1))
        self.cons = cons
        self.top = top
        self.covered = top >= 0
        self.counted = has & ~self.covered
        self.excluded = has & self.covered
        self.overlaps: list[Overlap] = []
        root, root_end = self.ex.root, int(self.h.end[self.ex.root])
        slots_idx, units_idx = np.nonzero(self.excluded[: self.q])
        for s, u in sorted(
            zip(slots_idx.tolist(), units_idx.tolist(), strict=True),
            key=lambda su: (su[0], su[1]),
        ):
            if not root <= u < root_end:
                continue
            c = int(top[s, u])
            self.overlaps.append(
                Overlap(
                    consolidating=self.refs[c],
                    excluded=self.refs[u],
                    quarter=self.slots[s].code,
                    excluded_return_id=int(r.id[self.act[s, u]]),
                    consolidated_return_id=int(r.id[self.act[s, c]]),
                )
            )

    # --- values ------------------------------------------------------------------------

    def _values(self) -> None:
        r = self.ex.returns
        v = self.ex.values
        q, n, k = self.q, self.n, len(self.inds)
        vals = np.full((q, n, k), np.nan)
        if v.ret.size:
            slot = r.slot[v.ret]
            unit = r.unit[v.ret]
            keep = slot < q
            keep[keep] = self.act[slot[keep], unit[keep]] == v.ret[keep]
            vals[slot[keep], unit[keep], v.ind[keep]] = v.num[keep]
        self.vals = vals  # every active return, excluded ones too (for tracing)
        self.vc = np.where(self.excluded[:q, :, None], np.nan, vals)  # counted values
        has = ~np.isnan(self.vc)

        # choice: option index per quarter; none: listed text values
        self.options: dict[int, list[str]] = {
            kk: list(ind.options) for kk, ind in enumerate(self.inds) if ind.agg == "choice"
        }
        self.choice = {kk: np.full((q, n), -1, dtype=np.int64) for kk in self.options}
        self.texts_listed: list[tuple[int, int, int, str]] = []  # (unit, slot, ind, text)
        t = self.ex.texts
        if t.ret.size:
            slot, unit = r.slot[t.ret], r.unit[t.ret]
            ok = (slot < q) & (self.act[slot, unit] == t.ret)
            ok[ok] = self.counted[slot[ok], unit[ok]]
            ok &= np.array([x is not None for x in t.text], dtype=bool)
            for kk in np.unique(t.ind[ok]).tolist():
                idx = np.flatnonzero(ok & (t.ind == kk))
                s_idx, u_idx = slot[idx], unit[idx]
                has[s_idx, u_idx, kk] = True
                texts = [t.text[i] for i in idx.tolist()]
                if self.inds[kk].agg == "choice":
                    opts = self.options[kk]
                    where = {o: n for n, o in enumerate(opts)}
                    for text in texts:  # an option no longer in the form still counts
                        if text not in where:
                            where[text] = len(opts)
                            opts.append(text)
                    self.choice[kk][s_idx, u_idx] = [where[x] for x in texts]
                else:
                    self.texts_listed.extend(
                        zip(u_idx.tolist(), s_idx.tolist(), [kk] * len(texts), texts, strict=True)
                    )
        self.has = has
        # a unit covered by a consolidated return counts as reporting what that return has
        via = np.zeros((n, k), dtype=bool)
        for s in range(q):
            t_s = self.top[s]
            m = t_s >= 0
            if m.any():
                via[m] |= has[s, t_s[m]]
        self.via = via

    def _expected(self) -> None:
        h = self.h
        p = self.ex.period
        form_levels = set(self.form.levels)
        in_form = np.array([lv in form_levels for lv in h.levels], dtype=bool)
        # open during [start, end]: opened on or before the end, not closed by the start
        never = date.max.toordinal()
        opened = np.array([d.toordinal() if d else 0 for d in h.active_from], dtype=np.int64)
        closed = np.array([d.toordinal() if d else never for d in h.active_to], dtype=np.int64)

        def open_during(start: date, end: date) -> np.ndarray:
            return in_form & (opened <= end.toordinal()) & (closed > start.toordinal())

        self.open_slot = (
            np.stack([open_during(s.start, s.end) for s in self.slots[: self.q]])
            if self.q
            else np.zeros((0, self.n), dtype=bool)
        )
        self.expected_u = open_during(p.start, p.end)
        names = sorted(set(h.levels))
        level_of = {name: i for i, name in enumerate(names)}
        level_idx = np.fromiter((level_of[lv] for lv in h.levels), dtype=np.int64, count=self.n)
        table = np.array([[name in ind.levels for name in names] for ind in self.inds], dtype=bool)
        applies = table[:, level_idx].T if self.inds else np.zeros((self.n, 0), dtype=bool)
        self.expected_k = applies & self.expected_u[:, None]

    # --- aggregation -------------------------------------------------------------------

    def _aggregate(self) -> None:
        q, n, k = self.q, self.n, len(self.inds)
        aggs = np.array([ind.agg for ind in self.inds])
        vc, has = self.vc, self.has
        contrib = np.zeros((n, k))
        contrib_has = np.zeros((n, k), dtype=bool)
        reported = has.any(axis=0) | self.via

        sum_k = np.flatnonzero(aggs == "sum")
        contrib[:, sum_k] = np.nansum(vc[:, :, sum_k], axis=0) if q else 0.0
        contrib_has[:, sum_k] = has[:, :, sum_k].any(axis=0)

        self.stock_quarter = np.full((n, k), -1, dtype=np.int64)  # the quarter used
        self.stock_latest = np.full((n, k), -1, dtype=np.int64)
        self.stock_stale = np.zeros((n, k), dtype=bool)
        self.stale: list[tuple[int, StaleStock]] = []  # (position of the unit, what)
        stock_k = np.flatnonzero(aggs == "stock")
        if stock_k.size and q:
            self._stocks(stock_k, contrib, contrib_has, reported)

        # count_yes: yes in any quarter; answered at all
        yes_k = np.flatnonzero(aggs == "count_yes")
        self.yes_u = np.zeros((n, k), dtype=bool)
        self.yes_u[:, yes_k] = (vc[:, :, yes_k] == 1).any(axis=0)
        self.answered_u = has.any(axis=0)

        # choice: the latest option reported
        self.choice_latest: dict[int, np.ndarray] = {}
        self.choice_counts: dict[int, np.ndarray] = {}
        for kk, per_slot in self.choice.items():
            latest = np.full(n, -1, dtype=np.int64)
            for s in range(q):
                latest = np.where(per_slot[s] >= 0, per_slot[s], latest)
            self.choice_latest[kk] = latest
            width = len(self.options[kk])
            onehot = np.zeros((n, width), dtype=np.int64)
            m = latest >= 0
            onehot[np.flatnonzero(m), latest[m]] = 1
            self.choice_counts[kk] = self.tree.subtree_sum(onehot)

        for kk, ind in enumerate(self.inds):
            if ind.agg == "ratio":
                a, b = (
                    self.ind_pos.get(ind.numerator or ""),
                    self.ind_pos.get(ind.denominator or ""),
                )
                if a is None or b is None:
                    reported[:, kk] = False
                else:
                    reported[:, kk] = reported[:, a] & reported[:, b]

        self.contrib = contrib
        self.contrib_has = contrib_has
        self.reported_u = reported
        self.tot = self.tree.subtree_sum(contrib)
        self.tot_n = self.tree.subtree_sum(contrib_has.astype(np.int64))
        self.rep_tot = self.tree.subtree_sum((reported & self.expected_k).astype(np.int64))
        self.exp_tot = self.tree.subtree_sum(self.expected_k.astype(np.int64))
        self.yes_tot = self.tree.subtree_sum(self.yes_u.astype(np.int64))
        self.ans_tot = self.tree.subtree_sum(self.answered_u.astype(np.int64))

    def _stocks(
        self,
        stock_k: np.ndarray,
        contrib: np.ndarray,
        contrib_has: np.ndarray,
        reported: np.ndarray,
    ) -> None:
        """Stocks: each unit's value from the latest quarter in which it is accounted for,
        by its own return or by a consolidated return above it; see docs/rollup.md."""
        q, n = self.q, self.n
        vc = self.vc[:, :, stock_k]
        own = ~np.isnan(vc)  # (q, n, m)
        accounted = own | self.covered[:q, :, None]
        quarters = np.arange(q).reshape(q, 1, 1)
        latest = np.where(accounted, quarters, -1).max(axis=0)  # (n, m)
        safe = np.maximum(latest, 0)
        own_at = np.take_along_axis(own, safe[None], axis=0)[0] & (latest >= 0)
        val_at = np.take_along_axis(vc, safe[None], axis=0)[0]
        units = np.arange(n)[:, None]
        cons_at = self.cons[:q][safe, units] & own_at
        below = self.tree.strict_descendant_max(latest)
        stale = cons_at & (below > latest)
        used = own_at & ~stale
        contrib[:, stock_k] = np.where(used, val_at, 0.0)
        contrib_has[:, stock_k] = used
        # a covered unit reports if the consolidated figure of its quarter is the one used
        top_at = self.top[:q][safe, units]  # (n, m)
        via = np.zeros_like(used)
        m = (latest >= 0) & ~own_at & (top_at >= 0)
        if m.any():
            uu, jj = np.nonzero(m)
            c = top_at[uu, jj]
            via[uu, jj] = used[c, jj] & (latest[c, jj] == latest[uu, jj])
        reported[:, stock_k] = used | via
        self.stock_quarter[:, stock_k] = np.where(used, latest, -1)
        self.stock_latest[:, stock_k] = latest
        self.stock_stale[:, stock_k] = stale
        for u, j in zip(*np.nonzero(stale), strict=True):
            kk = int(stock_k[j])
            self.stale.append(
                (
                    int(u),
                    StaleStock(
                        unit=self.refs[int(u)],
                        indicator_id=self.inds[kk].id,
                        quarter=self.slots[int(latest[u, j])].code,
                        value=float(val_at[u, j]),
                        newer_quarter=self.slots[int(below[u, j])].code,
                    ),
                )
            )
