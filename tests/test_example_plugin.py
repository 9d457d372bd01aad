"""The worked example, examples/unionroll-legacy-county, as a plugin author ships it:
installed into a fresh environment, its own tests run there, and unionroll finds it
through its entry point and uses it from the command line."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from plugin_venv import PluginVenv

from unionroll.testing import make_workspace, read_output

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "unionroll-legacy-county"
DIST = "unionroll-legacy-county"


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PluginVenv, Path]]:
    root = tmp_path_factory.mktemp("example-venv")
    env = PluginVenv(root)
    [installed] = env.install(EXAMPLE)
    yield env, installed


def legacy_sheet() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "legacy_sheet", EXAMPLE / "tests" / "legacy_sheet.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_uses_only_the_public_api() -> None:
    private = (
        "unionroll.adapters",
        "unionroll.plugins",
        "unionroll.core.store",
        "unionroll.forms.builtin",
        "unionroll.cli",
    )
    for path in EXAMPLE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in private:
            assert f"import {name}" not in text and f"from {name}" not in text, (path, name)


def test_its_own_tests_pass_when_installed(venv: tuple[PluginVenv, Path]) -> None:
    env, installed = venv
    result = env.pytest(installed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_unionroll_lists_it_with_its_hooks(venv: tuple[PluginVenv, Path]) -> None:
    env, _ = venv
    listed = env.unionroll("plugins", load=DIST)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [
        {
            "name": DIST,
            "version": "0.1.0",
            "builtin": False,
            "hooks": ["register_adapters", "register_reports"],
        }
    ]
    assert json.loads(env.unionroll("plugins", load="").stdout) == []


def test_a_legacy_sheet_is_ingested_and_ranked_from_the_command_line(
    venv: tuple[PluginVenv, Path], tmp_path: Path
) -> None:
    env, _ = venv
    ws = make_workspace(tmp_path / "清河县")
    ws.close()
    sheet = legacy_sheet().write_legacy_summary(tmp_path / "清河县2025年第三季度汇总表.xlsx")
    common = ("--workspace", str(ws.root))

    ingested = env.unionroll(*common, "ingest", str(sheet), "--received", "2025-10-08", load=DIST)
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    assert "处理完毕：1 个文件，收录 6 份报表。" in ingested.stdout

    out = tmp_path / "reports"
    report = env.unionroll(
        *common,
        "report",
        "--period",
        "2025Q3",
        "--kind",
        "township-ranking",
        "--out",
        str(out),
        load=DIST,
    )
    assert report.returncode == 0, report.stdout + report.stderr
    stem = "清河县教育工会2025年第三季度学区排名表"
    assert sorted(p.name for p in out.iterdir()) == [f"{stem}.md", f"{stem}.xlsx"]
    text = read_output(out / f"{stem}.md")
    # 2025Q3: T1's three schools reported, T1 itself did not (3 of 4); T2 1 of 3; T3 1 of 3.
    assert "| 1 | 城关学区工会 | 4 | 3 | 0 | 1 | 0 | 75% |" in text
    sheets = read_output(out / f"{stem}.xlsx")
    assert sheets["发放慰问金、帮扶金"][3][1:4] == ["城关学区工会", "T1", 6500]

    without = env.unionroll(
        *common, "report", "--period", "2025Q3", "--kind", "township-ranking", load=""
    )
    assert without.returncode == 2
    assert "没有名为 township-ranking 的报告" in without.stderr
