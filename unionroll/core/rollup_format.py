"""Rolled-up figures as text for people: 1,234、98.5%、“—” for no data."""

from __future__ import annotations

from unionroll.core.forms import Indicator
from unionroll.core.rollup_types import Figure

NO_DATA = "—"


def format_number(value: float | None, *, decimals: int | None = None) -> str:
    """1234 → "1,234"; 2500.5 → "2,500.50"; None → "—"."""
    if value is None:
        return NO_DATA
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    return f"{value:,.{decimals}f}"


def format_share(share: float | None) -> str:
    return NO_DATA if share is None else f"{share * 100:.1f}%"


def format_figure(indicator: Indicator, figure: Figure, *, with_unit: bool = False) -> str:
    """The figure's value as a cell of a table."""
    if figure.agg == "ratio":
        return format_share(figure.value)
    if figure.agg == "count_yes":
        if not figure.answered:
            return NO_DATA
        return f"{figure.yes}/{figure.answered}（{format_share(figure.share)}）"
    if figure.agg == "choice":
        if not figure.answered:
            return NO_DATA
        return "，".join(f"{opt} {n}" for opt, n in (figure.counts or {}).items() if n)
    if figure.agg == "none":
        if not figure.listed:
            return NO_DATA
        return f"{len(figure.listed)} 条"
    text = format_number(figure.value, decimals=2 if indicator.type == "money" else None)
    if with_unit and figure.value is not None and indicator.unit:
        text += f" {indicator.unit}"
    return text


def plain_value(figure: Figure) -> float | str | None:
    """The figure as one spreadsheet cell: a number where there is one (ratios in percent),
    the options with their counts for a choice, the listed values joined for ``none``."""
    if figure.agg == "ratio":
        return None if figure.value is None else round(figure.value * 100, 4)
    if figure.agg == "count_yes":
        return figure.yes if figure.answered else None
    if figure.agg == "choice":
        if not figure.answered:
            return None
        counts = {o: n for o, n in (figure.counts or {}).items() if n}
        if figure.answered == 1:
            return next(iter(counts))
        return "；".join(f"{o}:{n}" for o, n in counts.items())
    if figure.agg == "none":
        return "；".join(str(v.value) for v in figure.listed) or None
    return figure.value
