"""Targets: the previous period's plans against this period's actuals."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from unionroll.core.forms import Indicator
from unionroll.core.rollup_compute.tree import normalize_key
from unionroll.core.rollup_types import (
    RegisterEntry,
    TargetCheck,
    TargetTotal,
)


class TargetViews:
    """Plans against actuals per unit (mixed into ``Engine``)."""

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
