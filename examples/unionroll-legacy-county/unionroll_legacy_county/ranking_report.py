"""Report ``township-ranking``: the 排名表 as .xlsx and Markdown.

Settings (``[reports.township-ranking]`` in unionroll.toml, given as
``options.settings``): ``indicators`` (ids to rank by), ``level`` (level id to rank,
default the one below the top). The Markdown is rendered from ``templates/ranking.md.j2``;
a file of that name in the county's template folder replaces it, and other plugins'
``prepare_jinja2_environment`` and ``extra_report_context`` apply, as for built-in reports.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import xlsxwriter
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from unionroll.core.contracts import Report, ReportOptions
from unionroll.core.hookcalls import prepare_environment, report_context
from unionroll.core.rollup_types import RollupResult
from unionroll.core.zh import format_number, format_percent
from unionroll_legacy_county.ranking import Ranking, rank

NAME = "township-ranking"
TEMPLATE = "ranking.md.j2"
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def md_cell(value: object) -> str:
    """Text that stays inside one Markdown table cell."""
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def make_environment(options: ReportOptions) -> Environment:
    loaders: list[Any] = []
    if options.templates_dir:
        loaders.append(FileSystemLoader(str(options.templates_dir)))
    loaders.append(PackageLoader("unionroll_legacy_county", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Markdown, not HTML; cells are escaped with md_cell
    )
    env.filters["md_cell"] = md_cell
    env.filters["num"] = format_number
    env.filters["pct"] = format_percent
    prepare_environment(options.pm, env)
    return env


def file_stem(rollup: RollupResult, options: ReportOptions, ranking: Ranking) -> str:
    stem = f"{options.title_prefix}{rollup.period.label_zh}{ranking.level_name}排名表"
    return _UNSAFE.sub("_", stem).strip("_") or "排名表"


def _write_atomic(path: Path, write: Any) -> Path:
    tmp = path.with_name(path.name + ".part")
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_markdown(
    path: Path, rollup: RollupResult, ranking: Ranking, options: ReportOptions
) -> Path:
    env = make_environment(options)
    context: dict[str, Any] = {
        "title": file_stem(rollup, options, ranking),
        "org": options.title_prefix or rollup.workspace_name,
        "period": rollup.period,
        "ranking": ranking,
        "completeness": rollup.completeness,
    }
    context.update(report_context(options.pm, NAME, context))
    text = env.get_template(TEMPLATE).render(**context)
    return _write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_workbook(path: Path, ranking: Ranking, title: str) -> Path:
    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        pct = wb.add_format({"num_format": "0.0%"})
        heading = wb.add_format({"bold": True, "font_size": 14})
        name = ranking.level_name

        ws = wb.add_worksheet("报送率排名")
        ws.write_string(0, 0, title, heading)
        counts = ["应报单位", "实报单位", "部分报送", "未报", "逾期份数"]
        ws.write_row(2, 0, ["名次", name, "代码", *counts, "报送率"], bold)
        for r, row in enumerate(ranking.rates, start=3):
            ws.write(r, 0, row.rank if row.rank is not None else "—")
            ws.write_string(r, 1, row.name)
            ws.write_string(r, 2, row.code)
            ws.write_row(r, 3, [row.expected, row.reported, row.partial, row.missing, row.late])
            if row.rate is None:
                ws.write_string(r, 8, "—")
            else:
                ws.write_number(r, 8, row.rate, pct)
        ws.freeze_panes(3, 0)
        ws.set_column(1, 1, 18)
        ws.set_column(3, 8, 10)

        for figure in ranking.figures:
            sheet = wb.add_worksheet(figure.label[:31])
            unit = f"（{figure.unit}）" if figure.unit else ""
            sheet.write_string(0, 0, f"{figure.label}{unit}", heading)
            sheet.write_row(2, 0, ["名次", name, "代码", f"{figure.label}{unit}"], bold)
            for r, row in enumerate(figure.rows, start=3):
                sheet.write(r, 0, row.rank if row.rank is not None else "—")
                sheet.write_string(r, 1, row.name)
                sheet.write_string(r, 2, row.code)
                if row.value is None:
                    sheet.write_string(r, 3, "—")
                elif figure.agg == "ratio":
                    sheet.write_number(r, 3, row.value, pct)
                else:
                    sheet.write_number(r, 3, row.value)
            sheet.freeze_panes(3, 0)
            sheet.set_column(1, 1, 18)
            sheet.set_column(3, 3, 16)
        wb.close()

    return _write_atomic(path, write)


class TownshipRankingReport(Report):
    name: ClassVar[str] = NAME
    description: ClassVar[str] = "各学区按报送率和主要指标排名"
    formats: ClassVar[tuple[str, ...]] = ("xlsx", "md")
    default_formats: ClassVar[tuple[str, ...]] = ("xlsx", "md")

    def render(self, rollup: RollupResult, out_dir: Path, options: ReportOptions) -> list[Path]:
        ranking = rank(rollup, options.settings)
        stem = file_stem(rollup, options, ranking)
        written = []
        for fmt in options.formats:
            target = out_dir / f"{stem}.{fmt}"
            if fmt == "xlsx":
                written.append(write_workbook(target, ranking, stem))
            elif fmt == "md":
                written.append(write_markdown(target, rollup, ranking, options))
        return written
