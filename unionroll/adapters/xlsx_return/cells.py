"""Cell values as calamine gives them, made comparable: codes, labels, blanks, periods."""

from __future__ import annotations

import unicodedata
from typing import Any

from unionroll.core.errors import PeriodError
from unionroll.core.forms import FormDefinition, per_form
from unionroll.core.periods import Period

Cell = Any  # what calamine gives: str, float, int, bool, date, datetime, time, timedelta


def _norm_text(value: Any) -> str:
    """Text for comparing labels: full-width forms folded, all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def _key(value: Cell) -> str:
    """A code or id as text: numbers that Excel turned into floats become integers again."""
    if type(value) is str:  # most cells: asked first
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    return str(value)


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(rows: list[list[Cell]], r: int, c: int) -> Cell:
    if r < len(rows) and c < len(rows[r]):
        return rows[r][c]
    return None


def _raw(value: Cell) -> Any:
    """A cell as read, blank text as None. Dates stay dates: validation refuses them where
    numbers belong, with the date in its message."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


@per_form
def _indicator_lookup(form: FormDefinition) -> dict[str, str]:
    """Normalised label or id → id, for the 对应指标 column (which shows labels)."""
    lookup: dict[str, str] = {}
    for ind in form.indicators:
        lookup.setdefault(_norm_text(ind.label), ind.id)
    for ind in form.indicators:
        lookup[_norm_text(ind.id)] = ind.id
    return lookup


def _same_period(shown: str, recorded: str) -> bool:
    if _norm_text(shown) == _norm_text(recorded):
        return True
    try:
        return Period.parse(shown) == Period.parse(recorded)
    except PeriodError:
        return False
