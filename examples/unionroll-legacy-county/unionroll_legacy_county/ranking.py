"""排名表: townships ranked by reporting rate and by key figures. Pure data, no files.

Everything comes from the :class:`~unionroll.core.rollup_types.RollupResult` a report is
given: each township node's ``completeness`` (expected and reported units of its subtree)
and its ``figures`` (rolled up by each indicator's aggregation type).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from unionroll.core.errors import ConfigError
from unionroll.core.rollup_types import RollupNode, RollupResult

DEFAULT_INDICATORS = (
    "needy_staff_visited",
    "care_funds",
    "blood_donors",
    "culture_participants",
    "training_participants",
)
RANKABLE = ("sum", "stock", "ratio", "count_yes")
SETTINGS_WHERE = "unionroll.toml 的 [reports.township-ranking]"


@dataclass(frozen=True)
class RateRow:
    rank: int | None
    code: str
    name: str
    expected: int
    reported: int
    partial: int
    missing: int
    late: int
    rate: float | None  # 0.75 for 75%; None when nobody was expected


@dataclass(frozen=True)
class FigureRow:
    rank: int | None
    code: str
    name: str
    value: float | None


@dataclass(frozen=True)
class FigureRanking:
    indicator_id: str
    label: str
    unit: str
    agg: str
    rows: tuple[FigureRow, ...]


@dataclass(frozen=True)
class Ranking:
    level: str
    level_name: str
    rates: tuple[RateRow, ...]
    figures: tuple[FigureRanking, ...]


def competition_ranks(values: Sequence[float | None]) -> list[int | None]:
    """Ranks with ties sharing a place (1, 2, 2, 4); None (no figure) gets no rank."""
    ranks: list[int | None] = []
    for value in values:
        if value is None:
            ranks.append(None)
        else:
            ranks.append(1 + sum(1 for v in values if v is not None and v > value))
    return ranks


def _ranked(nodes: list[RollupNode], key: Callable[[RollupNode], float | None]) -> list[Any]:
    """The nodes with their rank, best first; equal and missing values in code order."""
    values = [key(n) for n in nodes]
    ranks = competition_ranks(values)
    order = sorted(range(len(nodes)), key=lambda i: (ranks[i] is None, ranks[i] or 0))
    return [(ranks[i], nodes[i], values[i]) for i in order]


def ranking_level(rollup: RollupResult, settings: Mapping[str, Any]) -> str:
    """The level to rank: ``level`` from the settings, else the one below the top."""
    level = settings.get("level")
    levels = list(rollup.level_names)
    if level is None:
        return levels[1] if len(levels) > 1 else levels[0]
    if level not in levels:
        raise ConfigError(
            f"{SETTINGS_WHERE} 中 level = {level!r} 不是工作区的层级（可用：{'、'.join(levels)}）"
        )
    return str(level)


def ranking_indicators(rollup: RollupResult, settings: Mapping[str, Any]) -> list[str]:
    wanted = settings.get("indicators", DEFAULT_INDICATORS)
    if not isinstance(wanted, list | tuple) or not all(isinstance(x, str) for x in wanted):
        raise ConfigError(f"{SETTINGS_WHERE} 中 indicators 应为指标代码的列表，实际是 {wanted!r}")
    form = rollup.form
    for indicator_id in wanted:
        if not form.has_indicator(indicator_id):
            raise ConfigError(
                f"{SETTINGS_WHERE} 中的指标 {indicator_id} 不在报表“{form.title}”中"
                "（unionroll form show 可列出全部指标）"
            )
        agg = form.indicator(indicator_id).agg
        if agg not in RANKABLE:
            raise ConfigError(
                f"{SETTINGS_WHERE} 中的指标 {indicator_id} 不是数值指标（汇总方式 {agg}），无法排名"
            )
    return list(wanted)


def rank(rollup: RollupResult, settings: Mapping[str, Any] | None = None) -> Ranking:
    settings = settings or {}
    level = ranking_level(rollup, settings)
    indicators = ranking_indicators(rollup, settings)
    nodes = rollup.at_level(level)
    rates = tuple(
        RateRow(
            rank=place,
            code=node.code,
            name=node.name,
            expected=node.completeness.expected,
            reported=node.completeness.reported,
            partial=len(node.completeness.partial),
            missing=len(node.completeness.missing),
            late=len(node.completeness.late),
            rate=value,
        )
        for place, node, value in _ranked(nodes, lambda n: n.completeness.rate)
    )
    figures = []
    for indicator_id in indicators:
        indicator = rollup.form.indicator(indicator_id)
        rows = tuple(
            FigureRow(place, node.code, node.name, value)
            for place, node, value in _ranked(nodes, lambda n, i=indicator_id: _value(n, i))
        )
        figures.append(
            FigureRanking(indicator_id, indicator.label, indicator.unit, indicator.agg, rows)
        )
    return Ranking(level, rollup.level_names.get(level, level), rates, tuple(figures))


def _value(node: RollupNode, indicator_id: str) -> float | None:
    figure = node.figure(indicator_id)
    if figure.agg == "count_yes":
        return float(figure.yes) if figure.yes is not None else None
    return figure.value
