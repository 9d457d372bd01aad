"""The rollup engine: period and level aggregation on arrays.

Everything here works on the compact arrays of :mod:`unionroll.core.rollup_extract`,
with units in tree order (preorder), quarters ("slots") and indicators as array axes:

1. for each quarter and unit, the one active return, and whether a consolidated return
   above the unit stands for it (``top``: the highest consolidating unit above);
2. per unit, the period value of each indicator from its counted returns (``sum`` adds
   quarters, ``stock`` takes the latest, ``count_yes`` any yes, ``choice`` the latest);
3. per unit in the tree, the subtree totals, added level by level from the bottom up.

Per-unit objects (figures, completeness, registers, targets) are built on request from
these arrays; see :class:`unionroll.core.rollup_types.RollupNode`.

The engine is split by what it builds: ``engine`` (the arrays: returns chosen, values,
subtree totals), ``figures`` (a unit's figures and completeness), ``registers`` (its
register entries, awards de-duplicated) and ``targets`` (plans against actuals), the last
three as mixins of :class:`Engine`; ``tree`` has the bottom-up aggregation.
"""

from __future__ import annotations

from unionroll.core.rollup_compute.engine import Engine
from unionroll.core.rollup_compute.tree import NUMERIC_AGGS, Tree, normalize_key

__all__ = ["NUMERIC_AGGS", "Engine", "Tree", "normalize_key"]
