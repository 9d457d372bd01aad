"""``unionroll plugin new``: the names, the files, and packages that install and pass
their own tests; the tutorial in docs/writing-plugins.md, built from its code blocks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from plugin_venv import PluginVenv

from unionroll.core.errors import UsageError
from unionroll.scaffold import KINDS, new_plugin, plugin_names
from unionroll.testing import make_workspace, read_output, run_cli

DOCS = Path(__file__).resolve().parent.parent / "docs"
PACKAGES = {
    "report": "unionroll-township-ranking",
    "adapter": "unionroll-toml-returns",
    "validator": "unionroll-highlight-check",
    "command": "unionroll-completeness",
}
HOOKS = {
    "report": "register_reports",
    "adapter": "register_adapters",
    "validator": "register_validators",
    "command": "register_commands",
}


# --- names and files -----------------------------------------------------------------------


def test_names_get_the_prefix_and_a_module_name() -> None:
    names = plugin_names("township-ranking")
    assert (names.distribution, names.module, names.short) == (
        "unionroll-township-ranking",
        "unionroll_township_ranking",
        "township-ranking",
    )
    assert plugin_names("unionroll-x2").distribution == "unionroll-x2"
    assert plugin_names("township-ranking").class_prefix == "TownshipRanking"


@pytest.mark.parametrize("bad", ["Township", "unionroll-", "-x", "报告", "a_b", "a--b", ""])
def test_bad_names_are_refused(bad: str) -> None:
    with pytest.raises(UsageError) as info:
        plugin_names(bad)
    assert info.value.message == (
        f"插件名称“{bad}”不可用：只能用小写英文字母、数字和连字符（-），以字母开头，"
        "如 unionroll-township-ranking。"
    )


def test_an_existing_folder_is_never_written_into(tmp_path: Path) -> None:
    target = tmp_path / "unionroll-x"
    target.mkdir()
    (target / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(UsageError) as info:
        new_plugin("x", "report", tmp_path)
    assert info.value.message == (
        f"{target} 已存在且不是空文件夹，未写入任何文件。请换一个名称或位置。"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["unionroll-x"]
    assert [p.name for p in target.iterdir()] == ["mine.txt"]
    (target / "mine.txt").unlink()
    assert new_plugin("x", "report", tmp_path) == target  # an empty folder is fine


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="插件类型“exporter”不可用，可选：report、adapter"):
        new_plugin("x", "exporter", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_command_writes_the_package_and_says_what_next(tmp_path: Path) -> None:
    result = run_cli("plugin", "new", "township-ranking", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    package = tmp_path / "unionroll-township-ranking"
    assert result.output.splitlines() == [
        f"已生成插件包 unionroll-township-ranking（报告 township-ranking）：{package}",
        "  README.md",
        "  pyproject.toml",
        "  tests/conftest.py",
        "  tests/test_installed.py",
        "  tests/test_report.py",
        "  unionroll_township_ranking/__init__.py",
        "接下来：",
        f"  cd {package}",
        "  pip install -e .",
        "  pytest",
        "  unionroll plugins",
        "  UNIONROLL_LOAD_PLUGINS=unionroll-township-ranking "
        "unionroll report --period 2025H1 --kind township-ranking",
    ]
    bad = run_cli("plugin", "new", "x", "--kind", "exporter", "--dir", str(tmp_path))
    assert bad.exit_code == 2
    assert "'exporter' is not one of 'report', 'adapter', 'validator', 'command'" in bad.output


@pytest.mark.parametrize("kind", KINDS)
def test_the_package_is_declared_for_unionroll(kind: str, tmp_path: Path) -> None:
    package = new_plugin(PACKAGES[kind], kind, tmp_path)
    project = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))
    module = PACKAGES[kind].replace("-", "_")
    assert project["project"]["name"] == PACKAGES[kind]
    assert project["project"]["entry-points"]["unionroll"] == {PACKAGES[kind]: module}
    assert project["project"]["dependencies"] == ["unionroll>=0.1"]
    assert project["tool"]["setuptools"]["packages"] == [module]
    source = (package / module / "__init__.py").read_text(encoding="utf-8")
    assert f"def {HOOKS[kind]}(" in source
    readme = (package / "README.md").read_text(encoding="utf-8")
    assert f"`{HOOKS[kind]}`" in readme


@pytest.mark.parametrize("kind", KINDS)
def test_the_generated_code_is_clean(kind: str, tmp_path: Path) -> None:
    package = new_plugin(PACKAGES[kind], kind, tmp_path)
    module = PACKAGES[kind].replace("-", "_")
    common = ["--isolated", "--line-length", "100"]
    lint = [
        sys.executable, "-m", "ruff", "check", *common,
        "--select", "E,F,W,I,B,UP,SIM,RUF", "--ignore", "RUF001,RUF002,RUF003",
        "--config", f"lint.isort.known-first-party=['{module}']", str(package),
    ]  # fmt: skip
    # run in the package, as its author would: that decides what is first-party
    checked = subprocess.run(lint, capture_output=True, text=True, cwd=package)
    assert checked.returncode == 0, checked.stdout
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", *common, "--check", str(package)],
        capture_output=True,
        text=True,
        cwd=package,
    )
    assert formatted.returncode == 0, formatted.stdout


# --- installed in a fresh environment ------------------------------------------------------


def tutorial_package(parent: Path) -> Path:
    """docs/writing-plugins.md's package, built the way the tutorial says: a scaffolded
    adapter package, its files replaced by the tutorial's code blocks."""
    package = new_plugin("unionroll-city-union", "adapter", parent)
    text = (DOCS / "writing-plugins.md").read_text(encoding="utf-8")
    written = []
    for block in re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        first, _, body = block.partition("\n")
        if first.startswith("# ") and first.endswith(".py"):
            (package / first[2:]).write_text(body, encoding="utf-8")
            written.append(first[2:])
    assert sorted(written) == [
        "tests/test_city_union.py",
        "unionroll_city_union/__init__.py",
        "unionroll_city_union/adapter.py",
        "unionroll_city_union/report.py",
    ]
    (package / "tests" / "test_adapter.py").unlink()  # as the tutorial says
    installed = package / "tests" / "test_installed.py"
    text = installed.read_text(encoding="utf-8")
    hooks = '"hooks": ["register_adapters"]'
    assert hooks in text
    installed.write_text(
        text.replace(hooks, '"hooks": ["register_adapters", "register_reports"]'), "utf-8"
    )
    return package


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PluginVenv, dict]]:
    """Every kind of scaffolded package and the tutorial's, installed in one venv."""
    root = tmp_path_factory.mktemp("scaffold")
    sources = [new_plugin(name, kind, root / "new") for kind, name in PACKAGES.items()]
    sources.append(tutorial_package(root / "new"))
    env = PluginVenv(root)
    copies = {copy.name: copy for copy in env.install(*sources)}
    yield env, copies


@pytest.mark.parametrize("name", [*PACKAGES.values(), "unionroll-city-union"])
def test_a_new_package_passes_its_own_tests(installed: tuple[PluginVenv, dict], name: str):
    env, copies = installed
    result = env.pytest(copies[name])
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^\d+ passed in", result.stdout, flags=re.MULTILINE), result.stdout


def test_unionroll_lists_the_new_packages(installed: tuple[PluginVenv, dict]) -> None:
    env, _ = installed
    result = env.unionroll("plugins", load=",".join(PACKAGES.values()))
    assert result.returncode == 0, result.stderr
    listed = {p["name"]: p["hooks"] for p in json.loads(result.stdout)}
    assert listed == {name: [HOOKS[kind]] for kind, name in PACKAGES.items()}


def test_the_issue_walkthrough(installed: tuple[PluginVenv, dict], tmp_path: Path) -> None:
    """UNIONROLL_LOAD_PLUGINS=unionroll-township-ranking unionroll report --period 2025H1
    --kind township-ranking, on a workspace with the sample county."""
    env, _ = installed
    ws = make_workspace(tmp_path / "ws")
    ws.close()
    out = tmp_path / "out"
    result = env.unionroll(
        "--workspace", str(ws.root), "report", "--period", "2025H1", "--kind",
        "township-ranking", "--out", str(out), load="unionroll-township-ranking",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "township-ranking（各单位报送情况）" in result.stdout
    text = read_output(out / "清河县教育工会2025年上半年报送情况.md")
    assert "| 青石镇学区工会 | 3 | 2 | 66.7% |" in text
    command = env.unionroll(
        "-w", str(ws.root), "completeness", "--period", "2025年上半年",
        load="unionroll-completeness",
    )  # fmt: skip
    assert command.returncode == 0, command.stderr
    assert command.stdout.splitlines()[1] == "  城关学区工会：4/4（100%）"
