"""The rollup engine: period and level aggregation on arrays.

Everything here works on the compact arrays of :mod:`unionroll.core.rollup_extract`,
with units in tree order (preorder), quarters ("slots") and indicators as array axes:

1. for each quarter and unit, the one active return, and whether a consolidated return
   above the unit stands for it (``top``: the highest consolidating unit above);
2. per unit, the period value of each indicator from its counted returns (``sum`` adds
   quarters, ``stock`` takes the latest, ``count_yes`` any yes, ``choice`` the latest);
3. per unit in the tree, the subtree totals, added level by level from the bottom up.

Per-unit objects (figures, completeness, registers, targets) are built on request from
these arrays; see :class:`unionroll.core.rollup_types.RollupNode`.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from datetime import date, datetime
from typing import Any

import numpy as np

from unionroll.core.forms import Indicator
from unionroll.core.rollup_extract import Extract
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
    StaleStock,
    TargetCheck,
    TargetTotal,
    UnitRef,
)

NUMERIC_AGGS = ("sum", "stock")


class Tree:
    """Bottom-up aggregation over the parent links, one depth at a time."""

    def __init__(self, parent: np.ndarray, depth: np.ndarray) -> None:
        self.steps: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.down: list[tuple[np.ndarray, np.ndarray]] = []
        max_depth = int(depth.max()) if depth.size else 0
        for d in range(max_depth, 0, -1):
            idx = np.flatnonzero(depth == d)
            par = parent[idx]
            order = np.argsort(par, kind="stable")
            idx, par = idx[order], par[order]
            starts = np.flatnonzero(np.r_[True, par[1:] != par[:-1]])
            self.steps.append((idx, starts, par[starts]))
        for d in range(1, max_depth + 1):
            idx = np.flatnonzero(depth == d)
            self.down.append((idx, parent[idx]))

    def subtree_sum(self, own: np.ndarray) -> np.ndarray:
        total = own.copy()
        for idx, starts, parents in self.steps:
            total[parents] += np.add.reduceat(total[idx], starts, axis=0)
        return total

    def strict_descendant_max(self, values: np.ndarray, empty: int = -1) -> np.ndarray:
        best = np.full_like(values, empty)
        for idx, starts, parents in self.steps:
            candidate = np.maximum(values[idx], best[idx])
            best[parents] = np.maximum(
                best[parents], np.maximum.reduceat(candidate, starts, axis=0)
            )
        return best


def normalize_key(text: Any) -> str:
    """Text compared for de-duplication: NFKC, no whitespace at all, case-folded."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(folded.split())


class _Refs:
    """UnitRef of a position, made when first asked for."""

    def __init__(self, codes: list[str], names: list[str], levels: list[str]) -> None:
        self.codes, self.names, self.levels = codes, names, levels
        self.made: dict[int, UnitRef] = {}

    def __getitem__(self, pos: int) -> UnitRef:
        ref = self.made.get(pos)
        if ref is None:
            ref = self.made[pos] = UnitRef(self.codes[pos], self.names[pos], self.levels[pos])
        return ref


class Engine:
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

    # --- completeness ------------------------------------------------------------------

    def _completeness_arrays(self) -> None:
        q = self.q
        accounted = (self.act[:q] >= 0) | self.covered[:q]
        n_open = self.open_slot.sum(axis=0)
        n_acc = (accounted & self.open_slot).sum(axis=0)
        exp = self.expected_u
        self.c_reported = exp & (n_open > 0) & (n_acc == n_open)
        self.c_partial = exp & (n_acc > 0) & (n_acc < n_open)
        self.c_missing = exp & (n_acc == 0)
        self.c_covered = exp & (self.covered[:q] & self.open_slot).any(axis=0)
        self.c_unexpected = ~exp & (self.act[:q] >= 0).any(axis=0)
        self.accounted = accounted
        stacked = np.stack(
            [exp, self.c_reported, self.c_partial, self.c_missing, self.c_covered], axis=1
        ).astype(np.int64)
        self.c_tot = self.tree.subtree_sum(stacked)
        deadlines = [s.deadline(self.form.deadline_days) for s in self.slots[:q]]
        self.late_by_unit: dict[int, list[LateReturn]] = defaultdict(list)
        for (s, u), at in self.first_seen.items():
            deadline = deadlines[s]
            days = (at.date() - deadline).days
            if days > 0:
                self.late_by_unit[u].append(
                    LateReturn(self.refs[u], self.slots[s].code, at, deadline, days)
                )
        self.late_units = np.array(sorted(self.late_by_unit), dtype=np.int64)

    def completeness(self, pos: int) -> Completeness:
        end = int(self.h.end[pos])
        tot = self.c_tot[pos]

        def units(mask: np.ndarray) -> list[int]:
            return (np.flatnonzero(mask[pos:end]) + pos).tolist()

        partial = tuple(
            PartialUnit(
                self.refs[u],
                tuple(
                    self.slots[s].code
                    for s in range(self.q)
                    if self.open_slot[s, u] and not self.accounted[s, u]
                ),
            )
            for u in units(self.c_partial)
        )
        lo, hi = np.searchsorted(self.late_units, [pos, end])
        late = tuple(x for u in self.late_units[lo:hi].tolist() for x in self.late_by_unit[u])
        return Completeness(
            level_name=self.level_names.get(self.h.levels[pos], self.h.levels[pos]),
            expected=int(tot[0]),
            reported=int(tot[1]),
            partial=partial,
            missing=tuple(self.refs[u] for u in units(self.c_missing)),
            late=tuple(sorted(late, key=lambda x: (x.quarter, x.unit.code))),
            covered=int(tot[4]),
            unexpected=tuple(self.refs[u] for u in units(self.c_unexpected)),
        )

    # --- figures -----------------------------------------------------------------------

    def numeric_value(self, pos: int, kk: int) -> float | None:
        """The subtree total of a sum or stock indicator (None when nobody reported it)."""
        if self.inds[kk].agg not in NUMERIC_AGGS or self.tot_n[pos, kk] == 0:
            return None
        return float(self.tot[pos, kk])

    def value(self, pos: int, kk: int) -> float | None:
        """The figure's value as :class:`Figure` defines it."""
        ind = self.inds[kk]
        if ind.agg in NUMERIC_AGGS:
            return self.numeric_value(pos, kk)
        if ind.agg == "count_yes":
            return float(self.yes_tot[pos, kk]) if self.ans_tot[pos, kk] else None
        if ind.agg == "ratio":
            num, den = self._ratio_parts(pos, ind)
            if num is None or not den:
                return None
            return num / den
        return None

    def _ratio_parts(self, pos: int, ind: Indicator) -> tuple[float | None, float | None]:
        a, b = self.ind_pos.get(ind.numerator or ""), self.ind_pos.get(ind.denominator or "")
        if a is None or b is None:
            return None, None
        return self.numeric_value(pos, a), self.numeric_value(pos, b)

    def figure(self, pos: int, kk: int) -> Figure:
        ind = self.inds[kk]
        base = dict(
            indicator_id=ind.id,
            agg=ind.agg,
            value=self.value(pos, kk),
            reported=int(self.rep_tot[pos, kk]),
            expected=int(self.exp_tot[pos, kk]),
        )
        if ind.agg == "count_yes":
            return Figure(
                **base, yes=int(self.yes_tot[pos, kk]), answered=int(self.ans_tot[pos, kk])
            )
        if ind.agg == "choice":
            counts = self.choice_counts[kk][pos]
            opts = self.options[kk]
            return Figure(
                **base,
                counts={opts[i]: int(counts[i]) for i in range(len(opts))},
                answered=int(counts.sum()),
            )
        if ind.agg == "ratio":
            num, den = self._ratio_parts(pos, ind)
            return Figure(**base, numerator=num, denominator=den)
        if ind.agg == "none":
            return Figure(**base, listed=self._listed(pos, kk))
        return Figure(**base)

    def figures(self, pos: int) -> dict[str, Figure]:
        """Every figure of one unit. Same result as :meth:`figure` per indicator, built
        from one row of each array: reports over 20,000 schools read them all."""
        tot = self.tot[pos].tolist()
        tot_n = self.tot_n[pos].tolist()
        rep = self.rep_tot[pos].tolist()
        exp = self.exp_tot[pos].tolist()
        yes = self.yes_tot[pos].tolist()
        ans = self.ans_tot[pos].tolist()
        out: dict[str, Figure] = {}
        for kk, ind in enumerate(self.inds):
            agg = ind.agg
            if agg in NUMERIC_AGGS:
                out[ind.id] = Figure(ind.id, agg, tot[kk] if tot_n[kk] else None, rep[kk], exp[kk])
            elif agg == "count_yes":
                value = float(yes[kk]) if ans[kk] else None
                out[ind.id] = Figure(ind.id, agg, value, rep[kk], exp[kk], yes[kk], ans[kk])
            elif agg == "ratio" and kk in self.ratio_parts:
                a, b = self.ratio_parts[kk]
                num = tot[a] if tot_n[a] else None
                den = tot[b] if tot_n[b] else None
                value = num / den if num is not None and den else None
                out[ind.id] = Figure(
                    ind.id, agg, value, rep[kk], exp[kk], numerator=num, denominator=den
                )
            else:
                out[ind.id] = self.figure(pos, kk)
        return out

    def _listed(self, pos: int, kk: int) -> tuple[ListedValue, ...]:
        end = int(self.h.end[pos])
        out: list[tuple[int, int, float | str]] = []
        col = self.vc[:, pos:end, kk]
        for s, u in zip(*np.nonzero(~np.isnan(col)), strict=True):
            out.append((int(u) + pos, int(s), float(col[s, u])))
        out.extend(
            (u, s, text) for u, s, k2, text in self.texts_listed if k2 == kk and pos <= u < end
        )
        out.sort(key=lambda x: (x[0], x[1]))
        return tuple(ListedValue(self.refs[u], self.slots[s].code, v) for u, s, v in out)

    # --- registers ---------------------------------------------------------------------

    def _register_arrays(self) -> None:
        rows = self.ex.registers
        r = self.ex.returns
        if rows.ret.size == 0:
            self.reg_now = np.empty(0, dtype=np.int64)
            self.reg_prev = np.empty(0, dtype=np.int64)
            self.reg_unit = np.empty(0, dtype=np.int64)
            self.prev_unit = np.empty(0, dtype=np.int64)
            return
        slot = r.slot[rows.ret]
        unit = r.unit[rows.ret]
        counted = self.counted[slot, unit] & (self.act[slot, unit] == rows.ret)
        is_prio = np.array([g == "priorities" for g in rows.register], dtype=bool)
        now = np.flatnonzero(counted & (slot < self.q))
        prev = np.flatnonzero(counted & (slot >= self.q) & is_prio)
        row_no = np.asarray(rows.row_no, dtype=np.int64)
        self.reg_now = now[np.lexsort((row_no[now], slot[now], unit[now]))]
        self.reg_prev = prev[np.lexsort((row_no[prev], slot[prev], unit[prev]))]
        self.reg_unit = unit[self.reg_now]
        self.prev_unit = unit[self.reg_prev]

    def _entry(self, i: int, reporters: tuple[Reporter, ...] = ()) -> RegisterEntry:
        rows = self.ex.registers
        r = self.ex.returns
        ret = int(rows.ret[i])
        unit = self.refs[int(r.unit[ret])]
        quarter = self.slots[int(r.slot[ret])].code
        return RegisterEntry(
            register=rows.register[i],
            unit=unit,
            quarter=quarter,
            return_id=int(r.id[ret]),
            row_no=int(rows.row_no[i]),
            category=rows.category[i],
            level=rows.level[i],
            month=rows.month[i],
            raw_data=rows.raw[i] or "",
            reporters=reporters or (Reporter(unit, quarter, int(r.id[ret])),),
        )

    def _slice(self, pos: int) -> np.ndarray:
        lo, hi = np.searchsorted(self.reg_unit, [pos, int(self.h.end[pos])])
        return self.reg_now[lo:hi]

    def registers(self, pos: int) -> NodeRegisters:
        rows = self.ex.registers
        picked = self._slice(pos).tolist()
        entries: dict[str, list[RegisterEntry]] = defaultdict(list)
        awards = [i for i in picked if rows.register[i] == "awards"]
        for i in picked:
            if rows.register[i] != "awards":
                entries[rows.register[i]].append(self._entry(i))
        kept_awards, dropped = self._dedup_awards(awards)
        if kept_awards:
            entries["awards"] = kept_awards
        by_category: dict[str, dict[str, int]] = {}
        for reg, items in entries.items():
            counter = Counter(e.category or "" for e in items)
            by_category[reg] = dict(sorted(counter.items()))
        by_level = Counter(e.level or "" for e in entries.get("awards", []))
        order = {lv: i for i, lv in enumerate(("国家", "省", "市", "县", "乡镇"))}
        return NodeRegisters(
            entries={k: tuple(v) for k, v in entries.items()},
            by_category=by_category,
            awards_by_level=dict(sorted(by_level.items(), key=lambda kv: order.get(kv[0], 99))),
            duplicate_awards=dropped,
        )

    def award_key(self, i: int) -> str:
        if self._award_keys is None:
            self._award_keys = [""] * len(self.ex.registers.register)
        key = self._award_keys[i]
        if not key:
            e = self._entry(i)
            data = e.data
            key = "\x1f".join(
                normalize_key(x) for x in (data.get("holder"), data.get("title"), e.level)
            )
            self._award_keys[i] = key
        return key

    def _dedup_awards(self, rows: list[int]) -> tuple[list[RegisterEntry], int]:
        """Awards with the same holder, title and level (normalised) are one award when
        reported again by the same unit or by a unit above the one that reported it: only
        the reports of the lowest units are kept, each remembering the units above it that
        reported it too (reporters in tree order). Units side by side may each have their
        own award of that name."""
        reg = self.ex.registers
        r = self.ex.returns
        end = self.h.end
        groups: dict[str, list[int]] = defaultdict(list)
        for i in rows:
            groups[self.award_key(i)].append(i)
        kept: list[tuple[int, RegisterEntry]] = []
        dropped = 0
        for members in groups.values():
            if len(members) == 1:
                kept.append((members[0], self._entry(members[0])))
                continue
            by_unit: dict[int, list[int]] = defaultdict(list)
            for i in sorted(members, key=lambda i: (int(r.slot[reg.ret[i]]), reg.row_no[i])):
                by_unit[int(r.unit[reg.ret[i]])].append(i)
            units = sorted(by_unit)  # tree order: a unit before the units below it
            lowest = [
                u for n, u in enumerate(units) if n + 1 == len(units) or units[n + 1] >= end[u]
            ]
            for u in lowest:
                reporters: list[Reporter] = []
                for a in units:  # in tree order: the units above first, then the lowest
                    if a == u or a < u < end[a]:
                        reporters.extend(self._entry(i).reporters[0] for i in by_unit[a])
                first = by_unit[u][0]
                kept.append((first, self._entry(first, tuple(dict.fromkeys(reporters)))))
            dropped += len(members) - len(lowest)
        order = {i: n for n, i in enumerate(rows)}
        kept.sort(key=lambda pair: order[pair[0]])
        return [e for _, e in kept], dropped

    # --- targets -----------------------------------------------------------------------

    def _priority_rows(self) -> list[dict[str, Any]]:
        if self._priorities is not None:
            return self._priorities
        out: list[dict[str, Any]] = []
        seen: dict[tuple[Any, ...], int] = {}
        for i in self.reg_prev.tolist():
            e = self._entry(i)
            d = e.data
            key = (
                e.unit.code,
                d.get("indicator"),
                repr(d.get("target")),
                normalize_key(d.get("text")),
                normalize_key(e.category),
            )
            item = {
                "row": i,
                "entry": e,
                "unit": int(self.ex.returns.unit[self.ex.registers.ret[i]]),
            }
            if key in seen:
                out[seen[key]] = item  # a plan repeated in a later quarter: keep the later one
            else:
                seen[key] = len(out)
                out.append(item)
        self._priorities = out
        return out

    def _target_value(self, ind: Indicator, pos: int) -> float | None:
        kk = self.ind_pos[ind.id]
        value = self.value(pos, kk)
        if value is None:
            return None
        return value * 100 if ind.agg == "ratio" else value

    def _check(self, item: dict[str, Any]) -> TargetCheck:
        e: RegisterEntry = item["entry"]
        d = e.data
        indicator_id = d.get("indicator") or None
        raw_target = d.get("target")
        target: float | None
        try:
            target = float(raw_target) if raw_target not in (None, "") else None
        except (TypeError, ValueError):
            target = None
        month = d.get("month")
        base = dict(
            unit=e.unit,
            quarter=e.quarter,
            return_id=e.return_id,
            category=e.category,
            text=str(d.get("text") or ""),
            indicator_id=indicator_id,
            target=target,
            month=int(month) if isinstance(month, int | float) else None,
        )
        if indicator_id is None:
            return TargetCheck(**base, actual=None, status="not_measurable", reason="no_indicator")
        if indicator_id not in self.ind_pos:
            return TargetCheck(
                **base, actual=None, status="not_measurable", reason="unknown_indicator"
            )
        ind = self.inds[self.ind_pos[indicator_id]]
        if ind.agg in ("choice", "none"):
            return TargetCheck(**base, actual=None, status="not_measurable", reason="not_numeric")
        actual = self._target_value(ind, item["unit"])
        if target is None:
            return TargetCheck(**base, actual=actual, status="not_measurable", reason="no_target")
        if actual is None:
            return TargetCheck(**base, actual=None, status="not_measurable", reason="no_data")
        if actual >= target:
            return TargetCheck(**base, actual=actual, status="met")
        return TargetCheck(**base, actual=actual, status="not_met", gap=target - actual)

    def targets(self, pos: int) -> tuple[TargetCheck, ...]:
        end = int(self.h.end[pos])
        return tuple(self._check(it) for it in self._priority_rows() if pos <= it["unit"] < end)

    def target_totals(self, pos: int) -> dict[str, TargetTotal]:
        sums: dict[str, list[float]] = defaultdict(list)
        for check in self.targets(pos):
            if check.target is None or check.indicator_id not in self.ind_pos:
                continue
            ind = self.inds[self.ind_pos[check.indicator_id]]
            if ind.agg in ("ratio", "choice", "none"):
                continue
            sums[check.indicator_id].append(check.target)
        out: dict[str, TargetTotal] = {}
        for ind in self.inds:
            if ind.id not in sums:
                continue
            total = float(sum(sums[ind.id]))
            actual = self._target_value(ind, pos)
            status = (
                "not_measurable" if actual is None else ("met" if actual >= total else "not_met")
            )
            out[ind.id] = TargetTotal(ind.id, total, len(sums[ind.id]), actual, status)
        return out
