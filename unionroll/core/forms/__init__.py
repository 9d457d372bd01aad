"""Form definitions: sections, indicators, registers and rules, loaded from data files.

A form is data, not code: the built-in standard return lives in
``unionroll/forms/edu-union-quarterly.yaml`` and a county can point its config at a file
of its own. :func:`load_form_file` reads one and checks it, listing every problem.

The package: ``definition`` (the dataclasses and the vocabulary a form may use),
``checker`` (plain data checked and turned into a definition) and ``loading``
(:func:`load_form_file`, :func:`parse_form`, the standard form's file).
"""

from __future__ import annotations

from unionroll.core.forms.definition import (
    AGGREGATIONS,
    COLUMN_TYPES,
    DEFAULT_MAX,
    NUMERIC_TYPES,
    RULE_KINDS,
    SEVERITIES,
    VALUE_TYPES,
    FormDefinition,
    Indicator,
    Register,
    RegisterColumn,
    Rule,
    Section,
    per_form,
)
from unionroll.core.forms.loading import (
    BUILTIN_FORMS_DIR,
    STANDARD_FORM_FILE,
    load_form_file,
    parse_form,
)

__all__ = [
    "AGGREGATIONS",
    "BUILTIN_FORMS_DIR",
    "COLUMN_TYPES",
    "DEFAULT_MAX",
    "NUMERIC_TYPES",
    "RULE_KINDS",
    "SEVERITIES",
    "STANDARD_FORM_FILE",
    "VALUE_TYPES",
    "FormDefinition",
    "Indicator",
    "Register",
    "RegisterColumn",
    "Rule",
    "Section",
    "load_form_file",
    "parse_form",
    "per_form",
]
