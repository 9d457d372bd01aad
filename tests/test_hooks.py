"""Every hook, exercised through the real pipeline with a real workspace (SQLite and
PostgreSQL): a plugin is registered on the process-wide plugin manager, the command or
function a user runs is run, and what the plugin did is checked in the result.

Each test is marked ``@exercises_hook(NAME)``; tests/test_plugin_docs.py fails when a
hookspec has no such test, and the mark fails a test whose spy was never called.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

import click
import pytest
from hook_spy import exercises_hook, spy

from unionroll.core.contracts import Adapter, ReadContext, Report, ReportOptions, Validator
from unionroll.core.forms import parse_form
from unionroll.core.ingest import IngestResult
from unionroll.core.model import Finding, Location, RawValue, ReturnData
from unionroll.core.plugins import get_plugin_manager
from unionroll.core.reporting import run_reports
from unionroll.core.rollup import rollup
from unionroll.core.rollup_types import RollupResult
from unionroll.core.units import import_units
from unionroll.core.workspace import CONFIG_NAME, Workspace
from unionroll.forms.builtin import standard_form
from unionroll.testing import (
    SAMPLE_TODAY,
    ingest_files,
    load_sample_returns,
    read_output,
    registered_plugin,
    run_cli,
    sample_units,
)

Q3_RECEIVED = datetime(2025, 10, 8, 9, 0)
Q3_TODAY = date(2025, 10, 20)


@pytest.fixture
def county(workspace: Workspace) -> Workspace:
    """The sample county of unionroll.testing, its units and 2025Q1–Q2 returns loaded."""
    import_units(workspace, sample_units())
    load_sample_returns(workspace)
    return workspace


# --- registrations -----------------------------------------------------------------------


@exercises_hook("register_forms")
def test_register_forms_gives_a_form_a_workspace_can_collect(
    workspace: Workspace, tmp_path: Path
) -> None:
    city = parse_form({**standard_form().raw, "id": "city-extra", "title": "市级补充表"})
    with registered_plugin(spy("register_forms", lambda: [city]), name="city-forms"):
        config = workspace.root / CONFIG_NAME
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace('id = "edu-union-quarterly"', 'id = "city-extra"'), "utf-8")
        ws = Workspace.open(workspace.root, db_url=workspace.db_url)
        try:
            assert ws.form.title == "市级补充表"
            import_units(ws, sample_units())
            path = tmp_path / "s11.json"
            path.write_text(
                json.dumps(
                    {
                        "form": "city-extra",
                        "unit": "S11",
                        "period": "2025Q3",
                        "values": {"staff_total": 85},
                    }
                ),
                encoding="utf-8",
            )
            result = ingest_files(ws, path, received_at=Q3_RECEIVED, today=Q3_TODAY)
            assert [r.status for f in result.files for r in f.returns] == ["accepted"]
        finally:
            ws.close()


class KeyValueAdapter(Adapter):
    """``unit=S11`` / ``period=2025Q3`` / ``indicator=value`` lines."""

    name: ClassVar[str] = "key-value"
    description: ClassVar[str] = "键值文本"

    def sniff(self, path: Path, head: bytes) -> bool:
        return path.suffix == ".kv"

    def read(self, path: Path, context: ReadContext) -> list[ReturnData]:
        pairs = dict(
            line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if line
        )
        unit, period = pairs.pop("unit"), pairs.pop("period")
        where = context.display_name or path.name
        return [
            ReturnData(
                source=path,
                adapter=self.name,
                unit_code=unit,
                period=period,
                values=[
                    RawValue(k, v, Location(file=where, line=n))
                    for n, (k, v) in enumerate(pairs.items(), start=3)
                ],
            )
        ]


@exercises_hook("register_adapters")
def test_register_adapters_reads_a_new_format(county: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "城关第二小学.kv"
    path.write_text("unit=S12\nperiod=2025Q3\nneedy_staff_visited=4\nstaff_total=62\n", "utf-8")
    with registered_plugin(spy("register_adapters", lambda: [KeyValueAdapter()])):
        result = ingest_files(county, path, received_at=Q3_RECEIVED, today=Q3_TODAY)
    [outcome] = result.files
    assert outcome.adapter == "key-value"
    assert [r.status for r in outcome.returns] == ["accepted"]
    assert rollup(county, "2025Q3").figure("S12", "needy_staff_visited").value == 4


class UnitCountReport(Report):
    name: ClassVar[str] = "unit-count"
    description: ClassVar[str] = "单位数"
    formats: ClassVar[tuple[str, ...]] = ("txt",)

    def render(self, rollup: RollupResult, out_dir: Path, options: ReportOptions) -> list[Path]:
        path = out_dir / "units.txt"
        done = rollup.completeness
        path.write_text(f"{options.settings['label']} {done.reported}/{done.expected}\n", "utf-8")
        return [path]


@exercises_hook("register_reports")
def test_register_reports_writes_with_settings_from_the_config(county: Workspace) -> None:
    config = county.root / CONFIG_NAME
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[reports.unit-count]\nlabel = "实报/应报"\n',
        encoding="utf-8",
    )
    ws = Workspace.open(county.root, db_url=county.db_url)
    try:
        with registered_plugin(spy("register_reports", lambda: [UnitCountReport()])):
            run = run_reports(ws, "2025H1", kinds=("unit-count",), today=SAMPLE_TODAY)
    finally:
        ws.close()
    [outcome] = run.outcomes
    assert outcome.error is None
    assert read_output(outcome.files[0]) == "实报/应报 9/12\n"


class NoHighlights(Validator):
    name: ClassVar[str] = "no-highlights"

    def check(self, checked: Any, form: Any) -> list[Finding]:
        if any(row.register == "highlights" for row in checked.registers):
            return []
        return [Finding("warning", "no_highlights", "没有填写工作亮点")]


@exercises_hook("register_validators")
def test_register_validators_adds_findings_that_are_stored(
    county: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "s12.json"
    path.write_text(
        json.dumps({"unit": "S12", "period": "2025Q3", "values": {"staff_total": 62}}), "utf-8"
    )
    with registered_plugin(spy("register_validators", lambda: [NoHighlights()])):
        result = ingest_files(county, path, received_at=Q3_RECEIVED, today=Q3_TODAY)
    [ret] = result.files[0].returns
    assert ret.status == "accepted_with_warnings"
    assert [f.message for f in ret.findings] == ["没有填写工作亮点"]
    shown = run_cli("returns", "show", str(ret.return_id), workspace=county)
    assert "没有填写工作亮点" in shown.output


@exercises_hook("register_commands")
def test_register_commands_adds_a_command_that_reaches_the_workspace(county: Workspace) -> None:
    def register_commands(cli: click.Group) -> None:
        @cli.command("count-units")
        @click.pass_obj
        def count_units(app: Any) -> None:
            expected = rollup(app.workspace, "2025Q1").completeness.expected
            click.echo(f"{app.workspace.config.name}：{expected}")

    with registered_plugin(spy("register_commands", register_commands)):
        result = run_cli("count-units", workspace=county)
        listed = run_cli("--help")
    assert result.exit_code == 0, result.output
    assert result.output == "测试县教育工会：12\n"  # the workspace fixture's name
    assert "count-units" in listed.output
    assert "count-units" not in run_cli("--help").output  # gone with the plugin


# --- templates ---------------------------------------------------------------------------


@pytest.fixture
def county_templates(tmp_path: Path) -> Path:
    """A county's own priorities template, using what the plugins below add."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "priorities.txt.j2").write_text(
        "@title {{ org | t }}工作要点\n\n{{ '抓好送温暖' | numbered }}\n\n{{ motto | t }}\n",
        encoding="utf-8",
    )
    return folder


def _priorities_md(county: Workspace, templates: Path) -> str:
    run = run_reports(
        county,
        "2025H1",
        kinds=("priorities",),
        formats=("md",),
        templates_dir=templates,
        today=SAMPLE_TODAY,
    )
    [outcome] = run.outcomes
    assert outcome.error is None, outcome.error
    return read_output(outcome.files[0])


@exercises_hook("prepare_jinja2_environment")
def test_prepare_jinja2_environment_adds_a_filter_templates_use(
    county: Workspace, county_templates: Path
) -> None:
    def prepare(env: Any) -> None:
        env.filters["numbered"] = lambda text: f"第一，{text}。"

    context = spy("extra_report_context", lambda report_name: {"motto": "—"})
    with registered_plugin(spy("prepare_jinja2_environment", prepare)), registered_plugin(context):
        text = _priorities_md(county, county_templates)
    assert "第一，抓好送温暖。" in text


@exercises_hook("extra_report_context")
def test_extra_report_context_adds_variables_for_the_named_report(
    county: Workspace, county_templates: Path
) -> None:
    seen: list[tuple[str, set[str]]] = []

    def extra(report_name: str, context: dict[str, Any]) -> dict[str, Any] | None:
        seen.append((report_name, set(context)))
        return {"motto": "凝心聚力，服务教职工"} if report_name == "priorities" else None

    filters = spy("prepare_jinja2_environment", lambda env: env.filters.update(numbered=str))
    with registered_plugin(spy("extra_report_context", extra)), registered_plugin(filters):
        text = _priorities_md(county, county_templates)
    assert "凝心聚力，服务教职工" in text
    [(name, keys)] = seen
    assert name == "priorities" and {"org", "period"} <= keys


# --- lifecycle ---------------------------------------------------------------------------


@exercises_hook("after_ingest")
def test_after_ingest_gets_the_run_after_the_returns_are_stored(
    county: Workspace, tmp_path: Path
) -> None:
    got: list[tuple[Workspace, IngestResult, int]] = []

    def after_ingest(workspace: Workspace, result: IngestResult) -> None:
        stored = rollup(workspace, "2025Q3", hooks=False).completeness.reported
        got.append((workspace, result, stored))

    folder = tmp_path / "in"
    folder.mkdir()
    for unit in ("S11", "S12"):
        (folder / f"{unit}.json").write_text(
            json.dumps({"unit": unit, "period": "2025Q3", "values": {"staff_total": 60}}), "utf-8"
        )
    with registered_plugin(spy("after_ingest", after_ingest)):
        result = run_cli("ingest", str(folder), "--received", "2025-10-08", workspace=county)
    assert result.exit_code == 0, result.output
    [(ws, run, stored)] = got
    assert ws.root == county.root
    assert sorted(f.display_name for f in run.files) == ["S11.json", "S12.json"]
    assert stored == 2  # both returns were in the database when the hook ran


@exercises_hook("after_rollup")
def test_after_rollup_gets_each_rollup_a_command_makes(county: Workspace, tmp_path: Path) -> None:
    pushed: list[dict[str, Any]] = []

    def after_rollup(workspace: Workspace, rollup: RollupResult) -> None:
        pushed.append(
            {"period": rollup.period.code, "care": rollup.figure("C", "care_funds").value}
        )

    with registered_plugin(spy("after_rollup", after_rollup)):
        result = run_cli("rollup", "--period", "2025H1", workspace=county)
        run_reports(county, "2025Q1", kinds=("workbook",), today=SAMPLE_TODAY)
    assert result.exit_code == 0, result.output
    assert pushed == [{"period": "2025H1", "care": 48000.0}, {"period": "2025Q1", "care": 29000.0}]


def test_the_spies_are_really_registered_on_the_shared_manager() -> None:
    plugin = spy("after_rollup", lambda: None)
    with registered_plugin(plugin, name="spy") as pm:
        assert pm is get_plugin_manager()
        assert [h.name for h in pm.get_hookcallers(plugin)] == ["after_rollup"]
    assert get_plugin_manager().get_plugin("spy") is None
