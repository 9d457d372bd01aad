"""Which form a file is checked against: the one it names if registered, else the workspace's."""

from __future__ import annotations

from unionroll.core.contracts import ReadContext
from unionroll.core.forms import FormDefinition


def resolve_form(context: ReadContext, form_id: str | None, version: int | None) -> FormDefinition:
    """The form a file names, when it is registered; the workspace's form otherwise.

    A file naming an unknown form is rejected by validation; meanwhile its keys are checked
    against the workspace's form.
    """
    form = context.form
    if form_id is None and version is None:
        return form
    wanted_id = form_id or form.id
    if version is None:
        return form if wanted_id == form.id else _latest(context, wanted_id) or form
    named = context.forms.get(f"{wanted_id}@{version}")
    if named is not None:
        return named
    return form


def _latest(context: ReadContext, form_id: str) -> FormDefinition | None:
    matches = [f for f in context.forms.values() if f.id == form_id]
    return max(matches, key=lambda f: f.version) if matches else None
