"""The JSON document and the CSV table of ``unionroll rollup`` (docs/rollup.md)."""

from __future__ import annotations

import csv
import io
from typing import Any

from unionroll.core.forms import Indicator
from unionroll.core.rollup_format import plain_value
from unionroll.core.rollup_types import RollupNode, RollupResult

JSON_FORMAT_VERSION = 1


def rollup_json(result: RollupResult, listed: list[RollupNode]) -> dict[str, Any]:
    """The JSON document of ``unionroll rollup --format json`` (see docs/rollup.md)."""
    form = result.form
    return {
        "format": "unionroll-rollup",
        "version": JSON_FORMAT_VERSION,
        "workspace": result.workspace_name,
        "period": result.period.code,
        "period_label": result.period.label_zh,
        "quarters": [q.code for q in result.quarters],
        "approved_only": result.approved_only,
        "form": {"id": form.id, "version": form.version, "title": form.title},
        "root": result.root.code,
        "indicators": [
            {
                "id": ind.id,
                "label": ind.label,
                "unit": ind.unit,
                "agg": ind.agg,
                "section": ind.section,
                "levels": list(ind.levels),
            }
            for ind in form.indicators
        ],
        "units": [
            {
                "code": node.code,
                "name": node.name,
                "level": node.level,
                "level_name": node.level_name,
                "parent": node.parent,
                "depth": node.depth,
                "children": list(node.children),
                "completeness": node.completeness.to_dict(),
                "figures": {k: f.to_dict() for k, f in node.figures.items()},
            }
            for node in listed
        ],
        "overlaps": [o.to_dict() for o in result.overlaps],
        "stale_stocks": [
            {
                "unit": s.unit.code,
                "indicator": s.indicator_id,
                "quarter": s.quarter,
                "value": s.value,
                "newer_quarter": s.newer_quarter,
            }
            for s in result.stale_stocks
        ],
        "warnings": list(result.warnings),
    }


def _csv_header(ind: Indicator) -> str:
    if ind.agg == "ratio":
        return f"{ind.label}（%）"
    if ind.agg == "count_yes":
        return f"{ind.label}（是的单位数）"
    return f"{ind.label}（{ind.unit}）" if ind.unit else ind.label


def rollup_csv(result: RollupResult, listed: list[RollupNode]) -> str:
    """One row per unit, one column per indicator, in the form's order (docs/rollup.md)."""
    inds = list(result.form.indicators)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    fixed = ["代码", "单位", "层级", "上级代码", "应报单位", "实报单位", "未报单位"]
    writer.writerow(fixed + [_csv_header(ind) for ind in inds])
    for node in listed:
        c = node.completeness
        figs = node.figures
        row: list[Any] = [
            node.code,
            node.name,
            node.level_name,
            node.parent or "",
            c.expected,
            c.reported,
            len(c.missing),
        ]
        for ind in inds:
            value = plain_value(figs[ind.id])
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            row.append("" if value is None else value)
        writer.writerow([_inert(cell) for cell in row])
    return buf.getvalue()


def _inert(cell: Any) -> Any:
    """Text that Excel or WPS would run as a formula (=, +, -, @, or a tab or CR first)
    gets a leading apostrophe, so it opens as the text it is."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
