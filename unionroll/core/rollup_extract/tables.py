"""What a rollup reads out of the store: the unit tree, the returns, the values, the text
values and the register rows, as compact arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from unionroll.core.forms import FormDefinition
from unionroll.core.periods import Period


@dataclass
class Hierarchy:
    """The units read for a rollup, in tree order (preorder, children by code)."""

    ids: np.ndarray  # database ids
    codes: list[str]
    names: list[str]
    levels: list[str]
    parent: np.ndarray  # position of the parent, -1 for the top unit read
    end: np.ndarray  # a unit's subtree is positions [i, end[i])
    depth: np.ndarray  # below the top unit read
    active_from: list[date | None]
    active_to: list[date | None]
    parent_code_of_top: str | None
    position: dict[int, int] = field(default_factory=dict)  # database id -> position

    @property
    def n(self) -> int:
        return len(self.codes)


@dataclass
class ReturnsTable:
    """Returns of the period (and of the previous one) of the units read."""

    id: np.ndarray
    unit: np.ndarray  # position in the hierarchy
    slot: np.ndarray  # index into Extract.slots
    active: np.ndarray  # accepted or accepted with warnings
    consolidated: np.ndarray
    submitted_at: list[datetime]
    source_name: list[str]

    @property
    def n(self) -> int:
        return len(self.id)


@dataclass
class ValuesTable:
    ret: np.ndarray  # position in ReturnsTable
    ind: np.ndarray  # position in the form's indicator list
    num: np.ndarray


@dataclass
class TextValues:
    ret: np.ndarray
    ind: np.ndarray
    text: list[str | None]
    num: list[float | None]


@dataclass
class RegisterRows:
    ret: np.ndarray
    register: list[str]
    row_no: list[int]
    category: list[str | None]
    level: list[str | None]
    month: list[int | None]
    raw: list[str]


@dataclass
class Extract:
    form: FormDefinition
    period: Period
    previous: Period
    slots: list[Period]  # the period's quarters, then the previous period's
    n_current: int  # how many of ``slots`` belong to the period itself
    root: int  # position of the unit asked for
    hierarchy: Hierarchy
    returns: ReturnsTable
    values: ValuesTable
    texts: TextValues
    registers: RegisterRows
    warnings: list[str]


class _IdIndex:
    """Maps database return ids to positions in the returns table (-1 when not there)."""

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids  # sorted: the returns are read in id order

    def __call__(self, wanted: np.ndarray) -> np.ndarray:
        if self.ids.size == 0:
            return np.full(wanted.shape, -1, dtype=np.int64)
        at = np.searchsorted(self.ids, wanted)
        at = np.minimum(at, self.ids.size - 1)
        return np.where(self.ids[at] == wanted, at, -1)
