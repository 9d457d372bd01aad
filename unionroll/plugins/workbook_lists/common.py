"""What the list sheets share: section names and order, column labels from the form, and
cell values (who reported an entry, months, numbers)."""

from __future__ import annotations

from typing import Any

from unionroll.core.forms import FormDefinition
from unionroll.core.rollup_types import RegisterEntry


def _section_name(form: FormDefinition, key: str | None) -> str:
    if not key:
        return ""
    try:
        return form.section(key).name
    except KeyError:
        return key


def _section_order(form: FormDefinition, key: str | None) -> int:
    for i, sec in enumerate(form.sections):
        if key in (sec.id, sec.name):
            return i
    return len(form.sections)


def _label(form: FormDefinition, register: str, column: str, default: str) -> str:
    """A register column's label from the form, so a county's own wording is used."""
    try:
        return form.register(register).column(column).label or default
    except KeyError:
        return default


def has_register(form: FormDefinition, register: str) -> bool:
    return any(reg.id == register for reg in form.registers)


def reporters(entry: RegisterEntry) -> str:
    names = [r.unit.name for r in entry.reporters] or [entry.unit.name]
    return "、".join(dict.fromkeys(names))


def _month(value: Any) -> tuple[Any, str]:
    return (value, "month") if isinstance(value, int | float) else (value, "text")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", "")) if value not in (None, "") else None
    except ValueError:
        return None
