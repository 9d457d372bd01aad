"""One return's values checked by its form's outlier rules: each indicator against the
unit's own past and against its peers (:mod:`unionroll.core.outliers` has the checks on
one value, :mod:`unionroll.core.outlier_data` the numbers from the store)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from unionroll.core.forms import FormDefinition, Indicator, per_form
from unionroll.core.outlier_rules import HistoryRule, PeerRule
from unionroll.core.outliers import (
    Outlier,
    PastValue,
    PeerPool,
    Values,
    check_history,
    check_peers,
)
from unionroll.core.periods import Period


def history_depth(form: FormDefinition) -> int:
    """How many previous periods any indicator's history check looks at."""
    depths = [
        i.outliers.history.quarters for i in form.indicators if i.outliers and i.outliers.history
    ]
    return max(depths, default=0)


@functools.lru_cache(maxsize=256)
def previous_periods(period: Period, n: int) -> tuple[Period, ...]:
    """The ``n`` periods before ``period``, latest first (asked for each return stored)."""
    out, p = [], period
    for _ in range(n):
        p = p.previous()
        out.append(p)
    return tuple(out)


def _past_label(form: FormDefinition, period: Period, past: Period) -> str:
    if past == period.previous():
        return "上季度" if form.period_type.value == "quarter" else "上期"
    return past.label_zh


@dataclass(frozen=True)
class _Check:
    """One indicator's checks for a level, looked up once: the rules, and the label of the
    indicator its peer check divides by."""

    ind: Indicator
    history: HistoryRule | None
    peers: PeerRule | None
    per_label: str


@per_form
def _plan(form: FormDefinition, level: str) -> list[_Check]:
    """The checks of ``form`` that apply to ``level``'s returns."""
    checks = []
    for ind in form.indicators:
        rule = ind.outliers
        if rule is None or not ind.applies_to(level):
            continue
        peers = rule.peers
        if peers is not None and peers.per == ind.id:
            peers = None  # per member of staff, the staff count is always 1
        per_label = form.indicator(peers.per).label if peers and peers.per else ""
        if rule.history or peers:
            checks.append(_Check(ind, rule.history, peers, per_label))
    return checks


def outliers_of(
    form: FormDefinition,
    period: Period,
    values: Values,
    history: Sequence[tuple[Period, Values]],
    peers: PeerPool | None,
    *,
    level: str,
    level_name: str,
) -> list[Outlier]:
    """The outliers among one return's ``values``: ``history`` is the unit's own previous
    periods, latest first; ``peers`` the returns of its level for the period (None: no
    peer check, as for a consolidated return)."""
    found: list[Outlier] = []
    labelled = [(_past_label(form, period, p), v) for p, v in history]
    for check in _plan(form, level):
        ind = check.ind
        value = values.get(ind.id)
        if value is None:
            continue
        hit = None
        if check.history and labelled:
            past = [
                PastValue(label, v[ind.id])
                for label, v in labelled[: check.history.quarters]
                if ind.id in v
            ]
            hit = check_history(ind, value, past, check.history)
        if hit is None and check.peers and peers is not None:
            hit = _peer_check(ind, check.peers, value, values, peers, level_name, check.per_label)
        if hit is not None:
            found.append(hit)
    return found


def _peer_check(
    ind: Indicator,
    rule: PeerRule,
    value: float,
    values: Values,
    peers: PeerPool,
    level_name: str,
    per_label: str,
) -> Outlier | None:
    per = rule.per
    base = values.get(per) if per else None
    # Units without the figure to divide by (a township's own return has no staff count)
    # are compared as they are, with the peers that lack it too.
    stats = peers.stats(ind.id, per, rated=bool(base))
    if not base:
        return check_peers(ind, value, stats, rule, level_name=level_name)
    per_unit = (base, per_label)
    return check_peers(ind, value / base, stats, rule, level_name=level_name, per=per_unit)
