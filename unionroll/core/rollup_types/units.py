"""A unit as a report names it: code, name and level."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UnitRef:
    """A unit as a report names it."""

    code: str
    name: str
    level: str

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
