"""How far from the usual a value may be before a return's receipt asks to check it.

Two checks, after DHIS2's outlier analysis, each configurable in the form file: for the
whole form under ``outliers:`` and for one indicator under its own ``outliers:`` key
(``outliers: false`` turns both off for that indicator)::

    outliers:
      history: {quarters: 4, factor: 10, min_change: 20, direction: up}
      peers: {threshold: 3.5, min_peers: 8, min_change: 20, min_ratio: 2, direction: up}

* ``history`` (min-max against the unit's own past): the value is compared with the unit's
  values of the previous ``quarters`` reporting periods; it is an outlier above
  ``factor`` × their maximum or below their minimum ÷ ``factor``.
* ``peers`` (modified z-score against the units of the same level in the same period):
  z = 0.6745 × (value − median) / MAD; an outlier when |z| > ``threshold``, with at least
  ``min_peers`` other units to compare with. ``per: staff_total`` compares values per
  unit of another indicator of the same return (per member of staff), so that a large
  school is not an outlier for being large.

Both need the value to differ from what it is compared with by at least ``min_change``
(in the indicator's unit), so that 1 → 6 is not news; a peer outlier must also be at least
``min_ratio`` times the median (or below the median ÷ ``min_ratio``). ``direction`` is ``up`` (only
values too high), ``down`` or ``both``. An outlier is a warning: the return is accepted.
See docs/outliers.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

DIRECTIONS = ("up", "down", "both")


@dataclass(frozen=True)
class HistoryRule:
    quarters: int = 4
    factor: float = 10.0
    min_change: float = 20.0
    direction: str = "up"


@dataclass(frozen=True)
class PeerRule:
    threshold: float = 3.5
    min_peers: int = 8
    min_change: float = 20.0
    min_ratio: float = 2.0
    direction: str = "up"
    per: str | None = None


@dataclass(frozen=True)
class OutlierRule:
    """An indicator's outlier checks; ``None`` for a check that is turned off."""

    history: HistoryRule | None = HistoryRule()
    peers: PeerRule | None = PeerRule()


# A head-count moves little from one quarter to the next, in either direction: 500 staff
# becoming 5,000 (or 50) is a typing slip far more often than news.
STOCK_DEFAULT = OutlierRule(
    history=HistoryRule(factor=1.5, min_change=10, direction="both"),
    peers=PeerRule(min_change=50),
)

_HISTORY_KEYS = {"quarters": int, "factor": float, "min_change": float, "direction": str}
_PEER_KEYS = {
    "threshold": float,
    "min_peers": int,
    "min_change": float,
    "min_ratio": float,
    "direction": str,
    "per": str,
}


_ABOVE = {"factor": 1, "min_ratio": 1, "threshold": 0}  # what these must be greater than


class RuleReader:
    """Reads ``outliers:`` blocks, reporting each problem through ``bad(where, reason)``."""

    def __init__(self, bad: Callable[[str, str], None]) -> None:
        self.bad = bad

    def defaults(self, raw: Any) -> dict[str, OutlierRule]:
        """The form-level block: the default rules for flows (sum) and head-counts (stock)."""
        base = {"sum": OutlierRule(), "stock": STOCK_DEFAULT}
        if raw is None:
            return base
        if raw is False:
            return {agg: OutlierRule(None, None) for agg in base}
        return {agg: self.rule(raw, "outliers", rule) for agg, rule in base.items()}

    def rule(self, raw: Any, where: str, base: OutlierRule) -> OutlierRule:
        """An ``outliers:`` block over ``base``: each key given replaces the base's."""
        if raw is None:
            return base
        if raw is False:
            return OutlierRule(None, None)
        if not isinstance(raw, dict):
            self.bad(where, "outliers 应为一个映射（history、peers）或 false")
            return base
        unknown = sorted(set(raw) - {"history", "peers"})
        if unknown:
            self.bad(where, f"outliers 中未知的项 {', '.join(unknown)}（可用：history、peers）")
        history = self._part(
            raw.get("history"),
            f"{where} outliers.history",
            base.history,
            HistoryRule,
            _HISTORY_KEYS,
        )
        peers = self._part(
            raw.get("peers"), f"{where} outliers.peers", base.peers, PeerRule, _PEER_KEYS
        )
        return OutlierRule(history, peers)

    def _part(self, raw: Any, where: str, base: Any, cls: type, keys: dict[str, type]) -> Any:
        if raw is None:
            return base
        if raw is False:
            return None
        if not isinstance(raw, dict):
            self.bad(where, "应为一个映射或 false")
            return base
        current = base if base is not None else cls()
        changes: dict[str, Any] = {}
        for key, value in raw.items():
            kind = keys.get(key)
            if kind is None:
                self.bad(where, f"未知的项 {key}（可用：{'、'.join(keys)}）")
                continue
            checked = self._value(value, kind, key, where)
            if checked is not None:
                changes[key] = checked
        return replace(current, **changes)

    def _value(self, value: Any, kind: type, key: str, where: str) -> Any:
        if kind is str:
            if key == "direction" and value not in DIRECTIONS:
                self.bad(where, f"direction “{value}” 应为 up、down 或 both")
                return None
            if not isinstance(value, str) or not value:
                self.bad(where, f"{key} 应为文本")
                return None
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.bad(where, f"{key} 应为数字")
            return None
        if kind is int and (not float(value).is_integer() or value < 1):
            self.bad(where, f"{key} 应为正整数")
            return None
        if value < 0 or (key in _ABOVE and value <= _ABOVE[key]):
            limit = f"大于 {_ABOVE[key]}" if key in _ABOVE else "不小于 0"
            self.bad(where, f"{key} 应{limit}")
            return None
        return kind(value)
