"""Forgiving reading of what people type into a return in Excel or WPS.

Base units type ``６１``, ``61人``, ``2.5万元``, ``1，200``, ``是`` or ``√``; this module
turns that into numbers, flags and option names, and refuses what cannot be read with a
Chinese reason (``ParseError``). Nothing here knows where a value came from: validation
adds the indicator's label and the cell's location to build a finding.

Blank is not zero. An empty cell means *not reported* (``None``); ``0`` is a reported 0.
Two written stand-ins are read as follows, each with a warning (:class:`Note`) so the
county can see what was assumed:

* ``无`` / ``没有`` / ``暂无`` in a number cell → **0**. In Chinese the word says "there
  were none", and that is how a union office reads it on paper ("走访慰问：无").
* ``-``, ``—``, ``/``, ``\\`` and the like → **not reported**. In Chinese statistical
  tables a dash or slash marks a cell as 不适用 / 无此项; it does not say how many, so
  inventing a 0 would put a figure into the rollup that nobody gave. A required
  indicator filled this way is then reported as missing.

These functions run on every cell of thousands of returns: patterns are compiled once,
ASCII text skips Unicode normalisation, and the common case (a plain number) is tried
first.

The package: ``text`` (errors, notes, blanks, text cells), ``numbers``, ``choices``
(yes / no, options, award levels), ``months``, and ``cells`` (a cell for an indicator or
a register column: what validation calls).
"""

from __future__ import annotations

from unionroll.core.values.cells import (
    FormLookup,
    column_reader,
    form_lookup,
    parse_indicator_value,
    parse_register_cell,
    read_indicator_value,
    read_register_cell,
)
from unionroll.core.values.choices import (
    AWARD_LEVEL_ZH,
    AWARD_LEVELS,
    is_award_level_column,
    parse_award_level,
    parse_bool,
    parse_choice,
)
from unionroll.core.values.months import parse_month
from unionroll.core.values.numbers import NOT_REPORTED_MARKS, ZERO_WORDS, parse_number
from unionroll.core.values.text import (
    Note,
    Parsed,
    ParseError,
    format_number,
    is_blank,
    nfkc,
    normalize,
    parse_text,
    show,
)

__all__ = [
    "AWARD_LEVELS",
    "AWARD_LEVEL_ZH",
    "NOT_REPORTED_MARKS",
    "ZERO_WORDS",
    "FormLookup",
    "Note",
    "ParseError",
    "Parsed",
    "column_reader",
    "form_lookup",
    "format_number",
    "is_award_level_column",
    "is_blank",
    "nfkc",
    "normalize",
    "parse_award_level",
    "parse_bool",
    "parse_choice",
    "parse_indicator_value",
    "parse_month",
    "parse_number",
    "parse_register_cell",
    "parse_text",
    "read_indicator_value",
    "read_register_cell",
    "show",
]
