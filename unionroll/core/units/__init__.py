"""The unit hierarchy: importing the unit list, closing and reopening units, and the
queries the rest of unionroll asks of it.

Levels come from the workspace config (any number, highest first). A unit's level must be
strictly lower than its parent's; skipping a level is fine (a county-direct school,
县直学校, sits right under the county). There is exactly one root, at the top level.

The ``unit_closure`` table holds every (ancestor, descendant, depth) pair, each unit being
its own ancestor at depth 0, so "everything under this township" is one indexed query.
It is rebuilt after every import. Every change to a unit is kept in ``unit_events``.

The package: ``importing`` (a unit list applied to the store), ``lifecycle`` (closing and
reopening units), ``queries`` (what the rest of unionroll asks of the hierarchy),
``history`` (the ``unit_events`` record) and ``closure`` (the closure table and bulk row
writing). Reading the list file is in :mod:`unionroll.core.unit_table`, checking it in
:mod:`unionroll.core.unit_check`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unionroll.core.lazy import lazy_names

if TYPE_CHECKING:
    from unionroll.core.unit_check import parse_date
    from unionroll.core.unit_table import read_unit_file
    from unionroll.core.units.closure import closure_of, rebuild_closure
    from unionroll.core.units.history import EVENT_KINDS, unit_history
    from unionroll.core.units.importing import ImportResult, apply_unit_table, import_units
    from unionroll.core.units.lifecycle import close_unit, reopen_unit
    from unionroll.core.units.plain import unit_ids, unit_infos
    from unionroll.core.units.queries import (
        TreeNode,
        ancestors,
        children,
        counts_by_level,
        get_unit,
        natural_key,
        require_unit,
        root,
        subtree_ids,
        tree,
    )

# Each name is imported from its module when first asked for: storing returns needs only
# ``plain`` (SQLAlchemy Core), and is spared the ORM the others work with.
__getattr__ = lazy_names(
    __name__,
    {
        "parse_date": "unionroll.core.unit_check",
        "read_unit_file": "unionroll.core.unit_table",
        "closure_of": "closure",
        "rebuild_closure": "closure",
        "EVENT_KINDS": "history",
        "unit_history": "history",
        "ImportResult": "importing",
        "apply_unit_table": "importing",
        "import_units": "importing",
        "close_unit": "lifecycle",
        "reopen_unit": "lifecycle",
        "unit_ids": "plain",
        "unit_infos": "plain",
        **dict.fromkeys(
            (
                "TreeNode",
                "ancestors",
                "children",
                "counts_by_level",
                "get_unit",
                "natural_key",
                "require_unit",
                "root",
                "subtree_ids",
                "tree",
            ),
            "queries",
        ),
    },
)

__all__ = [
    "EVENT_KINDS",
    "ImportResult",
    "TreeNode",
    "ancestors",
    "apply_unit_table",
    "children",
    "close_unit",
    "closure_of",
    "counts_by_level",
    "get_unit",
    "import_units",
    "natural_key",
    "parse_date",
    "read_unit_file",
    "rebuild_closure",
    "reopen_unit",
    "require_unit",
    "root",
    "subtree_ids",
    "tree",
    "unit_history",
    "unit_ids",
    "unit_infos",
]
