"""The register rows of a rollup (awards, events, highlights, problems, priorities) and who
reported them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from unionroll.core.rollup_types.units import UnitRef


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
