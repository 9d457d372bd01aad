from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from unionroll.cli.main import cli
from unionroll.core import plugins
from unionroll.core.contracts import Adapter, Report
from unionroll.core.errors import PluginError
from unionroll.core.forms import parse_form
from unionroll.core.hookspecs import hookimpl
from unionroll.forms.builtin import standard_form


class _Adapter(Adapter):
    name = "dup-adapter"

    def sniff(self, path, head):  # pragma: no cover - not called
        return False


def make_plugin(name: str, **hooks):
    return type(name, (), {k: staticmethod(hookimpl(v)) for k, v in hooks.items()})


def test_builtin_form_is_registered_through_the_hook() -> None:
    pm = plugins.create_plugin_manager(load_entry_points=False)
    forms = plugins.registered_forms(pm)
    assert "edu-union-quarterly@1" in forms


def test_temporary_plugin_registration() -> None:
    pm = plugins.get_plugin_manager()
    extra = parse_form(
        {
            **standard_form().raw,
            "id": "city-extra",
            "title": "市级补充表",
        }
    )
    plugin = make_plugin("CityForms", register_forms=lambda: [extra])
    pm.register(plugin, name="city-forms")
    try:
        assert "city-extra@1" in plugins.registered_forms(pm)
        names = [p.name for p in plugins.plugin_infos(pm)]
        assert names == ["city-forms"]
    finally:
        pm.unregister(name="city-forms")
    assert "city-extra@1" not in plugins.registered_forms(pm)


def test_duplicate_names_name_both_plugins() -> None:
    pm = plugins.create_plugin_manager(load_entry_points=False)
    pm.register(make_plugin("A", register_adapters=lambda: [_Adapter()]), name="plugin-a")
    pm.register(make_plugin("B", register_adapters=lambda: [_Adapter()]), name="plugin-b")
    with pytest.raises(PluginError) as info:
        plugins.registered_adapters(pm)
    message = str(info.value)
    assert "dup-adapter" in message and "plugin-a" in message and "plugin-b" in message


def test_duplicate_form_with_builtin_is_an_error() -> None:
    pm = plugins.create_plugin_manager(load_entry_points=False)
    pm.register(make_plugin("F", register_forms=lambda: [standard_form()]), name="copycat")
    with pytest.raises(PluginError, match="copycat"):
        plugins.registered_forms(pm)


def test_wrong_return_type_names_the_plugin() -> None:
    pm = plugins.create_plugin_manager(load_entry_points=False)
    pm.register(make_plugin("W", register_reports=lambda: [{"name": "x"}]), name="wrong-type")
    with pytest.raises(
        PluginError, match="插件 wrong-type 的 register_reports 返回了不是报告的对象"
    ):
        plugins.registered_reports(pm)
    pm.unregister(name="wrong-type")
    pm.register(make_plugin("N", register_reports=lambda: "report"), name="not-a-list")
    with pytest.raises(PluginError, match="应返回列表"):
        plugins.registered_reports(pm)


def test_raising_hook_names_the_plugin() -> None:
    def boom():
        raise RuntimeError("kaput")

    pm = plugins.create_plugin_manager(load_entry_points=False)
    pm.register(make_plugin("R", register_reports=boom), name="raiser")
    with pytest.raises(PluginError, match="插件 raiser 的 register_reports 出错"):
        plugins.registered_reports(pm)


def test_unnamed_contribution_is_refused() -> None:
    class Nameless(Report):
        pass

    pm = plugins.create_plugin_manager(load_entry_points=False)
    pm.register(make_plugin("U", register_reports=lambda: [Nameless()]), name="nameless")
    with pytest.raises(PluginError, match="没有名称"):
        plugins.registered_reports(pm)


def test_misspelled_hook_fails_loudly() -> None:
    pm = plugins.create_plugin_manager(load_entry_points=False)
    pm.register(make_plugin("M", register_adaptors=lambda: []), name="misspelled")
    with pytest.raises(PluginError, match="misspelled"):
        plugins._check_pending(pm)


# --- entry points ---------------------------------------------------------------------


@pytest.fixture
def installed_plugins(tmp_path: Path) -> Iterator[Path]:
    """Two real distributions with entry points in the ``unionroll`` group, on sys.path."""
    for dist, module, body in [
        (
            "unionroll_alpha",
            "unionroll_alpha_mod",
            """
            from unionroll.core.hookspecs import hookimpl

            @hookimpl
            def register_commands(cli):
                import click

                @cli.command("alpha-hello")
                def hello():
                    click.echo("你好，alpha")
            """,
        ),
        (
            "unionroll_beta",
            "unionroll_beta_mod",
            """
            from unionroll.core.hookspecs import hookimpl

            @hookimpl
            def register_validators():
                return []
            """,
        ),
    ]:
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(body), encoding="utf-8")
        info = tmp_path / f"{dist}-1.2.3.dist-info"
        info.mkdir()
        name = dist.replace("_", "-")
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2.3\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(
            f"[unionroll]\n{name} = {module}\n", encoding="utf-8"
        )
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        cli.commands.pop("alpha-hello", None)  # the shared CLI must not keep a test's command
        sys.path.remove(str(tmp_path))
        for module in ("unionroll_alpha_mod", "unionroll_beta_mod"):
            sys.modules.pop(module, None)


def _plugins_json(args: list[str]) -> list[dict]:
    result = CliRunner().invoke(cli, ["plugins", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plugins_command_lists_entry_point_plugins(
    installed_plugins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(plugins.LOAD_PLUGINS_ENV)
    plugins.reset_plugin_manager()
    listed = _plugins_json([])
    assert listed == [
        {
            "name": "unionroll-alpha",
            "version": "1.2.3",
            "builtin": False,
            "hooks": ["register_commands"],
        },
        {
            "name": "unionroll-beta",
            "version": "1.2.3",
            "builtin": False,
            "hooks": ["register_validators"],
        },
    ]
    only_cmd = _plugins_json(["--hook", "register_commands"])
    assert [p["name"] for p in only_cmd] == ["unionroll-alpha"]
    result = CliRunner().invoke(cli, ["alpha-hello"])
    assert result.exit_code == 0
    assert "你好，alpha" in result.output


def test_environment_variable_limits_entry_points(
    installed_plugins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(plugins.LOAD_PLUGINS_ENV, "unionroll-beta")
    plugins.reset_plugin_manager()
    assert [p["name"] for p in _plugins_json([])] == ["unionroll-beta"]
    monkeypatch.setenv(plugins.LOAD_PLUGINS_ENV, "")
    plugins.reset_plugin_manager()
    assert _plugins_json([]) == []


def test_plugins_all_includes_builtins() -> None:
    listed = _plugins_json(["--all"])
    names = [p["name"] for p in listed]
    assert "unionroll.forms.builtin" in names
    assert all(p["builtin"] for p in listed)
    form_plugin = next(p for p in listed if p["name"] == "unionroll.forms.builtin")
    assert form_plugin["hooks"] == ["register_forms"]
    assert names == sorted(names)
    assert set(names) == set(plugins.DEFAULT_PLUGINS)


def test_broken_entry_point_is_reported_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = tmp_path / "unionroll_broken-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: unionroll-broken\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[unionroll]\nunionroll-broken = no_such_module_here\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv(plugins.LOAD_PLUGINS_ENV)
    plugins.reset_plugin_manager()
    result = CliRunner().invoke(cli, ["plugins"])
    assert result.exit_code == 1
    assert "插件 unionroll-broken（unionroll-broken）加载失败" in result.output
    assert "UNIONROLL_LOAD_PLUGINS" in result.output
    assert "Traceback" not in result.output


def test_register_commands_hook_receives_the_group() -> None:
    seen: list[click.Group] = []
    pm = plugins.get_plugin_manager()
    pm.register(make_plugin("C", register_commands=lambda cli: seen.append(cli)), name="cmd-spy")
    try:
        CliRunner().invoke(cli, ["--help"])
    finally:
        pm.unregister(name="cmd-spy")
    assert seen and seen[0] is cli


def test_registering_the_built_in_plugins_imports_no_writer() -> None:
    """Every command registers the built-in plugins; what writes documents, workbooks and
    templates is imported only when something is written, so registering them (an ingest
    does) loads neither xlsxwriter nor python-docx nor the report context."""
    import subprocess

    code = (
        "import sys\n"
        "from unionroll.core.plugins import create_plugin_manager, registered_reports\n"
        "pm = create_plugin_manager(load_entry_points=False)\n"
        "assert {'workbook', 'county-summary', 'priorities'} <= set(registered_reports(pm))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('xlsxwriter', 'docx')"
        " or 'report_context' in m or 'rollup_types' in m))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
