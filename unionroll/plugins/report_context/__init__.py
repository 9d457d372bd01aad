"""What the wording templates of the county reports are given: the rollup, arranged.

Nothing here decides wording; it sorts and formats the rolled-up figures and register
rows so a template can say "走访慰问困难教职工61人次，发放慰问金2.5万元" in a line. A
county that rewrites the templates gets the same context.

The package: ``views`` (FigureView, AwardView, AwardGroup, EventView, EventGroup,
TextView, SectionView) and ``context`` (figure_view, the section views, summary_context).
"""

from __future__ import annotations

from unionroll.plugins.report_context.context import figure_view, summary_context
from unionroll.plugins.report_context.views import (
    AWARD_LEVEL_ZH,
    AWARD_LEVELS,
    AwardGroup,
    AwardView,
    EventGroup,
    EventView,
    FigureView,
    SectionView,
    TextView,
)
from unionroll.plugins.report_plans import (
    MissedTarget,
    PlanItem,
    PlanSection,
    plan_key,
    plan_sections,
    target_rows,
)

__all__ = [
    "AWARD_LEVELS",
    "AWARD_LEVEL_ZH",
    "AwardGroup",
    "AwardView",
    "EventGroup",
    "EventView",
    "FigureView",
    "MissedTarget",
    "PlanItem",
    "PlanSection",
    "SectionView",
    "TextView",
    "figure_view",
    "plan_key",
    "plan_sections",
    "summary_context",
    "target_rows",
]
