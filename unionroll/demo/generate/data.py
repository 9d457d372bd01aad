"""The demo county's description (``county.yaml``), the demo's data types (units,
returns, the whole data set) and the year it is for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from unionroll.core.periods import Period

SPEC_FILE = Path(__file__).resolve().parent.parent / "county.yaml"


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    level: str
    parent_code: str | None
    kind: str = ""  # for schools: high, middle, central, primary, kindergarten, special


@dataclass
class DemoReturn:
    unit: DemoUnit
    period: Period
    payload: dict[str, Any]
    received: datetime
    fmt: str  # xlsx | json | csv
    note: str = ""  # why this one is special in the demo (late, rejected, corrected)
    group: str | None = None  # csv returns are written one file per group


@dataclass
class DemoData:
    units: list[DemoUnit]
    returns: list[DemoReturn]
    year: int
    missing: list[tuple[str, str]] = field(default_factory=list)  # (unit code, period)


def demo_year(today: date | None = None) -> int:
    """The latest year whose first half-year has passed its reporting deadline."""
    today = today or date.today()
    return today.year if today >= date(today.year, 7, 20) else today.year - 1
