"""The rollup workbook (汇总工作簿): every rolled-up figure in an .xlsx the county can check.

Sheets: the total by section, one row per township, one row per school, reporting
status and the units to chase, awards, events, highlights, problems, next-half plans,
targets against actuals, the values to check (数据核查), and native Excel charts.
Registered as the ``workbook`` report.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from unionroll.core.contracts import Report, ReportOptions
from unionroll.core.errors import UsageError
from unionroll.core.hookspecs import hookimpl
from unionroll.plugins.workbook_base import clean_text

if TYPE_CHECKING:
    from unionroll.core.rollup_types import RollupResult

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def workbook_filename(rollup: RollupResult, options: ReportOptions) -> str:
    """青山县教育工会2025年上半年汇总表.xlsx; a rollup of part of the tree names its top unit."""
    scope = rollup.root.name if rollup.root.parent is not None else ""
    stem = f"{options.title_prefix}{scope}{rollup.period.label_zh}汇总表"
    stem = _UNSAFE_NAME.sub("_", clean_text(stem)).strip(" .") or "汇总表"
    return f"{stem}.xlsx"


def write_workbook(rollup: RollupResult, path: Path, options: ReportOptions) -> Path:
    """Write the workbook to ``path`` atomically (:mod:`.workbook_write`, imported here
    because every command registers this report and few write it)."""
    from unionroll.plugins.workbook_write import write_workbook as write

    return write(rollup, path, options)


class WorkbookReport(Report):
    name = "workbook"
    description = (
        "汇总工作簿：全县汇总、按学区、按学校、报送情况、审核情况、获奖、活动、"
        "计划与目标、图表（.xlsx）"
    )
    formats = ("xlsx",)
    default_formats = ("xlsx",)

    def render(self, rollup: RollupResult, out_dir: Path, options: ReportOptions) -> list[Path]:
        wanted = options.formats or self.default_formats
        unknown = [f for f in wanted if f not in self.formats]
        if unknown:
            raise UsageError(
                f"汇总工作簿不支持格式 {'、'.join(unknown)}，只能生成 {'、'.join(self.formats)}。"
            )
        path = Path(out_dir) / workbook_filename(rollup, options)
        return [write_workbook(rollup, path, options)]


@hookimpl
def register_reports() -> list[Report]:
    return [WorkbookReport()]
