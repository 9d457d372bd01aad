"""Numbers as fetched in bulk, and what both databases' fetchers share."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

# Below this many values one query on one connection is quicker than two.
_PARALLEL_MIN_VALUES = 200_000


@dataclass
class Numbers:
    """Numeric values as read: return id, indicator position, value. An indicator not in
    the form is coded -2 - j, ``unknown[j]`` being its id."""

    rid: np.ndarray
    ind: np.ndarray
    num: np.ndarray
    unknown: list[str]

    @classmethod
    def empty(cls) -> Numbers:
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), [])

    @classmethod
    def from_codes(
        cls, rid: np.ndarray, codes: list[str], num: np.ndarray, indicators: dict[str, int]
    ) -> Numbers:
        unknown: dict[str, int] = {}
        ind = np.empty(len(codes), dtype=np.int64)
        for i, code in enumerate(codes):
            k = indicators.get(code)
            if k is None:
                k = -2 - unknown.setdefault(code, len(unknown))
            ind[i] = k
        return cls(rid, ind, num, list(unknown))


def _workers() -> int:
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def _columns_of(rows: list[tuple[Any, ...]], n: int) -> tuple[list[Any], ...]:
    if not rows:
        return tuple([] for _ in range(n))
    return tuple(list(col) for col in zip(*rows, strict=True))
