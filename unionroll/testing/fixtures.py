"""pytest fixtures for plugin tests. Enable them in a ``conftest.py``::

pytest_plugins = ["unionroll.testing"]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pluggy
import pytest
from click.testing import Result

from unionroll.core import plugins as plugins_mod
from unionroll.core.workspace import DB_ENV, WORKSPACE_ENV, Workspace
from unionroll.testing.helpers import (
    RenderedReport,
    check_plugin_manager,
    make_workspace,
    render_report,
    run_cli,
)

__all__ = [
    "register_plugin",
    "unionroll_cli",
    "unionroll_plugins",
    "unionroll_render",
    "unionroll_workspace",
    "unionroll_workspace_factory",
]


@pytest.fixture
def unionroll_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[pluggy.PluginManager]:
    """The process-wide plugin manager, new for this test, with the built-in plugins only.

    Installed plugins (entry points) are not loaded, so a test sees exactly the plugins it
    registers, whatever else is installed. ``UNIONROLL_WORKSPACE`` and ``UNIONROLL_DB`` are
    cleared for the test.
    """
    monkeypatch.setenv(plugins_mod.LOAD_PLUGINS_ENV, "")
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    monkeypatch.delenv(DB_ENV, raising=False)
    plugins_mod.reset_plugin_manager()
    try:
        yield plugins_mod.get_plugin_manager()
    finally:
        plugins_mod.reset_plugin_manager()


@pytest.fixture
def register_plugin(
    unionroll_plugins: pluggy.PluginManager,
) -> Iterator[Callable[..., str]]:
    """``register_plugin(plugin, name=None)``: register a plugin (a module, or a class or
    object with ``@hookimpl`` methods) for this test only. Returns the name it got.

    A hook name that unionroll does not know fails here, naming the plugin.
    """
    names: list[str] = []

    def register(plugin: object, name: str | None = None) -> str:
        registered = unionroll_plugins.register(plugin, name=name)
        if registered is None:
            raise AssertionError(f"plugin {name or plugin!r} is blocked and was not registered")
        names.append(registered)
        check_plugin_manager(unionroll_plugins)
        return registered

    yield register
    for name in reversed(names):
        if unionroll_plugins.get_plugin(name) is not None:
            unionroll_plugins.unregister(name=name)


@pytest.fixture
def unionroll_workspace_factory(
    tmp_path: Path, unionroll_plugins: pluggy.PluginManager
) -> Iterator[Callable[..., Workspace]]:
    """``factory(name="workspace", *, units=True, returns=True, config="")``: a new
    SQLite workspace under ``tmp_path`` with the sample county (see
    :func:`unionroll.testing.make_workspace`). Closed after the test."""
    made: list[Workspace] = []

    def factory(name: str = "workspace", **kwargs: Any) -> Workspace:
        ws = make_workspace(tmp_path / name, **kwargs)
        made.append(ws)
        return ws

    yield factory
    for ws in made:
        ws.close()


@pytest.fixture
def unionroll_workspace(unionroll_workspace_factory: Callable[..., Workspace]) -> Workspace:
    """A workspace with the sample county's units and its 2025Q1 and 2025Q2 returns."""
    return unionroll_workspace_factory()


@pytest.fixture
def unionroll_render(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Callable[..., RenderedReport]:
    """``render(kind, period="2025H1", *, workspace=None, formats=(), settings=None)``:
    render one report into a temporary folder; read its files back with
    ``.read("md")``, ``.read("xlsx")``. The workspace defaults to
    :func:`unionroll_workspace`."""

    def render(
        kind: str, period: str = "2025H1", *, workspace: Workspace | None = None, **kwargs: Any
    ) -> RenderedReport:
        ws = workspace or request.getfixturevalue("unionroll_workspace")
        kwargs.setdefault("out_dir", tmp_path / "reports" / kind)
        return render_report(ws, kind, period, **kwargs)

    return render


@pytest.fixture
def unionroll_cli(
    request: pytest.FixtureRequest, unionroll_plugins: pluggy.PluginManager
) -> Callable[..., Result]:
    """``cli(*args, workspace=None, input=None)``: run ``unionroll ARGS`` in-process
    against a workspace (default :func:`unionroll_workspace`); returns the click Result.
    Pass ``workspace=False`` to run without one (``unionroll plugins``)."""

    def invoke(
        *args: str, workspace: Workspace | bool | None = None, input: str | None = None
    ) -> Result:
        if workspace is None:
            workspace = request.getfixturevalue("unionroll_workspace")
        return run_cli(*args, workspace=workspace or None, input=input)

    return invoke
