"""What a form is made of: the value types and aggregations it may use, and the frozen
dataclasses of a checked definition (FormDefinition with its sections, indicators,
registers and cross-field rules)."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from unionroll.core.outlier_rules import OutlierRule
from unionroll.core.periods import PeriodType

AGGREGATIONS = ("sum", "stock", "ratio", "count_yes", "choice", "none")
VALUE_TYPES = ("int", "decimal", "money", "bool", "choice", "text", "derived")
NUMERIC_TYPES = ("int", "decimal", "money")
SEVERITIES = ("error", "warning")
RULE_KINDS = ("le", "positive_requires_positive")
COLUMN_TYPES = ("text", "int", "choice", "month", "indicator", "number", "category")

DEFAULT_MAX = 1_000_000_000  # more than 10^9 in any one cell of a school return is a typo


@dataclass(frozen=True)
class Rule:
    """A cross-field check. ``le``: value ≤ other. ``positive_requires_positive``:
    when this indicator is above zero, ``other`` must be above zero too."""

    kind: str
    indicator: str
    other: str
    severity: str = "error"
    message: str | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    unit: str
    type: str
    agg: str
    section: str
    levels: tuple[str, ...]
    required: bool = False
    min: float | None = 0
    max: float | None = DEFAULT_MAX
    options: tuple[str, ...] = ()
    numerator: str | None = None
    denominator: str | None = None
    help: str | None = None
    outliers: OutlierRule | None = None  # None: never checked for outliers

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def is_derived(self) -> bool:
        return self.type == "derived"

    def applies_to(self, level: str) -> bool:
        return level in self.levels

    @property
    def label_with_unit(self) -> str:
        return f"{self.label}（{self.unit}）" if self.unit else self.label


@dataclass(frozen=True)
class Section:
    id: str
    name: str
    title_en: str
    levels: tuple[str, ...]
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class RegisterColumn:
    id: str
    label: str
    type: str = "text"
    required: bool = False
    options: tuple[str, ...] = ()
    max_length: int | None = None
    help: str | None = None


@dataclass(frozen=True)
class Register:
    id: str
    name: str
    title_en: str
    columns: tuple[RegisterColumn, ...]

    def column(self, column_id: str) -> RegisterColumn:
        for col in self.columns:
            if col.id == column_id:
                return col
        raise KeyError(column_id)


@dataclass(frozen=True)
class FormDefinition:
    id: str
    version: int
    title: str
    period_type: PeriodType
    deadline_days: int
    levels: tuple[str, ...]
    sections: tuple[Section, ...]
    registers: tuple[Register, ...]
    rules: tuple[Rule, ...]
    source: str = "<memory>"
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        """The registry key: a form is registered under ``id@version``."""
        return f"{self.id}@{self.version}"

    # Forms are immutable, so these lookups are computed once: validation asks them for
    # every cell of every return.
    @functools.cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(ind for sec in self.sections for ind in sec.indicators)

    @functools.cached_property
    def _by_id(self) -> dict[str, Indicator]:
        return {ind.id: ind for ind in self.indicators}

    def indicator(self, indicator_id: str) -> Indicator:
        return self._by_id[indicator_id]

    def has_indicator(self, indicator_id: str) -> bool:
        return indicator_id in self._by_id

    def section(self, key: str) -> Section:
        """A section by its id or its Chinese name."""
        for sec in self.sections:
            if key in (sec.id, sec.name):
                return sec
        raise KeyError(key)

    def register(self, register_id: str) -> Register:
        for reg in self.registers:
            if reg.id == register_id:
                return reg
        raise KeyError(register_id)

    def indicators_for_level(self, level: str) -> list[Indicator]:
        return [ind for ind in self.indicators if ind.applies_to(level)]

    def input_indicators_for_level(self, level: str) -> list[Indicator]:
        """What a unit of this level fills in: everything that applies but derived figures."""
        return [ind for ind in self.indicators_for_level(level) if not ind.is_derived]

    def category_names(self) -> list[str]:
        return [sec.name for sec in self.sections]

    @functools.cached_property
    def checksum(self) -> str:
        blob = json.dumps(self.raw, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("raw", None)
        data["period_type"] = self.period_type.value
        return data


_T = TypeVar("_T")


def per_form(make: Callable[..., _T]) -> Callable[..., _T]:
    """``make(form, *args)``, remembered for each form object and arguments: for lookup
    tables and plans built from a form and used for every return. Kept by the form's
    identity (a form is immutable, and hashing one would cost more than the table), with
    the form itself, so an id is never mistaken for another form's; at most 64 kept."""
    made: dict[tuple[Any, ...], tuple[FormDefinition, _T]] = {}

    @functools.wraps(make)
    def remembered(form: FormDefinition, *args: Any) -> _T:
        key = (id(form), *args)
        hit = made.get(key)
        if hit is not None and hit[0] is form:
            return hit[1]
        value = make(form, *args)
        if len(made) >= 64:
            made.clear()
        made[key] = (form, value)
        return value

    return remembered
