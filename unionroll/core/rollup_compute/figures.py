"""A unit's completeness and figures, read off the engine's arrays."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from unionroll.core.forms import Indicator
from unionroll.core.rollup_compute.tree import NUMERIC_AGGS
from unionroll.core.rollup_types import (
    Completeness,
    Figure,
    LateReturn,
    ListedValue,
    PartialUnit,
)


class FigureViews:
    """Completeness and figures per unit (mixed into ``Engine``)."""

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
