"""Test helpers for unionroll plugins: a sample county, workspaces, plugin registration
for one test, report rendering and the command line. Part of the public API
(docs/api.md).

In a plugin's ``tests/conftest.py``::

    pytest_plugins = ["unionroll.testing"]

gives the fixtures ``unionroll_plugins``, ``register_plugin``, ``unionroll_workspace``,
``unionroll_workspace_factory``, ``unionroll_render`` and ``unionroll_cli``. The
functions below work without pytest too.
"""

from __future__ import annotations

import importlib.util

from unionroll.testing.helpers import (
    DATA_DIR,
    SAMPLE_COUNTY,
    SAMPLE_PERIODS,
    SAMPLE_RECEIVED,
    SAMPLE_TODAY,
    RenderedReport,
    SampleDataError,
    check_plugin_manager,
    ingest_files,
    load_sample_returns,
    make_workspace,
    read_output,
    registered_plugin,
    render_report,
    run_cli,
    sample_returns,
    sample_units,
    sample_workbook,
)

FIXTURES = [
    "register_plugin",
    "unionroll_cli",
    "unionroll_plugins",
    "unionroll_render",
    "unionroll_workspace",
    "unionroll_workspace_factory",
]

__all__ = [
    "DATA_DIR",
    "SAMPLE_COUNTY",
    "SAMPLE_PERIODS",
    "SAMPLE_RECEIVED",
    "SAMPLE_TODAY",
    "RenderedReport",
    "SampleDataError",
    "check_plugin_manager",
    "ingest_files",
    "load_sample_returns",
    "make_workspace",
    "read_output",
    "registered_plugin",
    "render_report",
    "run_cli",
    "sample_returns",
    "sample_units",
    "sample_workbook",
]

# The fixtures need pytest; the functions above do not, so scripts can use them without it.
if importlib.util.find_spec("pytest") is not None:
    from unionroll.testing.fixtures import *  # noqa: F403 - the fixtures, for pytest_plugins

    __all__ += FIXTURES
