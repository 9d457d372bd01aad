"""Plain functions behind the fixtures: usable from any test runner or script.

The sample county (清河县教育工会) has one county-level school, three townships and seven
schools under them. It has returns for 2025Q1 and 2025Q2, all received on time: JSON
files, and one Excel return (城关中学, 2025Q2) written by :func:`sample_workbook`. Some
units are missing on purpose, so that reporting rates differ between townships:

===========  ==========================  ========================
township     units (own return + schools)  2025H1
===========  ==========================  ========================
城关学区 T1   T1, S11, S12, S13            all reported
青石镇学区 T2  T2, S21, S22                 S22 has no 2025Q2 return
柳河镇学区 T3  T3, S31, S32                 T3 has no 2025Q1, S32 no 2025Q2
===========  ==========================  ========================
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pluggy
from click.testing import CliRunner, Result

from unionroll.core.contracts import ReportOptions
from unionroll.core.ingest import IngestResult
from unionroll.core.model import UnitInfo
from unionroll.core.periods import Period
from unionroll.core.workspace import CONFIG_NAME, Workspace

DATA_DIR = Path(__file__).parent / "data"
SAMPLE_COUNTY = "清河县教育工会"
SAMPLE_PERIODS = ("2025Q1", "2025Q2")
# Received a week after each quarter ended: on time (the deadline is ten days after).
SAMPLE_RECEIVED = {"2025Q1": datetime(2025, 4, 8, 9, 0), "2025Q2": datetime(2025, 7, 8, 9, 0)}
SAMPLE_TODAY = date(2025, 7, 20)
_WORKBOOK_DATA = DATA_DIR / "workbook-2025Q2-S13.toml"


class SampleDataError(AssertionError):
    """The sample data did not load as expected: a bug in unionroll, not in the plugin."""


# --- sample files ------------------------------------------------------------------------


def sample_units() -> Path:
    """The sample county's unit list (CSV: code, name, level, parent_code)."""
    return DATA_DIR / "units.csv"


def sample_returns(period: str | None = None) -> list[Path]:
    """The sample JSON returns, sorted; only those of ``period`` (``2025Q1``) when given."""
    pattern = f"{Period.parse(period).code}-*.json" if period else "20*-*.json"
    return sorted(DATA_DIR.glob(pattern))


def sample_workbook(folder: str | Path) -> Path:
    """Write the sample filled-in Excel return (城关中学工会, 2025Q2) into ``folder``.

    It is written by the same code as ``unionroll template``, so it always matches the
    current template layout, and filled in as the school would fill it.
    """
    from unionroll.adapters.xlsx_template import write_template
    from unionroll.forms.builtin import standard_form

    with _WORKBOOK_DATA.open("rb") as fh:
        data = tomllib.load(fh)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    period = Period.parse(data["period"])
    return write_template(
        folder / f"城关中学工会 {period.label_zh}.xlsx",
        form=standard_form(),
        unit=UnitInfo(data["unit"], "城关中学工会", "school", "T1"),
        period=period,
        level_name="学校",
        county_name=SAMPLE_COUNTY,
        template_id="sample-2025Q2-S13",
        generated_at=datetime(2025, 6, 20, 9, 0),
        values=data["values"],
        registers=data.get("registers", {}),
    )


# --- workspaces --------------------------------------------------------------------------


def make_workspace(
    root: str | Path,
    *,
    units: bool = True,
    returns: bool = True,
    config: str = "",
    db_url: str | None = None,
    pm: pluggy.PluginManager | None = None,
) -> Workspace:
    """Create a workspace in ``root`` (which must not be a workspace yet).

    ``units``: import the sample county's units. ``returns``: ingest the sample returns
    (needs ``units``). ``config``: TOML appended to ``unionroll.toml``, e.g. a plugin's
    settings (``[reports.my-report]`` ...). ``pm``: the plugin manager (default: the
    process-wide one, so plugins registered on it are used). The caller closes the
    workspace.
    """
    from unionroll.core.units import import_units

    ws = Workspace.create(root, name=SAMPLE_COUNTY, db_url=db_url, pm=pm)
    if config:
        ws.close()
        path = ws.root / CONFIG_NAME
        path.write_text(path.read_text(encoding="utf-8") + "\n" + config + "\n", encoding="utf-8")
        ws = Workspace.open(ws.root, db_url=db_url, pm=pm)
    if units:
        import_units(ws, sample_units())
    if returns:
        if not units:
            raise ValueError("returns=True needs units=True: returns name the sample units")
        load_sample_returns(ws)
    return ws


def load_sample_returns(workspace: Workspace) -> None:
    """Ingest the sample returns, each quarter received on time; fail loudly if any is
    not accepted (the sample data must always load)."""
    from unionroll.core.ingest import IngestOptions, ingest_paths

    for period in SAMPLE_PERIODS:
        files = sample_returns(period)
        if period == "2025Q2":
            files.append(sample_workbook(workspace.root / "收到的报表"))
        options = IngestOptions(received_at=SAMPLE_RECEIVED[period], today=SAMPLE_TODAY)
        result = ingest_paths(workspace, files, options=options)
        problems = [
            f"{f.display_name}: {f.error or [str(x) for r in f.returns for x in r.findings]}"
            for f in result.files
            if not f.ok
        ]
        if problems:
            raise SampleDataError("sample returns were not accepted:\n" + "\n".join(problems))


def ingest_files(
    workspace: Workspace,
    *paths: str | Path,
    received_at: datetime | None = None,
    today: date | None = None,
) -> IngestResult:
    """Ingest files into ``workspace`` with its registered adapters and validators, as
    ``unionroll ingest`` does (receipts aside). ``received_at`` decides whether a return
    is late (default: now); ``today`` is the day validation runs (default: today), so a
    return for a period that has not ended yet is refused."""
    from unionroll.core.ingest import IngestOptions, ingest_paths

    options = IngestOptions(received_at=received_at, today=today)
    return ingest_paths(workspace, paths, options=options)


# --- plugins -----------------------------------------------------------------------------


def check_plugin_manager(pm: pluggy.PluginManager) -> None:
    """Fail with the plugin's name when a registered plugin implements an unknown hook
    or asks for an argument its hook does not have."""
    from unionroll.core.plugins import _check_pending

    _check_pending(pm)


@contextmanager
def registered_plugin(
    plugin: object, *, name: str | None = None, pm: pluggy.PluginManager | None = None
) -> Iterator[pluggy.PluginManager]:
    """Register ``plugin`` (a module, class or object with hook implementations) for the
    duration of a ``with`` block; yields the plugin manager.

    ``pm`` defaults to the process-wide manager that commands and workspaces use.
    """
    from unionroll.core.plugins import get_plugin_manager

    pm = pm or get_plugin_manager()
    registered = pm.register(plugin, name=name)
    try:
        check_plugin_manager(pm)
        yield pm
    finally:
        if registered is not None and pm.get_plugin(registered) is not None:
            pm.unregister(name=registered)


# --- reports -----------------------------------------------------------------------------


@dataclass
class RenderedReport:
    """What one report wrote, with a way to read each file back."""

    kind: str
    out_dir: Path
    files: list[Path] = field(default_factory=list)

    def file(self, fmt: str) -> Path:
        """The file written in format ``fmt`` (``md``, ``xlsx``, ...)."""
        matches = [f for f in self.files if f.suffix.lower() == "." + fmt.lower().lstrip(".")]
        if len(matches) != 1:
            raise AssertionError(
                f"report {self.kind} wrote {len(matches)} .{fmt} files: {self.files}"
            )
        return matches[0]

    def read(self, fmt: str) -> Any:
        """The file of format ``fmt``, read back with :func:`read_output`."""
        return read_output(self.file(fmt))


def render_report(
    workspace: Workspace,
    kind: str,
    period: str | Period = "2025H1",
    *,
    formats: Sequence[str] = (),
    settings: dict[str, Any] | None = None,
    out_dir: str | Path | None = None,
    unit: str | None = None,
    templates_dir: str | Path | None = None,
    today: date = SAMPLE_TODAY,
) -> RenderedReport:
    """Roll up ``period`` and render one report into ``out_dir``, as ``unionroll report``
    does, except that an exception inside the report propagates (with its traceback)
    instead of being recorded.

    ``formats``: default the report's default formats. ``settings``: the report's
    settings; default what the workspace config says (``[reports.KIND]``/``[plugins.KIND]``).
    ``templates_dir``: a county template folder whose files replace the report's templates.
    """
    from unionroll.core.plugins import registered_reports
    from unionroll.core.rollup import rollup

    reports = registered_reports(workspace.pm)
    if kind not in reports:
        raise AssertionError(f"no report named {kind!r}; registered: {sorted(reports)}")
    report = reports[kind]
    target = Path(out_dir) if out_dir else workspace.root / "reports" / kind
    target.mkdir(parents=True, exist_ok=True)
    options = ReportOptions(
        formats=tuple(formats) or tuple(report.default_formats or report.formats),
        templates_dir=Path(templates_dir) if templates_dir else None,
        title_prefix=workspace.config.name,
        today=today,
        settings=dict(settings)
        if settings is not None
        else workspace.config.plugin_settings("reports", kind),
        pm=workspace.pm,
    )
    files = [Path(f) for f in report.render(rollup(workspace, period, unit=unit), target, options)]
    for f in files:
        if not f.is_file():
            raise AssertionError(f"report {kind} returned {f}, which does not exist")
    return RenderedReport(kind, target, files)


def read_output(path: str | Path) -> Any:
    """Read a written file back: ``.xlsx`` as {sheet name: rows of cell values};
    ``.docx`` as its paragraphs' text, one per line; anything else as UTF-8 text."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}
    if suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        return "\n".join(p.text for p in document.paragraphs)
    return path.read_text(encoding="utf-8")


# --- the command line --------------------------------------------------------------------


def run_cli(*args: str, workspace: Workspace | None = None, input: str | None = None) -> Result:
    """Run ``unionroll ARGS`` in-process (against ``workspace`` when given) and return the
    click Result. Commands that plugins added during the call are removed afterwards, so
    one test's command does not leak into the next."""
    from unionroll.cli.main import cli

    argv = list(args)
    if workspace is not None:
        argv = ["--workspace", str(workspace.root), "--db", workspace.db_url, *argv]
    before = set(cli.commands)
    try:
        return CliRunner().invoke(cli, argv, input=input, catch_exceptions=False)
    finally:
        for name in set(cli.commands) - before:
            cli.commands.pop(name, None)
