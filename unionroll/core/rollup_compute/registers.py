"""A unit's register entries (awards, events, highlights...), awards de-duplicated across
levels with every reporter kept."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from unionroll.core.rollup_compute.tree import normalize_key
from unionroll.core.rollup_types import (
    NodeRegisters,
    RegisterEntry,
    Reporter,
)


class RegisterViews:
    """Register entries per unit (mixed into ``Engine``)."""

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
