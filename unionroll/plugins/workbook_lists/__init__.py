"""The list sheets of the rollup workbook: reporting, awards, events, plans and targets.

The package: ``common`` (section names and order, column labels, cell values), ``status``
(报送情况, 未报及逾期名单), ``registers`` (获奖情况, 主要活动, 工作亮点, 存在问题),
``plans`` (下半年计划, 目标完成情况).
"""

from __future__ import annotations

from unionroll.plugins.workbook_lists.common import has_register, reporters
from unionroll.plugins.workbook_lists.plans import (
    indicator_label,
    target_kind,
    write_plans_sheet,
    write_targets_sheet,
)
from unionroll.plugins.workbook_lists.registers import (
    AWARD_LEVELS,
    write_awards_sheet,
    write_events_sheet,
    write_text_register_sheet,
)
from unionroll.plugins.workbook_lists.status import (
    OwnerNames,
    status_units,
    write_chase_sheet,
    write_status_sheet,
)

__all__ = [
    "AWARD_LEVELS",
    "OwnerNames",
    "has_register",
    "indicator_label",
    "reporters",
    "status_units",
    "target_kind",
    "write_awards_sheet",
    "write_chase_sheet",
    "write_events_sheet",
    "write_plans_sheet",
    "write_status_sheet",
    "write_targets_sheet",
    "write_text_register_sheet",
]
