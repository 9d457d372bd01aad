"""A rolled-up period (:class:`RollupResult`) and its units (:class:`RollupNode`), whose
figures, completeness, registers and targets are built from the engine's arrays when
first read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from unionroll.core.errors import UnknownUnitError, UsageError
from unionroll.core.forms import FormDefinition
from unionroll.core.periods import Period
from unionroll.core.rollup_types.completeness import Completeness, Overlap, StaleStock
from unionroll.core.rollup_types.figures import Figure
from unionroll.core.rollup_types.registers import NodeRegisters
from unionroll.core.rollup_types.targets import TargetCheck, TargetTotal
from unionroll.core.rollup_types.units import UnitRef

if TYPE_CHECKING:
    from unionroll.core.rollup_compute import Engine


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
