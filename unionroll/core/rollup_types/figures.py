"""One indicator rolled up at one unit (:class:`Figure`), with the values of indicators
that are listed rather than added up, and the Chinese names of the ways of adding up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from unionroll.core.rollup_types.units import UnitRef

AGG_ZH = {
    "sum": "累计",
    "stock": "期末数",
    "ratio": "比率",
    "count_yes": "是的单位数",
    "choice": "各选项单位数",
    "none": "不汇总",
}


@dataclass(frozen=True)
class ListedValue:
    """A value of a ``none`` indicator: listed with its unit, never added up."""

    unit: UnitRef
    quarter: str
    value: float | str


@dataclass(frozen=True, slots=True)  # slots: a province's rollup can hold a million
class Figure:
    """One indicator rolled up at one unit for the period.

    ``value``: the total for ``sum`` and ``stock``; the number of units answering yes for
    ``count_yes``; numerator / denominator (a fraction, 0.985 for 98.5%) for ``ratio``,
    None when the denominator is zero or missing; None for ``choice`` and ``none``.
    ``reported`` / ``expected``: units that reported this indicator / units whose level it
    applies to (open during the period), both counted over the unit's whole subtree.
    """

    indicator_id: str
    agg: str
    value: float | None
    reported: int
    expected: int
    yes: int | None = None  # count_yes: units answering yes
    answered: int | None = None  # count_yes, choice: units that answered at all
    counts: Mapping[str, int] | None = None  # choice: option -> units
    numerator: float | None = None  # ratio
    denominator: float | None = None  # ratio
    listed: tuple[ListedValue, ...] = ()  # none

    @property
    def share(self) -> float | None:
        """count_yes: yes / answered (None when nobody answered)."""
        if self.yes is None or not self.answered:
            return None
        return self.yes / self.answered

    @property
    def missing(self) -> int:
        return max(self.expected - self.reported, 0)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "value": self.value,
            "reported": self.reported,
            "expected": self.expected,
        }
        if self.agg == "count_yes":
            out.update(yes=self.yes, answered=self.answered, share=self.share)
        elif self.agg == "choice":
            out.update(counts=dict(self.counts or {}), answered=self.answered)
        elif self.agg == "ratio":
            out.update(numerator=self.numerator, denominator=self.denominator)
        elif self.agg == "none":
            out["listed"] = [
                {"unit": v.unit.code, "quarter": v.quarter, "value": v.value} for v in self.listed
            ]
        return out
