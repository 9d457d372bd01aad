"""The package as installed: unionroll finds it through its entry point."""

from __future__ import annotations

import json
from importlib.metadata import entry_points

import pytest

from unionroll.core import plugins


def test_the_entry_point_is_installed() -> None:
    found = [ep for ep in entry_points(group="unionroll") if ep.name == "unionroll-legacy-county"]
    if not found:
        pytest.fail("unionroll-legacy-county is not installed: run `pip install -e .` first")
    assert found[0].value == "unionroll_legacy_county"


def test_unionroll_loads_it_when_allowed(monkeypatch, unionroll_cli) -> None:
    monkeypatch.setenv(plugins.LOAD_PLUGINS_ENV, "unionroll-legacy-county")
    plugins.reset_plugin_manager()
    result = unionroll_cli("plugins", workspace=False)
    assert result.exit_code == 0, result.output
    [info] = json.loads(result.output)
    assert info["name"] == "unionroll-legacy-county"
    assert info["hooks"] == ["register_adapters", "register_reports"]
    pm = plugins.get_plugin_manager()
    assert "legacy-summary" in plugins.registered_adapters(pm)
    assert "township-ranking" in plugins.registered_reports(pm)
