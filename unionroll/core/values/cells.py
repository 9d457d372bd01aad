"""Reading one cell for an indicator or a register column: the per-form lookups and the
entry points validation calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from unionroll.core.forms import DEFAULT_MAX, per_form
from unionroll.core.values.choices import (
    is_award_level_column,
    parse_award_level,
    parse_bool,
    parse_choice,
)
from unionroll.core.values.months import parse_month
from unionroll.core.values.numbers import NUMBER_KINDS, parse_number
from unionroll.core.values.text import Parsed, ParseError, normalize, parse_text

if TYPE_CHECKING:
    from unionroll.core.forms import FormDefinition, Indicator, RegisterColumn

# --- per-form lookups ------------------------------------------------------------------


class FormLookup:
    """Tables built once per form: categories and indicators by every name people use."""

    def __init__(self, form: FormDefinition) -> None:
        self.form = form
        self.categories: dict[str, str] = {}
        self.category_names = [sec.name for sec in form.sections]
        for sec in form.sections:
            self.categories[normalize(sec.name)] = sec.id
            self.categories[normalize(sec.id).lower()] = sec.id
        self.indicators: dict[str, Indicator] = {}
        for ind in form.indicators:
            self.indicators[ind.id] = ind
            self.indicators[ind.id.lower()] = ind
            self.indicators[normalize(ind.label)] = ind
            self.indicators[normalize(ind.label_with_unit)] = ind

    def category(self, raw: Any) -> Parsed:
        if raw is None:
            return Parsed(None)
        text = normalize(str(raw))
        if not text:
            return Parsed(None)
        found = self.categories.get(text) or self.categories.get(text.lower())
        if found is not None:
            return Parsed(found)
        # a shortened name is fine when only one category starts with it: 女工工作, 师德建设
        if len(text) >= 2:
            fits = {sid for name, sid in self.categories.items() if name.startswith(text)}
            if len(fits) == 1:
                return Parsed(fits.pop())
        listed = "、".join(self.category_names)
        raise ParseError(
            f"不是本报表的工作类别，应为以下之一：{listed}",
            code="unknown_category",
            expected=listed,
        )

    def indicator(self, raw: Any) -> Parsed:
        if raw is None:
            return Parsed(None)
        text = normalize(str(raw))
        if not text:
            return Parsed(None)
        ind = self.indicators.get(text) or self.indicators.get(text.lower())
        if ind is None:
            raise ParseError(
                "不是本报表的指标，请填写指标名称（如“走访慰问困难教职工”）或留空",
                code="unknown_indicator_ref",
                expected="本报表的数值指标名称",
            )
        if not ind.is_numeric:
            raise ParseError(
                f"是“{ind.label}”，不是数值指标，无法设定目标值",
                code="not_numeric_indicator",
                expected="本报表的数值指标名称",
            )
        return Parsed(ind.id)


@per_form
def form_lookup(form: FormDefinition) -> FormLookup:
    """The lookup tables of a form, built on first use and kept."""
    return FormLookup(form)


# --- public entry points ---------------------------------------------------------------


def read_indicator_value(indicator: Indicator, raw: Any) -> Parsed:
    """Parse a cell for an indicator, returning the value and any assumption made.

    Numbers come back as float (ints too), yes/no as 1.0/0.0, choices and text as str,
    blank as None. Derived indicators are never entered: their cells read as None.
    """
    vtype = indicator.type
    if vtype in NUMBER_KINDS:
        return parse_number(
            raw, kind=vtype, unit=indicator.unit, min=indicator.min, max=indicator.max
        )
    if vtype == "bool":
        return parse_bool(raw)
    if vtype == "choice":
        return parse_choice(raw, indicator.options)
    if vtype == "text":
        return parse_text(raw)
    return Parsed(None)


def parse_indicator_value(indicator: Indicator, raw: Any) -> float | str | None:
    """Parse a cell for an indicator; raise :class:`ParseError` with a Chinese reason."""
    return read_indicator_value(indicator, raw).value


def column_reader(column: RegisterColumn, form: FormDefinition) -> Callable[[Any], Parsed]:
    """The parsing function for one register column, bound once and reused for every row."""
    ctype = column.type
    if ctype == "int":
        return _read_register_int
    if ctype == "number":
        return _read_register_number
    if ctype == "month":
        return parse_month
    if ctype == "choice":
        options = column.options
        if is_award_level_column(column):
            return lambda raw: parse_award_level(raw, options)
        return lambda raw: parse_choice(raw, options)
    if ctype == "category":
        return form_lookup(form).category
    if ctype == "indicator":
        return form_lookup(form).indicator
    max_length = column.max_length
    return lambda raw: parse_text(raw, max_length)


def _read_register_int(raw: Any) -> Parsed:
    parsed = parse_number(raw, kind="int", max=DEFAULT_MAX)
    if parsed.value is None:
        return parsed
    return Parsed(int(parsed.value), parsed.note)


def _read_register_number(raw: Any) -> Parsed:
    return parse_number(raw, kind="decimal", max=DEFAULT_MAX)


def read_register_cell(column: RegisterColumn, raw: Any, form: FormDefinition) -> Parsed:
    """Parse a register cell per its column, returning the value and any assumption made.

    text → str; int → int; number → float; month → int 1–12; choice → the option
    (award levels normalised to 国家/省/市/县/乡镇); category → the section id;
    indicator → the id of a numeric indicator.
    """
    return column_reader(column, form)(raw)


def parse_register_cell(column: RegisterColumn, raw: Any, form: FormDefinition) -> Any:
    """Parse a register cell; raise :class:`ParseError` with a Chinese reason."""
    return read_register_cell(column, raw, form).value
