"""The numbers the outlier checks compare a value with, from the stored returns.

At ingest (:class:`IngestOutliers`), each accepted return is compared with its unit's
returns of the previous periods and with the returns of the same level already stored for
the same period (or, while fewer than ``min_peers`` have arrived, the previous period's);
what it finds becomes warnings in the receipt. For a whole period
(:func:`find_outliers`: ``unionroll outliers`` and the workbook's 数据核查 sheet) every
return is compared with all the others, as they stand now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection, Engine

from unionroll.core.forms import FormDefinition
from unionroll.core.model import CheckedReturn, Finding, UnitInfo
from unionroll.core.outlier_checks import history_depth, outliers_of, previous_periods
from unionroll.core.outliers import Outlier, PeerPool, Values
from unionroll.core.periods import Period
from unionroll.core.tables import ACTIVE_STATUSES
from unionroll.core.tables import return_values as _V
from unionroll.core.tables import returns as _R
from unionroll.core.tables import units as _U


@dataclass(frozen=True)
class OutlierRow:
    """An outlier found in a stored return, for the county's list."""

    unit_code: str
    unit_name: str
    level: str
    period: str
    source_name: str
    location: str | None
    outlier: Outlier


def _numbers(values: dict[str, Any]) -> Values:
    return {
        k: float(v)
        for k, v in values.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


class IngestOutliers:
    """Outlier warnings for the returns of one ingest run."""

    def __init__(self, form: FormDefinition, level_names: dict[str, str]) -> None:
        self.form = form
        self.level_names = level_names
        self.depth = history_depth(form)
        self.min_peers = max(
            (
                i.outliers.peers.min_peers
                for i in form.indicators
                if i.outliers and i.outliers.peers
            ),
            default=0,
        )
        self._peers: dict[tuple[str, str], PeerPool] = {}

    def check_many(
        self, engine: Engine, returns: list[tuple[CheckedReturn, UnitInfo, str]]
    ) -> list[list[Finding]]:
        """The warnings for returns about to be stored, in their order: each return joins
        the peers of the returns after it. Their units' past is read at once."""
        if not returns or (self.depth == 0 and self.min_peers == 0):
            return [[] for _ in returns]
        with engine.connect() as conn:
            history = self._histories(conn, returns)
            return [
                self._check(conn, checked, unit, period_code, history)
                for checked, unit, period_code in returns
            ]

    def _check(
        self,
        conn: Connection,
        checked: CheckedReturn,
        unit: UnitInfo,
        period_code: str,
        histories: dict[tuple[str, str, bool], Values],
    ) -> list[Finding]:
        period = Period.parse(period_code)
        values = _numbers(checked.values)
        consolidated = bool(checked.data.consolidated)
        history = [
            (p, histories[(unit.code, p.code, consolidated)])
            for p in previous_periods(period, self.depth)
            if (unit.code, p.code, consolidated) in histories
        ]
        peers: PeerPool | None = None
        if not consolidated:  # a consolidated return stands for an area, not for a unit
            current = self._pool(conn, unit.level, period)
            peers = current
            if len(current) < self.min_peers:
                peers = self._pool(conn, unit.level, period.previous())
        found = outliers_of(
            self.form,
            period,
            values,
            history,
            peers,
            level=unit.level,
            level_name=self.level_names.get(unit.level, "单位"),
        )
        if not consolidated:
            current.put(unit.code, values)  # a peer of the returns after it
        return [
            Finding(
                "warning",
                f"outlier_{o.method}",
                o.message,
                checked.value_locations.get(o.indicator_id),
                indicator_id=o.indicator_id,
                label=o.label,
                found=o.value,
            )
            for o in found
        ]

    def _histories(
        self, conn: Connection, returns: list[tuple[CheckedReturn, UnitInfo, str]]
    ) -> dict[tuple[str, str, bool], Values]:
        """(unit code, period, consolidated) → stored values, for the past periods of
        ``returns``' units, in one query."""
        codes = sorted({unit.code for _, unit, _ in returns})
        past = sorted(
            {
                p.code
                for _, _, pcode in returns
                for p in previous_periods(Period.parse(pcode), self.depth)
            }
        )
        found: dict[tuple[str, str, bool], Values] = defaultdict(dict)
        if not past:
            return found
        rows = conn.execute(_HISTORY, {"codes": codes, "periods": past}).all()
        for row in rows:
            found[(row.code, row.period, bool(row.consolidated))][row.indicator_id] = row.num
        return found

    def _pool(self, conn: Connection, level: str, period: Period) -> PeerPool:
        key = (level, period.code)
        pool = self._peers.get(key)
        if pool is None:
            rows = conn.execute(
                _POOL, {"level": level, "period": period.code, "statuses": list(ACTIVE_STATUSES)}
            ).all()
            stored: dict[str, Values] = defaultdict(dict)
            for row in rows:
                stored[row.code][row.indicator_id] = row.num
            pool = self._peers[key] = PeerPool()
            for code, vals in stored.items():
                pool.put(code, vals)
        return pool


_VALUES = (
    select(
        _U.c.code,
        _U.c.name,
        _U.c.level,
        _R.c.period,
        _R.c.consolidated,
        _R.c.source_name,
        _V.c.indicator_id,
        _V.c.num,
        _V.c.location,
    )
    .select_from(_R.join(_U, _U.c.id == _R.c.unit_id).join(_V, _V.c.return_id == _R.c.id))
    .where(_R.c.status.in_(ACTIVE_STATUSES), _V.c.num.is_not(None))
)


# The past of some units, and bound once: it is read for every group of returns stored.
_HISTORY = (
    select(_U.c.code, _R.c.period, _R.c.consolidated, _V.c.indicator_id, _V.c.num)
    .select_from(_R.join(_U, _U.c.id == _R.c.unit_id).join(_V, _V.c.return_id == _R.c.id))
    .where(
        _R.c.status.in_(ACTIVE_STATUSES),
        _V.c.num.is_not(None),
        _U.c.code.in_(bindparam("codes", expanding=True)),
        _R.c.period.in_(bindparam("periods", expanding=True)),
    )
)


# Only what a pool needs, and bound once: a pool is loaded for each level and period of
# every ingest run.
_POOL = (
    select(_U.c.code, _V.c.indicator_id, _V.c.num)
    .select_from(_R.join(_U, _U.c.id == _R.c.unit_id).join(_V, _V.c.return_id == _R.c.id))
    .where(
        _R.c.status.in_(bindparam("statuses", expanding=True)),
        _V.c.num.is_not(None),
        _U.c.level == bindparam("level"),
        _R.c.period == bindparam("period"),
        _R.c.consolidated.is_(False),
    )
)


def find_outliers(
    conn: Connection,
    form: FormDefinition,
    period: Period,
    level_names: dict[str, str],
    *,
    codes: set[str] | None = None,
) -> list[OutlierRow]:
    """Every outlier in the active returns of ``period``'s reporting periods (of the units
    in ``codes``, when given), each compared with its unit's past and with all the other
    returns of its level and period."""
    quarters = period.subperiods(form.period_type)
    depth = history_depth(form)
    wanted = {q.code for q in quarters}
    for q in quarters:
        wanted.update(p.code for p in previous_periods(q, depth))
    rows = conn.execute(_VALUES.where(_R.c.period.in_(sorted(wanted)))).all()
    values: dict[tuple[str, str, bool], Values] = defaultdict(dict)
    info: dict[tuple[str, str, bool], tuple[str, str, str]] = {}
    locations: dict[tuple[str, str, bool, str], str | None] = {}
    for row in rows:
        key = (row.code, row.period, bool(row.consolidated))
        values[key][row.indicator_id] = row.num
        info[key] = (row.name, row.level, row.source_name)
        locations[(*key, row.indicator_id)] = row.location
    by_level: dict[tuple[str, str], PeerPool] = defaultdict(PeerPool)
    for (code, pcode, consolidated), vals in values.items():
        if not consolidated:
            by_level[(info[(code, pcode, consolidated)][1], pcode)].put(code, vals)
    out: list[OutlierRow] = []
    for key in sorted(k for k in values if k[1] in wanted and Period.parse(k[1]) in quarters):
        code, pcode, consolidated = key
        if codes is not None and code not in codes:
            continue
        name, level, source = info[key]
        q = Period.parse(pcode)
        history = [
            (p, values[(code, p.code, consolidated)])
            for p in previous_periods(q, depth)
            if (code, p.code, consolidated) in values
        ]
        peers = None if consolidated else by_level[(level, pcode)]
        for o in outliers_of(
            form,
            q,
            values[key],
            history,
            peers,
            level=level,
            level_name=level_names.get(level, "单位"),
        ):
            out.append(
                OutlierRow(
                    code, name, level, pcode, source, locations.get((*key, o.indicator_id)), o
                )
            )
    return out


def workspace_outliers(
    workspace: Any, period: Period | str, *, unit: str | None = None
) -> list[OutlierRow]:
    """:func:`find_outliers` for a workspace: the whole county, or ``unit``'s subtree
    (its units are still compared with every unit of their level)."""
    from unionroll.core.rollup_extract import period_slots
    from unionroll.core.units import require_unit, subtree_ids

    period = Period.parse(period)
    form = workspace.form
    period_slots(form, period)  # a period shorter than the form's is a usage error
    codes: set[str] | None = None
    if unit is not None:
        with workspace.session() as session:
            ids = subtree_ids(session, require_unit(session, unit).id)
            codes = set(session.scalars(select(_U.c.code).where(_U.c.id.in_(ids))))
    level_names = {lv.id: lv.name for lv in workspace.config.levels}
    with workspace.engine.connect() as conn:
        rows = find_outliers(conn, form, period, level_names, codes=codes)
    order = {lv.id: i for i, lv in enumerate(workspace.config.levels)}
    return sorted(rows, key=lambda r: (r.period, order.get(r.level, 99), r.unit_code))
