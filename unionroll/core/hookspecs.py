"""The plugin contract: the one place unionroll's hooks are declared.

Every hook is called with keyword arguments. Arguments are only ever added to a spec,
never renamed or removed, so a plugin written against an older spec keeps working.
The reference page docs/plugin-hooks.md is checked against these docstrings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    import jinja2

PROJECT_NAME = "unionroll"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_forms() -> list[Any]:
    """Contribute form definitions.

    Fires each time unionroll collects registrations (a command that reads files, writes
    reports or shows the form does so once or more). Return the same objects every time:
    build them once (module level or functools.cache) if that is costly.

    Return a list of :class:`unionroll.core.forms.FormDefinition` objects (load one from
    a YAML file with :func:`unionroll.core.forms.load_form_file`). A form is identified by
    its ``id`` and ``version``; two plugins registering the same pair is a start-up error.
    """


@hookspec
def register_adapters() -> list[Any]:
    """Contribute input adapters: readers that turn a file into return data.

    Fires each time unionroll collects registrations (a command that reads files, writes
    reports or shows the form does so once or more). Return the same objects every time:
    build them once (module level or functools.cache) if that is costly.

    Return a list of :class:`unionroll.core.contracts.Adapter` instances. Each has a unique
    ``name``; two plugins registering the same name is a start-up error naming both.
    """


@hookspec
def register_reports() -> list[Any]:
    """Contribute report generators.

    Fires each time unionroll collects registrations (a command that reads files, writes
    reports or shows the form does so once or more). Return the same objects every time:
    build them once (module level or functools.cache) if that is costly.

    Return a list of :class:`unionroll.core.contracts.Report` instances, each with a
    unique ``name`` and the ``formats`` it can write.
    """


@hookspec
def register_validators() -> list[Any]:
    """Contribute extra validation rules, run on every return after the form's own rules.

    Fires each time unionroll collects registrations (a command that reads files, writes
    reports or shows the form does so once or more). Return the same objects every time:
    build them once (module level or functools.cache) if that is costly.

    Return a list of :class:`unionroll.core.contracts.Validator` instances, each with a
    unique ``name``.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``unionroll`` command line.

    Fires once, when the command line is built, before arguments are parsed.

    ``cli``: the top-level :class:`click.Group`; call ``cli.command()`` or
    ``cli.add_command()`` on it. Return nothing.
    """


@hookspec
def prepare_jinja2_environment(env: jinja2.Environment) -> None:
    """Adjust the Jinja2 environment that renders report templates.

    Fires each time a report environment is created, before any template is loaded.

    ``env``: the :class:`jinja2.Environment`; add filters, globals or tests to it.
    Return nothing.
    """


@hookspec
def extra_report_context(report_name: str, context: dict[str, Any]) -> dict[str, Any] | None:
    """Add variables to the context a report template is rendered with.

    Fires once per report rendering, after the built-in context is assembled.

    ``report_name``: the name of the report being rendered. ``context``: the context so
    far (read it, do not change it). Return a dict of extra variables, or None.
    """


@hookspec
def after_ingest(workspace: Any, result: Any) -> None:
    """Act on a finished ingest run (send a notice, copy files elsewhere).

    Fires once per ``ingest`` run, after every file has been stored or rejected.

    ``workspace``: the :class:`unionroll.core.workspace.Workspace`. ``result``: the
    run's result object, listing each file's outcome. Return nothing.
    """


@hookspec
def after_rollup(workspace: Any, rollup: Any) -> None:
    """Act on a finished rollup (push figures to another system).

    Fires once per rollup computed for a command, after the figures are complete.

    ``workspace``: the workspace. ``rollup``: the rollup result. Return nothing.
    """
