"""The previous period's planned targets checked against this period's figures: one plan
(:class:`TargetCheck`) and the plans under a unit added up (:class:`TargetTotal`)."""

from __future__ import annotations

from dataclasses import dataclass

from unionroll.core.rollup_types.units import UnitRef

TARGET_STATUS_ZH = {"met": "已完成", "not_met": "未完成", "not_measurable": "无法衡量"}
TARGET_REASON_ZH = {
    "no_indicator": "没有对应指标",
    "unknown_indicator": "对应指标不在报表中",
    "no_target": "没有数值目标",
    "not_numeric": "指标不是数值",
    "no_data": "本期没有数据",
}


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
