"""Bottom-up aggregation over the parent links, and the small helpers the engine's views share."""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np

from unionroll.core.rollup_types import (
    UnitRef,
)

NUMERIC_AGGS = ("sum", "stock")


class Tree:
    """Bottom-up aggregation over the parent links, one depth at a time."""

    def __init__(self, parent: np.ndarray, depth: np.ndarray) -> None:
        self.steps: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.down: list[tuple[np.ndarray, np.ndarray]] = []
        max_depth = int(depth.max()) if depth.size else 0
        for d in range(max_depth, 0, -1):
            idx = np.flatnonzero(depth == d)
            par = parent[idx]
            order = np.argsort(par, kind="stable")
            idx, par = idx[order], par[order]
            starts = np.flatnonzero(np.r_[True, par[1:] != par[:-1]])
            self.steps.append((idx, starts, par[starts]))
        for d in range(1, max_depth + 1):
            idx = np.flatnonzero(depth == d)
            self.down.append((idx, parent[idx]))

    def subtree_sum(self, own: np.ndarray) -> np.ndarray:
        total = own.copy()
        for idx, starts, parents in self.steps:
            total[parents] += np.add.reduceat(total[idx], starts, axis=0)
        return total

    def strict_descendant_max(self, values: np.ndarray, empty: int = -1) -> np.ndarray:
        best = np.full_like(values, empty)
        for idx, starts, parents in self.steps:
            candidate = np.maximum(values[idx], best[idx])
            best[parents] = np.maximum(
                best[parents], np.maximum.reduceat(candidate, starts, axis=0)
            )
        return best


def normalize_key(text: Any) -> str:
    """Text compared for de-duplication: NFKC, no whitespace at all, case-folded."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(folded.split())


class _Refs:
    """UnitRef of a position, made when first asked for."""

    def __init__(self, codes: list[str], names: list[str], levels: list[str]) -> None:
        self.codes, self.names, self.levels = codes, names, levels
        self.made: dict[int, UnitRef] = {}

    def __getitem__(self, pos: int) -> UnitRef:
        ref = self.made.get(pos)
        if ref is None:
            ref = self.made[pos] = UnitRef(self.codes[pos], self.names[pos], self.levels[pos])
        return ref
