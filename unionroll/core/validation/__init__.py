"""The validation engine: ReturnData in, CheckedReturn with located Chinese findings out.

:func:`validate` is pure: it is given the form(s), the unit roll and today's date, and it
touches no database and no file. It checks, in order: the form and its version, the unit,
the period, every value, the form's cross-field rules, the register rows, emptiness, and
then the extra validators that plugins register. Every problem becomes a
:class:`~unionroll.core.model.Finding` with a stable ``code``, a message naming the
indicator's Chinese label, what was found and what was expected, and the cell it came from.

The checks live beside this module, each group a mixin of :class:`run.Run`: ``identity``
(form, unit, period), ``figures`` (values and cross-field rules) and ``registers``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from unionroll.core.contracts import Validator
from unionroll.core.forms import FormDefinition
from unionroll.core.model import CheckedReturn, ReturnData, UnitInfo
from unionroll.core.validation.run import Run

# Used when the caller does not pass the workspace's own level names.
DEFAULT_LEVEL_NAMES = {"county": "县", "township": "学区/乡镇", "school": "学校"}


def validate(
    data: ReturnData,
    *,
    form: FormDefinition,
    forms: Mapping[str, FormDefinition],
    units: Mapping[str, UnitInfo],
    today: date,
    validators: Sequence[Validator] = (),
    level_names: Mapping[str, str] | None = None,
) -> CheckedReturn:
    """Check one return against the workspace's form and unit roll.

    ``form``: the workspace's form; ``forms``: every registered form by ``id@version``, so
    a return made from an older template is read with its own version. ``units``: unit
    code → :class:`UnitInfo`. ``level_names``: level id → Chinese name for messages.
    ``validators`` run last; one that raises becomes a warning, never a crash.

    ``CheckedReturn.unit_code`` is the code as written (normalised), even when unknown;
    ``period`` is the canonical code (``2025Q1``), or None when it could not be read.
    """
    return Run(data, form, forms, units, today, level_names or DEFAULT_LEVEL_NAMES).run(validators)


__all__ = ["DEFAULT_LEVEL_NAMES", "validate"]
