"""The plain data types of a rollup: what report plugins read.

Nothing here touches a database. A :class:`RollupResult` holds every figure in compact
arrays and builds the per-unit objects (:class:`Figure`, :class:`Completeness`,
:class:`NodeRegisters`, :class:`TargetCheck`) when they are first read, so a province of
20,000 schools costs nothing for the units a report never looks at.

The package: ``units`` (:class:`UnitRef`), ``figures`` (:class:`Figure` and listed
values), ``completeness`` (who reported, overlaps, superseded stock figures),
``registers`` (register rows), ``targets`` (planned targets checked), ``result``
(:class:`RollupResult`, :class:`RollupNode`, review marks).
"""

from __future__ import annotations

from unionroll.core.rollup_types.completeness import (
    Completeness,
    LateReturn,
    Overlap,
    PartialUnit,
    StaleStock,
)
from unionroll.core.rollup_types.figures import AGG_ZH, Figure, ListedValue
from unionroll.core.rollup_types.registers import NodeRegisters, RegisterEntry, Reporter
from unionroll.core.rollup_types.result import (
    ReviewMark,
    RollupNode,
    RollupResult,
    UnknownIndicatorError,
)
from unionroll.core.rollup_types.targets import (
    TARGET_REASON_ZH,
    TARGET_STATUS_ZH,
    TargetCheck,
    TargetTotal,
)
from unionroll.core.rollup_types.units import UnitRef

__all__ = [
    "AGG_ZH",
    "TARGET_REASON_ZH",
    "TARGET_STATUS_ZH",
    "Completeness",
    "Figure",
    "LateReturn",
    "ListedValue",
    "NodeRegisters",
    "Overlap",
    "PartialUnit",
    "RegisterEntry",
    "Reporter",
    "ReviewMark",
    "RollupNode",
    "RollupResult",
    "StaleStock",
    "TargetCheck",
    "TargetTotal",
    "UnitRef",
    "UnknownIndicatorError",
]
