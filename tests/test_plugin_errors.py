"""A broken plugin is named, and the run goes on where that is safe: stored returns stay
stored, the other plugins still run, the other reports are still written."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from sqlalchemy import func, select

from unionroll.core.contracts import Adapter, ReadContext, Report, ReportOptions
from unionroll.core.errors import PluginError
from unionroll.core.hookcalls import notify, prepare_environment, report_context
from unionroll.core.hookspecs import hookimpl
from unionroll.core.plugins import create_plugin_manager
from unionroll.core.reporting import run_reports
from unionroll.core.store import ReturnRecord
from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace
from unionroll.testing import SAMPLE_TODAY, load_sample_returns, registered_plugin, run_cli
from unionroll.testing import sample_units as units_csv


def plugin(**hooks: Any) -> SimpleNamespace:
    return SimpleNamespace(**{name: hookimpl(f) for name, f in hooks.items()})


def boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("连接推送服务器失败")


@pytest.fixture
def county(workspace: Workspace) -> Workspace:
    import_units(workspace, units_csv())
    load_sample_returns(workspace)
    return workspace


def _returns(ws: Workspace) -> int:
    with ws.session() as s:
        return s.execute(select(func.count()).select_from(ReturnRecord)).scalar_one()


def _q3_files(folder: Path) -> Path:
    folder.mkdir()
    for unit in ("S11", "S12"):
        (folder / f"{unit}.json").write_text(
            json.dumps({"unit": unit, "period": "2025Q3", "values": {"staff_total": 60}}), "utf-8"
        )
    return folder


def test_a_failing_after_ingest_keeps_the_data_and_the_other_plugins(
    county: Workspace, tmp_path: Path
) -> None:
    calls: list[str] = []
    before = _returns(county)
    with (
        registered_plugin(plugin(after_ingest=boom), name="push-broken"),
        registered_plugin(plugin(after_ingest=lambda result: calls.append("ok")), name="log"),
    ):
        result = run_cli("ingest", str(_q3_files(tmp_path / "in")), workspace=county)
    assert result.exit_code == 0
    assert _returns(county) == before + 2
    assert calls == ["ok"]
    assert (
        "插件问题：插件 push-broken 的 after_ingest 出错，已跳过："
        "RuntimeError: 连接推送服务器失败" in result.stderr
    )
    assert "回执 2 份" in result.stdout  # receipts were still written
    assert "Traceback" not in result.output


class Claims(Adapter):
    name: ClassVar[str] = "claims-nothing"
    priority: ClassVar[int] = 99

    def sniff(self, path: Path, head: bytes) -> bool:
        raise ValueError("读不懂")


class WrongType(Adapter):
    name: ClassVar[str] = "wrong-type"
    priority: ClassVar[int] = 50

    def sniff(self, path: Path, head: bytes) -> bool:
        return path.name == "S12.json"

    def read(self, path: Path, context: ReadContext) -> Any:
        return {"unit": "S12"}


def test_broken_adapters_are_named_and_the_other_files_still_read(
    county: Workspace, tmp_path: Path
) -> None:
    adapters = plugin(register_adapters=lambda: [Claims(), WrongType()])
    with registered_plugin(adapters, name="broken-adapters"):
        result = run_cli("ingest", str(_q3_files(tmp_path / "in")), workspace=county)
    assert result.exit_code == 1  # S12.json could not be read
    assert (
        "插件问题：读取器 claims-nothing 的 sniff 出错，已跳过：ValueError: 读不懂" in result.stderr
    )
    assert result.stderr.count("claims-nothing") == 1  # once per run, not once per file
    assert (
        "读取器 wrong-type 出错：read() 应返回 ReturnData 的列表，实际返回了 dict。"
        in result.stdout
    )
    assert "收录 1 份报表" in result.stdout  # S11.json, by the built-in json-return


class Fine(Report):
    name: ClassVar[str] = "fine"
    formats: ClassVar[tuple[str, ...]] = ("txt",)

    def render(self, rollup: Any, out_dir: Path, options: ReportOptions) -> list[Path]:
        path = out_dir / "fine.txt"
        path.write_text("ok", encoding="utf-8")
        return [path]


class Broken(Report):
    name: ClassVar[str] = "broken"
    formats: ClassVar[tuple[str, ...]] = ("txt",)

    def render(self, rollup: Any, out_dir: Path, options: ReportOptions) -> list[Path]:
        raise KeyError("care_funds")


def test_a_failing_report_does_not_stop_the_others(county: Workspace) -> None:
    reports = plugin(register_reports=lambda: [Broken(), Fine()])
    with registered_plugin(reports, name="two-reports"):
        result = run_cli(
            "report", "--period", "2025H1", "--kind", "broken", "--kind", "fine", workspace=county
        )
    assert result.exit_code == 1
    assert "✗ broken：报告插件 broken 出错：KeyError: 'care_funds'" in result.stderr
    assert "fine.txt" in result.stdout


@pytest.mark.parametrize(
    ("hooks", "message"),
    [
        (
            {"extra_report_context": boom},
            "插件 bad-context 的 extra_report_context 出错（报告 county-summary）："
            "RuntimeError: 连接推送服务器失败",
        ),
        (
            {"extra_report_context": lambda report_name: ["不是", "dict"]},
            "插件 bad-context 的 extra_report_context 应返回 dict 或 None，实际返回了 list",
        ),
        (
            {"prepare_jinja2_environment": boom},
            "插件 bad-context 的 prepare_jinja2_environment 出错：RuntimeError: 连接推送服务器失败",
        ),
    ],
)
def test_template_hooks_fail_the_report_that_needs_them_only(
    county: Workspace, hooks: dict[str, Any], message: str
) -> None:
    with registered_plugin(plugin(**hooks), name="bad-context"):
        run = run_reports(
            county,
            "2025H1",
            kinds=("county-summary", "workbook"),
            formats=("md", "xlsx"),
            today=SAMPLE_TODAY,
        )
    outcomes = {o.name: o for o in run.outcomes}
    assert outcomes["county-summary"].error is not None
    assert outcomes["county-summary"].error.startswith(message)
    assert outcomes["workbook"].error is None
    assert outcomes["workbook"].files[0].is_file()


def test_notify_calls_every_plugin_and_names_the_failing_one() -> None:
    pm = create_plugin_manager(load_entry_points=False)
    seen: list[str] = []
    pm.register(plugin(after_rollup=lambda rollup: seen.append(rollup)), name="first")
    pm.register(plugin(after_rollup=boom), name="second")
    pm.register(plugin(after_rollup=lambda workspace: seen.append(workspace)), name="third")
    failures = notify(pm, "after_rollup", workspace="ws", rollup="r")
    assert sorted(seen) == ["r", "ws"]
    assert [str(f) for f in failures] == [
        "插件 second 的 after_rollup 出错，已跳过：RuntimeError: 连接推送服务器失败"
    ]


def test_a_wrapping_plugin_is_called_through_pluggy() -> None:
    pm = create_plugin_manager(load_entry_points=False)
    order: list[str] = []

    class Wrapper:
        @hookimpl(wrapper=True)
        def prepare_jinja2_environment(self, env: Any) -> Any:
            order.append("before")
            result = yield
            order.append("after")
            return result

    pm.register(Wrapper(), name="wrapper")
    pm.register(plugin(prepare_jinja2_environment=lambda env: order.append("inner")), name="in")
    prepare_environment(pm, env=object())
    assert order == ["before", "inner", "after"]
    pm.register(plugin(extra_report_context=boom), name="broken")
    with pytest.raises(PluginError, match="extra_report_context 出错"):
        report_context(pm, "x", {})


def test_a_failing_after_rollup_is_a_warning_and_the_others_still_run(county: Workspace) -> None:
    from unionroll.core.rollup import rollup

    seen: list[str] = []
    good = plugin(after_rollup=lambda workspace, rollup: seen.append(rollup.period.code))
    with (
        registered_plugin(plugin(after_rollup=boom), name="broken-push"),
        registered_plugin(good, name="good-push"),
    ):
        result = rollup(county, "2025H1")
    assert seen == ["2025H1"]
    assert result.root.figures  # the rollup itself is complete
    assert any("broken-push" in w and "连接推送服务器失败" in w for w in result.warnings)


def test_a_failing_register_commands_leaves_the_other_commands_working() -> None:
    with registered_plugin(plugin(register_commands=boom), name="broken-cli"):
        result = run_cli("form", "--help")
    assert result.exit_code == 0
    assert "插件问题：插件 broken-cli 的 register_commands 出错，已跳过" in result.stderr
    assert "Traceback" not in result.output
