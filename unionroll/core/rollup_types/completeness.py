"""Who reported and what was left out: :class:`Completeness` of a unit's subtree (with the
late and partial reporters), returns covered by a consolidated return (:class:`Overlap`)
and stock figures superseded by newer ones (:class:`StaleStock`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from unionroll.core.rollup_types.units import UnitRef


@dataclass(frozen=True)
class LateReturn:
    """A unit's first accepted return for a quarter that arrived after the deadline."""

    unit: UnitRef
    quarter: str
    submitted_at: datetime
    deadline: date
    days_late: int


@dataclass(frozen=True)
class PartialUnit:
    """A unit that reported for some quarters of the period but not for all."""

    unit: UnitRef
    missing_quarters: tuple[str, ...]


@dataclass(frozen=True)
class Completeness:
    """Who was expected to report under a unit for the period, and who did.

    ``expected``: units of the form's levels in the subtree that were open during the
    period. ``reported``: of those, the units with an accepted return (or a consolidated
    return above them) for every quarter in which they were open. ``partial``: units that
    reported some quarters only; ``missing``: units that reported none. ``late``: first
    returns received after a quarter's deadline. ``covered``: units accounted for by a
    consolidated return in at least one quarter. ``unexpected``: units that sent returns
    although they were not expected (closed, or at a level the form does not ask).
    """

    level_name: str
    expected: int
    reported: int
    partial: tuple[PartialUnit, ...]
    missing: tuple[UnitRef, ...]
    late: tuple[LateReturn, ...]
    covered: int
    unexpected: tuple[UnitRef, ...] = ()

    @property
    def rate(self) -> float | None:
        return self.reported / self.expected if self.expected else None

    @property
    def summary_zh(self) -> str:
        """全县应报 152 个单位，实报 149 个（部分报送 1 个），未报 2 个，逾期 3 份。"""
        text = f"全{self.level_name}应报 {self.expected} 个单位，实报 {self.reported} 个"
        if self.partial:
            text += f"（另有 {len(self.partial)} 个只报送了部分季度）"
        text += f"，未报 {len(self.missing)} 个"
        if self.late:
            text += f"，逾期报送 {len(self.late)} 份"
        if self.covered:
            text += f"，{self.covered} 个单位由上级合并报送"
        return text + "。"

    def to_dict(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "reported": self.reported,
            "partial": [
                {
                    "code": p.unit.code,
                    "name": p.unit.name,
                    "missing_quarters": list(p.missing_quarters),
                }
                for p in self.partial
            ],
            "missing": [{"code": u.code, "name": u.name} for u in self.missing],
            "late": [
                {
                    "code": x.unit.code,
                    "name": x.unit.name,
                    "quarter": x.quarter,
                    "submitted_at": x.submitted_at.isoformat(sep=" "),
                    "deadline": x.deadline.isoformat(),
                    "days_late": x.days_late,
                }
                for x in self.late
            ],
            "covered": self.covered,
            "unexpected": [{"code": u.code, "name": u.name} for u in self.unexpected],
        }


@dataclass(frozen=True)
class Overlap:
    """A return left out because a consolidated return above it stands for its quarter."""

    consolidating: UnitRef
    excluded: UnitRef
    quarter: str
    excluded_return_id: int
    consolidated_return_id: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "consolidating": self.consolidating.code,
            "consolidating_name": self.consolidating.name,
            "excluded": self.excluded.code,
            "excluded_name": self.excluded.name,
            "quarter": self.quarter,
            "excluded_return_id": self.excluded_return_id,
            "consolidated_return_id": self.consolidated_return_id,
        }


@dataclass(frozen=True)
class StaleStock:
    """A stock figure of a consolidated return that units below it reported afresh in a
    later quarter of the period: counting both would count the same people twice, so the
    older consolidated figure is left out."""

    unit: UnitRef
    indicator_id: str
    quarter: str
    value: float
    newer_quarter: str
