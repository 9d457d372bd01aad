"""unionroll-legacy-county: a third-party unionroll plugin.

- adapter ``legacy-summary``: reads a county's old 汇总表 (one row per school, one column
  per indicator, Chinese headers) into standard returns, through ``mapping.toml``;
- report ``township-ranking``: the 排名表, townships ranked by reporting rate and by key
  figures, as .xlsx and Markdown.

unionroll finds this module through the entry point in pyproject.toml::

    [project.entry-points.unionroll]
    unionroll-legacy-county = "unionroll_legacy_county"
"""

from __future__ import annotations

from unionroll.core.contracts import Adapter, Report
from unionroll.core.hookspecs import hookimpl
from unionroll_legacy_county.ranking_report import TownshipRankingReport
from unionroll_legacy_county.summary_sheet import LegacySummaryAdapter

__version__ = "0.1.0"


@hookimpl
def register_adapters() -> list[Adapter]:
    return [LegacySummaryAdapter()]


@hookimpl
def register_reports() -> list[Report]:
    return [TownshipRankingReport()]
