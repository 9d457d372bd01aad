"""Built-in plugin: registers the standard return, 教育工会工作季度报表."""

from __future__ import annotations

import functools

from unionroll.core.forms import STANDARD_FORM_FILE, FormDefinition, load_form_file
from unionroll.core.hookspecs import hookimpl


@functools.cache
def standard_form() -> FormDefinition:
    return load_form_file(STANDARD_FORM_FILE)


@hookimpl(trylast=True)
def register_forms() -> list[FormDefinition]:
    return [standard_form()]
