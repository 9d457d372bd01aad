"""The plugin documentation cannot drift from the code, and no hook goes untested.

- docs/plugin-hooks.md has one section per hookspec, with the spec's exact signature,
  every parameter described, and an example that is registered as a plugin and driven
  through unionroll;
- every hookspec has a test marked ``@exercises_hook(NAME)`` (tests/hook_spy.py), which
  itself fails when the hook was not reached;
- docs/api.md names the API version and everything ``unionroll.testing`` exports.
"""

from __future__ import annotations

import ast
import inspect
import re
import types
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hook_spy import CALLS, exercises_hook

import unionroll
from unionroll import testing
from unionroll.core import hookspecs
from unionroll.core.contracts import Adapter, Report, Validator
from unionroll.core.forms import FormDefinition
from unionroll.core.hookcalls import report_context
from unionroll.core.plugins import (
    registered_adapters,
    registered_forms,
    registered_reports,
    registered_validators,
)
from unionroll.core.rollup import rollup
from unionroll.core.workspace import Workspace
from unionroll.plugins.templating import make_environment

ROOT = Path(__file__).resolve().parent.parent
HOOK_DOC = ROOT / "docs" / "plugin-hooks.md"
API_DOC = ROOT / "docs" / "api.md"
TESTS = Path(__file__).resolve().parent

HOOKS = sorted(
    name
    for name, value in vars(hookspecs).items()
    if callable(value) and hasattr(value, f"{hookspecs.PROJECT_NAME}_spec")
)


def spec_signature(name: str) -> str:
    """``def after_ingest(workspace: Any, result: Any) -> None:`` from the hookspec
    (annotations are the source text, as ``from __future__ import annotations`` keeps
    them)."""
    sig = inspect.signature(getattr(hookspecs, name))
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"def {name}({params}) -> {sig.return_annotation}:"


def hook_sections() -> dict[str, str]:
    """Hook name → its section's text, for every ``## `name` `` heading."""
    text = HOOK_DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    sections = {}
    for part in parts:
        heading, _, body = part.partition("\n")
        if m := re.fullmatch(r"`(\w+)`", heading.strip()):
            assert m.group(1) not in sections, f"two sections for {m.group(1)}"
            sections[m.group(1)] = body
    return sections


def python_blocks(section: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)


def example_of(section: str) -> str:
    _, marker, after = section.partition("**Example**")
    assert marker, "no **Example** in the section"
    blocks = python_blocks(after)
    assert blocks, "no python block after **Example**"
    return blocks[0]


def test_the_hookspecs_are_found() -> None:
    assert "register_reports" in HOOKS and "after_rollup" in HOOKS
    assert len(HOOKS) == 9


def test_every_hook_has_a_section_and_no_section_names_a_missing_hook() -> None:
    assert sorted(hook_sections()) == HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_the_documented_signature_is_the_spec(hook: str) -> None:
    section = hook_sections()[hook]
    first = python_blocks(section)[0].strip()
    assert first == spec_signature(hook)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_parameter_is_described_and_the_section_is_complete(hook: str) -> None:
    section = hook_sections()[hook]
    for param in inspect.signature(getattr(hookspecs, hook)).parameters:
        assert re.search(rf"^- `{param}`:", section, flags=re.MULTILINE), param
    for part in ("**When it fires:**", "**Parameters:**", "**Return:**"):
        assert part in section


def _load_example(hook: str, tmp_path: Path) -> types.ModuleType:
    code = example_of(hook_sections()[hook])
    module = types.ModuleType(f"hook_doc_example_{hook}")
    module.__file__ = str(tmp_path / f"{hook}_example.py")
    exec(compile(code, f"docs/plugin-hooks.md ({hook} example)", "exec"), module.__dict__)
    return module


def _workspace(tmp_path: Path, **kwargs: Any) -> Workspace:
    return testing.make_workspace(tmp_path / "ws", **kwargs)


@pytest.mark.parametrize("hook", HOOKS)
def test_the_example_runs_through_unionroll(hook: str, tmp_path: Path) -> None:
    """Each example is registered like an installed plugin and driven by the part of
    unionroll that calls its hook."""
    module = _load_example(hook, tmp_path)
    help_before = testing.run_cli("--help").output
    with testing.registered_plugin(module, name=f"doc-{hook}") as pm:
        assert [h.name for h in pm.get_hookcallers(module)] == [hook]
        _drive(hook, pm, tmp_path, help_before)


def _drive(hook: str, pm: Any, tmp_path: Path, help_before: str) -> None:
    if hook == "register_forms":
        new = [f for f in registered_forms(pm).values() if f.id != "edu-union-quarterly"]
        assert new and all(isinstance(f, FormDefinition) for f in new)
    elif hook == "register_adapters":
        assert any(
            isinstance(a, Adapter)
            for n, a in registered_adapters(pm).items()
            if n not in ("json-return", "csv-long", "xlsx-return")
        )
    elif hook == "register_validators":
        [validator] = registered_validators(pm).values()
        assert isinstance(validator, Validator)
        ws = _workspace(tmp_path, returns=False)
        try:
            result = testing.ingest_files(
                ws,
                *testing.sample_returns("2025Q1"),
                received_at=datetime(2025, 4, 8),
                today=date(2025, 5, 1),
            )
            codes = {f.code for file in result.files for r in file.returns for f in r.findings}
            assert "validator_failed" not in codes
        finally:
            ws.close()
    elif hook == "register_reports":
        new = [
            n
            for n in registered_reports(pm)
            if n not in ("county-summary", "priorities", "workbook")
        ]
        assert new
        ws = _workspace(tmp_path)
        try:
            for name in new:
                assert isinstance(registered_reports(pm)[name], Report)
                rendered = testing.render_report(ws, name, "2025H1")
                assert rendered.files
        finally:
            ws.close()
    elif hook == "register_commands":
        result = testing.run_cli("--help")
        assert result.exit_code == 0
        assert set(result.output.splitlines()) - set(help_before.splitlines())
    elif hook == "prepare_jinja2_environment":
        plain, prepared = make_environment(None), make_environment(pm)
        added = (set(prepared.filters) - set(plain.filters)) | (
            set(prepared.globals) - set(plain.globals)
        )
        assert added
    elif hook == "extra_report_context":
        extra = report_context(pm, "county-summary", {"org": "清河县教育工会"})
        assert extra and isinstance(extra, dict)
    elif hook == "after_ingest":
        ws = _workspace(tmp_path, returns=False)
        try:
            result = testing.ingest_files(
                ws,
                *testing.sample_returns("2025Q1"),
                received_at=datetime(2025, 4, 8),
                today=date(2025, 5, 1),
            )
            assert result.files and result.plugin_errors == []
        finally:
            ws.close()
    elif hook == "after_rollup":
        ws = _workspace(tmp_path)
        try:
            rollup(ws, "2025H1")
        finally:
            ws.close()
    else:
        raise AssertionError(f"no driver for {hook}: add one when adding a hook")


# --- every hook has a test -----------------------------------------------------------------


def exercised_hooks() -> dict[str, list[str]]:
    """Hook name → ``file::test`` marked ``@exercises_hook(hook)``, from the test sources."""
    found: dict[str, list[str]] = {}
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test"):
                continue
            for deco in node.decorator_list:
                if (
                    isinstance(deco, ast.Call)
                    and getattr(deco.func, "id", getattr(deco.func, "attr", None))
                    == "exercises_hook"
                    and deco.args
                    and isinstance(deco.args[0], ast.Constant)
                ):
                    found.setdefault(deco.args[0].value, []).append(f"{path.name}::{node.name}")
    return found


def test_every_hook_has_a_test_that_exercises_it() -> None:
    found = exercised_hooks()
    missing = [hook for hook in HOOKS if hook not in found]
    assert not missing, f"hooks without a test marked @exercises_hook: {missing}"
    unknown = sorted(set(found) - set(HOOKS))
    assert not unknown, f"@exercises_hook names hooks that do not exist: {unknown}"


def test_the_mark_fails_a_test_that_never_reaches_its_hook() -> None:
    @exercises_hook("after_rollup")
    def test_claims_but_does_nothing() -> None:
        pass

    before = CALLS["after_rollup"]
    with pytest.raises(AssertionError, match="no spy implementation of it was called"):
        test_claims_but_does_nothing()
    assert CALLS["after_rollup"] == before


# --- the API page --------------------------------------------------------------------------


def test_api_page_names_the_version_and_the_testing_helpers() -> None:
    text = API_DOC.read_text(encoding="utf-8")
    major_minor = ".".join(unionroll.__version__.split(".")[:2])
    assert f"Plugin API version: **{major_minor}**" in text
    for name in testing.__all__:
        assert f"`{name}`" in text, name
    for hook in HOOKS:
        assert f"`{hook}`" in text, hook
