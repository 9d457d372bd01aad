"""The plain data types of a rollup: what report plugins read.

Nothing here touches a database. A :class:`RollupResult` holds every figure in compact
arrays and builds the per-unit objects (:class:`Figure`, :class:`Completeness`,
:class:`NodeRegisters`, :class:`TargetCheck`) when they are first read, so a province of
20,000 schools costs nothing for the units a report never looks at.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from unionroll.core.errors import UnknownUnitError, UsageError
from unionroll.core.forms import FormDefinition
from unionroll.core.periods import Period

if TYPE_CHECKING:
    from unionroll.core.rollup_compute import Engine

AGG_ZH = {
    "sum": "累计",
    "stock": "期末数",
    "ratio": "比率",
    "count_yes": "是的单位数",
    "choice": "各选项单位数",
    "none": "不汇总",
}

TARGET_STATUS_ZH = {"met": "已完成", "not_met": "未完成", "not_measurable": "无法衡量"}
TARGET_REASON_ZH = {
    "no_indicator": "没有对应指标",
    "unknown_indicator": "对应指标不在报表中",
    "no_target": "没有数值目标",
    "not_numeric": "指标不是数值",
    "no_data": "本期没有数据",
}


@dataclass(frozen=True)
class UnitRef:
    """A unit as a report names it."""

    code: str
    name: str
    level: str

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


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


@dataclass(frozen=True)
class Reporter:
    unit: UnitRef
    quarter: str
    return_id: int


@dataclass(frozen=True)
class RegisterEntry:
    """A row of a register (an award, an event, a highlight, a problem, a priority) with
    the unit that reported it. ``reporters`` lists every unit that reported the same award
    (after de-duplication); for other registers it is the one reporter."""

    register: str
    unit: UnitRef
    quarter: str
    return_id: int
    row_no: int
    category: str | None
    level: str | None
    month: int | None
    raw_data: str = field(repr=False)
    reporters: tuple[Reporter, ...] = ()

    @cached_property
    def data(self) -> dict[str, Any]:
        """The row's cells by column id (decoded on first use)."""
        value = json.loads(self.raw_data) if self.raw_data else {}
        return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class NodeRegisters:
    """The register rows of a unit's whole subtree for the period."""

    entries: Mapping[str, tuple[RegisterEntry, ...]]  # register id -> rows
    by_category: Mapping[str, Mapping[str, int]]  # register id -> section id -> rows
    awards_by_level: Mapping[str, int]  # 国家/省/市/县/乡镇 -> awards (after de-duplication)
    duplicate_awards: int  # award rows folded into another report of the same award

    def __getitem__(self, register: str) -> tuple[RegisterEntry, ...]:
        return self.entries.get(register, ())


@dataclass(frozen=True)
class TargetCheck:
    """A planned target from the previous period compared with this period's actual.

    ``actual`` is the planning unit's rolled-up value (its whole subtree), in the target's
    terms: for a ratio indicator both are percentages (95 means 95%). ``status``: met,
    not_met (``gap`` = target − actual) or not_measurable (``reason`` says why).
    """

    unit: UnitRef
    quarter: str
    return_id: int
    category: str | None
    text: str
    indicator_id: str | None
    target: float | None
    month: int | None
    actual: float | None
    status: str
    reason: str | None = None
    gap: float | None = None

    @property
    def status_zh(self) -> str:
        text = TARGET_STATUS_ZH[self.status]
        if self.reason:
            text += f"（{TARGET_REASON_ZH.get(self.reason, self.reason)}）"
        return text


@dataclass(frozen=True)
class TargetTotal:
    """The targets of all plans under a unit for one indicator, added up, with the unit's
    actual. Ratio targets are not added (a sum of percentages means nothing)."""

    indicator_id: str
    target: float
    plans: int
    actual: float | None
    status: str  # met | not_met | not_measurable

    @property
    def gap(self) -> float | None:
        if self.status != "not_met" or self.actual is None:
            return None
        return self.target - self.actual


@dataclass(eq=False)
class RollupNode:
    """One unit in a rollup, with the figures of its whole subtree."""

    code: str
    name: str
    level: str
    level_name: str
    parent: str | None
    children: list[str]
    depth: int
    active_from: date | None
    active_to: date | None
    _engine: Engine = field(repr=False)
    _pos: int = field(repr=False)

    @property
    def ref(self) -> UnitRef:
        return UnitRef(self.code, self.name, self.level)

    @cached_property
    def figures(self) -> dict[str, Figure]:
        """Every indicator of the form at this unit, by indicator id."""
        return self._engine.figures(self._pos)

    def figure(self, indicator_id: str) -> Figure:
        try:
            return self.figures[indicator_id]
        except KeyError:
            raise UnknownIndicatorError(indicator_id, self._engine.form) from None

    @cached_property
    def completeness(self) -> Completeness:
        return self._engine.completeness(self._pos)

    @cached_property
    def registers(self) -> NodeRegisters:
        return self._engine.registers(self._pos)

    @cached_property
    def targets(self) -> tuple[TargetCheck, ...]:
        """Plans made in the previous period by this unit and the units under it."""
        return self._engine.targets(self._pos)

    @cached_property
    def target_totals(self) -> dict[str, TargetTotal]:
        return self._engine.target_totals(self._pos)


class UnknownIndicatorError(UsageError):
    def __init__(self, indicator_id: str, form: FormDefinition) -> None:
        super().__init__(
            f"报表“{form.title}”没有指标“{indicator_id}”。可用 unionroll form show 查看全部指标。"
        )


@dataclass(frozen=True)
class ReviewMark:
    """Where the review of one unit's return for one quarter stands."""

    state: str  # not_submitted | submitted | approved | locked | returned
    label: str  # in Chinese: 未报, 已报, 学区审核通过, 县级确认, 已退回


@dataclass(eq=False)
class RollupResult:
    """A rolled-up period: every unit of the subtree asked for, with figures,
    completeness, registers and targets. ``nodes`` is in tree order (a unit before its
    children, children in code order)."""

    period: Period
    previous_period: Period
    quarters: tuple[Period, ...]
    form: FormDefinition
    workspace_name: str
    level_names: dict[str, str]
    root: RollupNode
    nodes: dict[str, RollupNode]
    overlaps: list[Overlap]
    stale_stocks: list[StaleStock]
    warnings: list[str]
    created_at: datetime
    _engine: Engine = field(repr=False)
    # Only returns approved in review were counted (``rollup(..., approved_only=True)``).
    approved_only: bool = False
    # Where the review of each unit's return stands: quarter code → unit code → mark, for
    # the units of ``nodes`` that are expected to report.
    review: dict[str, dict[str, ReviewMark]] = field(default_factory=dict)
    # The values of the period far from their unit's past or peers (OutlierRow, see
    # unionroll.core.outlier_data): filled for the reports by run_reports; rollup()
    # leaves it empty.
    outliers: list[Any] = field(default_factory=list)

    def node(self, code: str) -> RollupNode:
        try:
            return self.nodes[code]
        except KeyError:
            raise UnknownUnitError(f"本次汇总中没有代码为“{code}”的单位。") from None

    def figure(self, code: str, indicator_id: str) -> Figure:
        return self.node(code).figure(indicator_id)

    def at_level(self, level: str) -> list[RollupNode]:
        """The units of one level (by level id), in tree order."""
        return [n for n in self.nodes.values() if n.level == level]

    def __iter__(self) -> Iterator[RollupNode]:
        return iter(self.nodes.values())

    @property
    def completeness(self) -> Completeness:
        return self.root.completeness

    @property
    def registers(self) -> NodeRegisters:
        return self.root.registers

    @property
    def targets(self) -> tuple[TargetCheck, ...]:
        return self.root.targets
