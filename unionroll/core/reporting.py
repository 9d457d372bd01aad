"""Run report plugins on a rollup: choose the reports and formats, isolate failures.

A report plugin that raises does not stop the others: its error is recorded with the
plugin's name and the run goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from unionroll.core.contracts import Report, ReportOptions
from unionroll.core.errors import UnionrollError, UsageError
from unionroll.core.periods import Period
from unionroll.core.workspace import Workspace

# Unless a date is set, a report written long after its period is dated as if written on
# time: ten days after the period ended, when the returns are in.
REPORT_DAYS_AFTER_END = 10


@dataclass
class ReportOutcome:
    name: str
    description: str
    files: list[Path] = field(default_factory=list)
    error: str | None = None


@dataclass
class ReportRun:
    period: Period
    out_dir: Path
    outcomes: list[ReportOutcome]
    completeness: str = ""

    @property
    def ok(self) -> bool:
        return all(o.error is None for o in self.outcomes)

    @property
    def files(self) -> list[Path]:
        return [f for o in self.outcomes for f in o.files]


def _resolve(workspace: Workspace, value: str | Path | None) -> Path | None:
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else workspace.root / path


def choose_reports(
    reports: dict[str, Report], kinds: tuple[str, ...], formats: tuple[str, ...]
) -> list[tuple[Report, tuple[str, ...]]]:
    """The reports to run and the formats each writes; unknown names are a usage error."""
    unknown = [k for k in kinds if k not in reports]
    if unknown:
        raise UsageError(
            f"没有名为 {'、'.join(unknown)} 的报告。可用的报告：{'、'.join(sorted(reports))}"
        )
    chosen = []
    for name in kinds or tuple(sorted(reports)):
        report = reports[name]
        wanted = tuple(f for f in report.formats if not formats or f in formats)
        if not formats:
            wanted = tuple(report.default_formats or report.formats)
        if not wanted:
            if kinds:
                raise UsageError(
                    f"报告 {name} 不能输出 {'、'.join(formats)} 格式"
                    f"（可用：{'、'.join(report.formats)}）。"
                )
            continue
        chosen.append((report, wanted))
    if not chosen:
        raise UsageError(f"没有报告能输出 {'、'.join(formats)} 格式。")
    return chosen


def run_reports(
    workspace: Workspace,
    period: Period | str,
    *,
    kinds: tuple[str, ...] = (),
    formats: tuple[str, ...] = (),
    out_dir: Path | None = None,
    templates_dir: str | Path | None = None,
    docx_template: str | Path | None = None,
    unit: str | None = None,
    today: date | str | None = None,
    approved_only: bool = False,
) -> ReportRun:
    from unionroll.core.outlier_data import workspace_outliers
    from unionroll.core.plugins import registered_reports
    from unionroll.core.rollup import rollup

    period = Period.parse(period)
    pm = workspace.pm
    chosen = choose_reports(registered_reports(pm), kinds, formats)
    templates = _resolve(workspace, templates_dir or workspace.config.templates_dir)
    if templates is not None and not templates.is_dir():
        raise UsageError(f"模板文件夹 {templates} 不存在。")
    word = _resolve(
        workspace, docx_template or workspace.config.raw.get("reports", {}).get("docx_template")
    )
    if word is not None and not word.is_file():
        raise UsageError(f"Word 模板 {word} 不存在。")
    signed = report_date(workspace, period, today)
    result = rollup(workspace, period, unit=unit, approved_only=approved_only)
    result.outliers = workspace_outliers(workspace, period, unit=unit)
    target = out_dir or workspace.root / "reports" / period.code
    target.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for report, wanted in chosen:
        options = ReportOptions(
            formats=wanted,
            templates_dir=templates,
            docx_template=word,
            title_prefix=workspace.config.name,
            today=signed,
            settings=_settings(workspace, report.name),
            pm=pm,
        )
        outcome = ReportOutcome(report.name, report.description)
        try:
            outcome.files = list(report.render(result, target, options) or [])
        except UnionrollError as exc:
            outcome.error = str(exc)
        except Exception as exc:  # a broken plugin must not stop the other reports
            outcome.error = f"报告插件 {report.name} 出错：{type(exc).__name__}: {exc}"
        outcomes.append(outcome)
    return ReportRun(period, target, outcomes, result.completeness.summary_zh)


def report_date(workspace: Workspace, period: Period, given: date | str | None = None) -> date:
    """The date the documents are signed with: ``given`` (``--date``), else ``[reports] date``
    of the workspace config, else today, or ten days after the period ended when the
    reports are written later than that."""
    from unionroll.core.unit_check import parse_date

    if given is not None:
        try:
            day = parse_date(given)
        except ValueError:
            day = None
        if day is None:
            raise UsageError(f"无法识别的日期“{given}”。请写成 2025-07-10 或 2025年7月10日。")
        return day
    configured = workspace.config.raw.get("reports", {}).get("date")
    if configured not in (None, ""):
        try:
            day = parse_date(configured)
        except ValueError:
            day = None
        if day is None:
            raise UsageError(
                f"配置文件 unionroll.toml 中 [reports] 的 date “{configured}” 无法识别。"
                '请写成 2025-07-10 或 "2025年7月10日"，或删去这一行。'
            )
        return day
    return period.report_date(date.today(), REPORT_DAYS_AFTER_END)


def _settings(workspace: Workspace, name: str) -> dict[str, object]:
    """A report's settings: ``[reports.NAME]`` over ``[plugins.NAME]``."""
    return workspace.config.plugin_settings("reports", name)
