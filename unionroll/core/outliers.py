"""Outlier checks on one value: against the unit's own past and against its peers.

Pure functions over plain numbers; where the numbers come from (the database at ingest,
a whole period for ``unionroll outliers``) is :mod:`unionroll.core.outlier_data`. The
rules and their defaults are in :mod:`unionroll.core.outlier_rules` and docs/outliers.md.
"""

from __future__ import annotations

import itertools
import math
import operator
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from unionroll.core.forms import Indicator
from unionroll.core.outlier_rules import HistoryRule, PeerRule
from unionroll.core.zh import format_number, format_quantity

MAD_SCALE = 0.6745  # makes the MAD of a normal distribution comparable to its sd
MEAN_AD_SCALE = 1.253314  # the same for the mean absolute deviation


@dataclass(frozen=True)
class Outlier:
    """One value far from what it is compared with."""

    indicator_id: str
    label: str
    value: float
    method: str  # history | peers
    reference: float  # the unit's own highest (lowest) past value, or the peers' median
    # (per member of staff: times the unit's own staff, what a unit of its size reports)
    score: float  # history: value ÷ reference (or the reverse); peers: modified z-score
    message: str


@dataclass(frozen=True)
class PastValue:
    period_label: str  # 上季度, 2025年第一季度 ...
    value: float


@dataclass(frozen=True)
class PeerStats:
    """The spread of the peers' values: computed once for many values compared with it."""

    n: int
    median: float
    mad: float
    mean_ad: float

    @classmethod
    def of(cls, values: Sequence[float]) -> PeerStats | None:
        """The spread of ``values``; None when there are none (NaN among them: no median
        and no spread, as numpy says)."""
        xs = sorted(map(float, values))
        if any(x != x for x in xs):
            return cls(len(xs), math.nan, math.nan, math.nan)
        return cls.of_sorted(xs)

    @classmethod
    def of_sorted(cls, xs: list[float]) -> PeerStats | None:
        """The spread of floats already in ascending order, none of them NaN, without
        sorting their deviations: below the median they fall along ``xs`` and from it
        they rise, so the middle deviations are found by bisecting the two runs (a pool
        at ingest asks again each time it has grown by a tenth)."""
        n = len(xs)
        if not n:
            return None
        mid = _median(xs)
        mad = _median(_Deviations(xs, mid))
        # fsum is exact whatever the order of its terms: the same sum as over the sorted
        # deviations.
        total = math.fsum(map(abs, map(operator.sub, xs, itertools.repeat(mid))))
        return cls(n, mid, mad, total / n)

    def z(self, value: float) -> float | None:
        """Iglewicz and Hoaglin's modified z-score: 0.6745 × (value − median) / MAD. When
        the MAD is 0 (more than half the peers report the same value, most often 0), the
        mean absolute deviation stands in for it, scaled by 1.253314; None when the peers
        do not vary at all."""
        if self.mad > 0:
            return MAD_SCALE * (value - self.median) / self.mad
        if self.mean_ad > 0:
            return (value - self.median) / (MEAN_AD_SCALE * self.mean_ad)
        return None


class _Deviations:
    """|x − mid| over ascending ``xs``, in ascending order without being sorted: item
    ``k`` is found in two ascending runs, ``mid − x`` for the x below ``mid`` (nearest
    first) and ``x − mid`` for the rest."""

    def __init__(self, xs: list[float], mid: float) -> None:
        self.xs, self.mid = xs, mid
        self.split = bisect_left(xs, mid)
        self.n_low, self.n_high = self.split, len(xs) - self.split

    def __len__(self) -> int:
        return len(self.xs)

    def _low(self, i: int) -> float:
        return self.mid - self.xs[self.split - 1 - i]

    def _high(self, j: int) -> float:
        return self.xs[self.split + j] - self.mid

    def __getitem__(self, k: int) -> float:
        """The ``k``-th smallest deviation (from 0): the larger of the last taken from
        each run when the ``k + 1`` smallest are ``i`` from the low run and the rest from
        the high one."""
        taken = k + 1
        lo, hi = max(0, taken - self.n_high), min(taken, self.n_low)
        while lo < hi:  # the fewest i with low[i] >= high[taken - i - 1]
            i = (lo + hi) // 2
            if self._low(i) < self._high(taken - i - 1):
                lo = i + 1
            else:
                hi = i
        i, j = lo, taken - lo
        best = -math.inf
        if i:
            best = self._low(i - 1)
        if j:
            best = max(best, self._high(j - 1))
        return best


class _Ordered(Protocol):
    """Values in ascending order, taken by position (a sorted list, or _Deviations)."""

    def __len__(self) -> int: ...
    def __getitem__(self, k: int, /) -> float: ...


def _median(ordered: _Ordered) -> float:
    """The median of sorted values, as ``np.median`` gives it."""
    half, odd = divmod(len(ordered), 2)
    if odd:
        return float(ordered[half])
    return float((ordered[half - 1] + ordered[half]) / 2)


def modified_z(value: float, others: Sequence[float]) -> float | None:
    """The modified z-score of ``value`` among ``others`` (see :meth:`PeerStats.z`)."""
    stats = PeerStats.of(others)
    return stats.z(value) if stats else None


def _times(ratio: float) -> str:
    return format_number(round(ratio, 1) if ratio < 10 else round(ratio))


def check_history(
    ind: Indicator, value: float, past: Sequence[PastValue], rule: HistoryRule
) -> Outlier | None:
    """The value against the unit's own values of the previous periods (latest first)."""
    if not past:
        return None
    values = [p.value for p in past]
    high, low = max(values), min(values)
    unit = ind.unit
    latest = past[0]
    said = f"{ind.label}{format_quantity(value, unit)}"
    if rule.direction in ("up", "both") and high > 0 and value > high * rule.factor:
        if value - high < rule.min_change:
            return None
        if latest.value > 0:
            ratio = value / latest.value
            before = format_quantity(latest.value, unit)
            where = f"是{latest.period_label}（{before}）的{_times(ratio)}倍"
        else:
            ratio = value / high
            where = f"是此前{len(past)}期最高值（{format_quantity(high, unit)}）的{_times(ratio)}倍"
        return Outlier(ind.id, ind.label, value, "history", high, ratio, f"{said}，{where}，请核实")
    if rule.direction in ("down", "both") and low > 0 and value * rule.factor < low:
        if low - value < rule.min_change:
            return None
        base = latest.value if latest.value > 0 else low
        label = latest.period_label if latest.value > 0 else f"此前{len(past)}期最低值"
        drop = (base - value) / base * 100
        ratio = base / value if value > 0 else float("inf")
        message = (
            f"{said}，比{label}（{format_quantity(base, unit)}）减少{format_number(round(drop))}%，"
            "请核实"
        )
        return Outlier(ind.id, ind.label, value, "history", low, ratio, message)
    return None


def check_peers(
    ind: Indicator,
    value: float,
    peers: PeerStats | Sequence[float] | None,
    rule: PeerRule,
    *,
    level_name: str,
    per: tuple[float, str] | None = None,
) -> Outlier | None:
    """The value against the same level's units in the same period. With ``rule.per``,
    ``value`` and ``peers`` are already per unit of the other indicator, and ``per`` is
    (the unit's own value of it, its label) for the message."""
    stats = peers if isinstance(peers, PeerStats) or peers is None else PeerStats.of(peers)
    if stats is None or stats.n < rule.min_peers:
        return None
    z = stats.z(value)
    if z is None:
        return None
    mid = stats.median
    high = rule.direction in ("up", "both") and z > rule.threshold
    high = high and value >= mid * rule.min_ratio
    low = rule.direction in ("down", "both") and z < -rule.threshold
    low = low and value * rule.min_ratio <= mid
    if not (high or low):
        return None
    scale = per[0] if per else 1.0
    if abs(value - mid) * scale < rule.min_change:
        return None
    unit = ind.unit
    side = "高于" if high else "低于"
    if per:
        message = (
            f"{ind.label}{format_quantity(value * per[0], unit)}，按{per[1]}折合每人"
            f"{format_number(value)}{unit}，明显{side}同级{level_name}的中位数"
            f"（每人{format_number(mid)}{unit}），请核实"
        )
    else:
        message = (
            f"{ind.label}{format_quantity(value, unit)}，明显{side}同级{level_name}的中位数"
            f"（{format_quantity(mid, unit)}），请核实"
        )
    # Reported as filled in, and the median as what a unit of this size would report.
    return Outlier(ind.id, ind.label, value * scale, "peers", mid * scale, z, message)


Values = dict[str, float]


class PeerPool:
    """The values of one level's returns for one period, by unit code, and their spread
    per indicator: computed when first asked for, and again only once the pool has grown
    by a tenth, or by five returns while it is small (at ingest it grows by one return at a
    time, and a median hardly moves with one more value)."""

    def __init__(self) -> None:
        self.values: dict[str, Values] = {}
        self._stats: dict[tuple[str, str | None, bool], tuple[int, PeerStats | None]] = {}
        # Each key's figures so far, in ascending order, and how many of the pool's returns
        # they take in: a pool that only grows adds the new returns' figures to the sorted
        # ones (one merge) instead of starting over.
        self._figures: dict[tuple[str, str | None, bool], tuple[int, list[float]]] = {}
        self._order: list[Values] = []

    def __len__(self) -> int:
        return len(self.values)

    def put(self, code: str, values: Values) -> None:
        if code in self.values:  # a unit's return replaced: its old figures go
            self._figures.clear()
            self._order = [v for c, v in self.values.items() if c != code]
        self.values[code] = values
        self._order.append(values)

    def stats(self, indicator: str, per: str | None, rated: bool) -> PeerStats | None:
        """The peers' spread of ``indicator``: per unit of ``per`` over the units that have
        it (``rated``), or as reported over those that do not (all, without ``per``)."""
        key = (indicator, per, rated)
        n = len(self.values)
        cached = self._stats.get(key)
        if cached is not None and n < cached[0] + max(5, cached[0] // 10):
            return cached[1]
        seen, xs = self._figures.get(key, (0, []))
        rows = self._order[seen:]
        if rated and per:
            new = [float(v[indicator] / v[per]) for v in rows if indicator in v and v.get(per)]
        else:
            new = [float(v[indicator]) for v in rows if indicator in v and not (per and v.get(per))]
        if any(x != x for x in new):  # NaN: no median and no spread (kept out of the order)
            self._figures.pop(key, None)
            stats = PeerStats(len(xs) + len(new), math.nan, math.nan, math.nan)
            self._stats[key] = (n, stats)
            return stats
        xs.extend(new)
        xs.sort()
        self._figures[key] = (len(self._order), xs)
        stats = PeerStats.of_sorted(xs)
        self._stats[key] = (n, stats)
        return stats
