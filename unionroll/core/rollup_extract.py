"""Reading what a rollup needs out of the store, as compact arrays.

Getting values out of the database is the real cost of a rollup (a province's half-year
is about 1.8 million values), and a Python loop over rows costs more than the database
does. So values are fetched in bulk, already packed (docs/rollup.md, "Performance"):

* SQLite: the values are scanned in two halves on two connections at once (SQLite
  releases the GIL while it works), each half as one ``json_group_array`` read back with
  one ``json.loads``. Each row's indicator comes from the indicator index and its return
  from the primary key index, without touching the table, so no text and no id travels
  per value. A small part of a large database is looked up by return instead.
* PostgreSQL: ``array_agg`` per indicator, sent with ``array_send`` as binary arrays
  that numpy reads in place; two connections split the returns between them.

Units and returns (tens of thousands of rows) are read through the driver's cursor;
register rows and text values, fewer, as rows or JSON columns.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from unionroll.core import migrate
from unionroll.core.errors import UsageError
from unionroll.core.forms import FormDefinition
from unionroll.core.periods import Period
from unionroll.core.review import approved_return_ids
from unionroll.core.store import (
    ACTIVE_STATUSES,
    ONCE_ACCEPTED_STATUSES,
    ReturnRecord,
    Unit,
    UnitClosure,
)
from unionroll.core.units import natural_key, require_unit
from unionroll.core.workspace import Workspace

# Below this many values one query on one connection is quicker than two.
_PARALLEL_MIN_VALUES = 200_000


@dataclass
class Hierarchy:
    """The units read for a rollup, in tree order (preorder, children by code)."""

    ids: np.ndarray  # database ids
    codes: list[str]
    names: list[str]
    levels: list[str]
    parent: np.ndarray  # position of the parent, -1 for the top unit read
    end: np.ndarray  # a unit's subtree is positions [i, end[i])
    depth: np.ndarray  # below the top unit read
    active_from: list[date | None]
    active_to: list[date | None]
    parent_code_of_top: str | None
    position: dict[int, int] = field(default_factory=dict)  # database id -> position

    @property
    def n(self) -> int:
        return len(self.codes)


@dataclass
class ReturnsTable:
    """Returns of the period (and of the previous one) of the units read."""

    id: np.ndarray
    unit: np.ndarray  # position in the hierarchy
    slot: np.ndarray  # index into Extract.slots
    active: np.ndarray  # accepted or accepted with warnings
    consolidated: np.ndarray
    submitted_at: list[datetime]
    source_name: list[str]

    @property
    def n(self) -> int:
        return len(self.id)


@dataclass
class ValuesTable:
    ret: np.ndarray  # position in ReturnsTable
    ind: np.ndarray  # position in the form's indicator list
    num: np.ndarray


@dataclass
class TextValues:
    ret: np.ndarray
    ind: np.ndarray
    text: list[str | None]
    num: list[float | None]


@dataclass
class RegisterRows:
    ret: np.ndarray
    register: list[str]
    row_no: list[int]
    category: list[str | None]
    level: list[str | None]
    month: list[int | None]
    raw: list[str]


@dataclass
class Extract:
    form: FormDefinition
    period: Period
    previous: Period
    slots: list[Period]  # the period's quarters, then the previous period's
    n_current: int  # how many of ``slots`` belong to the period itself
    root: int  # position of the unit asked for
    hierarchy: Hierarchy
    returns: ReturnsTable
    values: ValuesTable
    texts: TextValues
    registers: RegisterRows
    warnings: list[str]


def period_slots(form: FormDefinition, period: Period) -> list[Period]:
    """The reporting periods of the form that make up ``period``."""
    if period.type.months < form.period_type.months:
        raise UsageError(
            f"{form.title}按{form.period_type.label_zh}报送，不能汇总{period.label_zh}；"
            f"请指定{form.period_type.label_zh}或更长的期间。"
        )
    return period.subperiods(form.period_type)


def extract(
    workspace: Workspace, period: Period, unit_code: str | None, *, approved_only: bool = False
) -> Extract:
    form = workspace.form
    engine = workspace.engine
    migrate.ensure_current(engine)
    slots_now = period_slots(form, period)
    previous = period.previous()
    slots_prev = period_slots(form, previous)
    slots = slots_now + slots_prev
    codes = [s.code for s in slots]
    indicators = {ind.id: i for i, ind in enumerate(form.indicators)}

    with engine.connect() as conn:
        root_id = _root_id(workspace, conn, unit_code)
        scope_id = _widen_scope(conn, root_id, codes)
        hierarchy = _load_units(conn, scope_id)
        returns = _load_returns(conn, hierarchy, scope_id, codes)
        if approved_only:
            # A return not (yet) approved counts as not reported.
            approved = approved_return_ids(conn, codes)
            returns.active &= np.fromiter(
                (int(i) in approved for i in returns.id), dtype=bool, count=len(returns.id)
            )
    root = hierarchy.position[root_id]

    current = returns.active & (returns.slot < len(slots_now))
    previous_ids = returns.id[returns.active & (returns.slot >= len(slots_now))]
    current_ids = returns.id[current]
    text_ids = [ind.id for ind in form.indicators if ind.agg in ("choice", "none")]
    fetcher = _fetcher(engine)
    id_pos = _IdIndex(returns.id)
    with ThreadPoolExecutor(max_workers=6) as pool:
        reg_job = pool.submit(fetcher.registers, current_ids, previous_ids)
        text_job = pool.submit(fetcher.texts, current_ids, text_ids) if text_ids else None
        numbers = fetcher.numbers(current_ids, indicators, pool)
        reg_rows = reg_job.result()
        text_rows = text_job.result() if text_job else ([], [], [], [])

    warnings: list[str] = []
    values = _values_table(numbers, id_pos, warnings)
    texts = _texts_table(text_rows, indicators, id_pos)
    registers = _register_table(reg_rows, id_pos)
    return Extract(
        form=form,
        period=period,
        previous=previous,
        slots=slots,
        n_current=len(slots_now),
        root=root,
        hierarchy=hierarchy,
        returns=returns,
        values=values,
        texts=texts,
        registers=registers,
        warnings=warnings,
    )


# --- units and returns -------------------------------------------------------------------


def _root_id(workspace: Workspace, conn: Connection, unit_code: str | None) -> int:
    if unit_code is not None:
        with workspace.session() as session:
            return require_unit(session, unit_code).id
    roots = conn.execute(select(Unit.id, Unit.code).where(Unit.parent_id.is_(None))).all()
    if not roots:
        raise UsageError("还没有单位。请先运行 unionroll units import 单位名单.xlsx")
    if len(roots) > 1:
        listed = "、".join(sorted((r.code for r in roots), key=natural_key))
        raise UsageError(f"有多个最上级单位（{listed}），请用 --unit 指定要汇总的单位。")
    return int(roots[0].id)


def _widen_scope(conn: Connection, root_id: int, periods: list[str]) -> int:
    """The unit whose subtree must be read: the unit asked for, or the highest unit above
    it with a consolidated return in one of the quarters, since that return decides which
    returns under it count."""
    above = (
        select(UnitClosure.ancestor_id, UnitClosure.depth)
        .where(UnitClosure.descendant_id == root_id, UnitClosure.depth > 0)
        .subquery()
    )
    row = conn.execute(
        select(above.c.ancestor_id)
        .join(ReturnRecord, ReturnRecord.unit_id == above.c.ancestor_id)
        .where(
            ReturnRecord.period.in_(periods),
            ReturnRecord.status.in_(ACTIVE_STATUSES),
            ReturnRecord.consolidated.is_(True),
        )
        .order_by(above.c.depth.desc())
        .limit(1)
    ).first()
    return int(row[0]) if row else root_id


def _raw_rows(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows through the driver's own cursor, without SQLAlchemy's per-row processing
    (``%s`` placeholders; SQLite's dates and times arrive as ISO text)."""
    if conn.dialect.name != "postgresql":
        sql = sql.replace("%s", "?")
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql, tuple(params))
        return cursor.fetchall()
    finally:
        cursor.close()


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


_DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")


def _sort_codes(ids: list[int], by_id: dict[int, Any]) -> None:
    """Children in natural code order (2 before 10). Codes of one shape (C001T01S01,
    C001T01S02 ...) sort the same as plain text, which is much quicker."""
    shapes = {by_id[i][1].translate(_DIGITS_TO_ZERO) for i in ids}
    if len(shapes) == 1:
        ids.sort(key=lambda i: by_id[i][1])
    else:
        ids.sort(key=lambda i: natural_key(by_id[i][1]))


def _load_units(conn: Connection, scope_id: int) -> Hierarchy:
    has_parent = conn.execute(select(Unit.parent_id).where(Unit.id == scope_id)).scalar()
    sql = "SELECT id, code, name, level, parent_id, active_from, active_to FROM units"
    params: tuple[Any, ...] = ()
    if has_parent is not None:
        sql += " WHERE id IN (SELECT descendant_id FROM unit_closure WHERE ancestor_id = %s)"
        params = (scope_id,)
    rows = _raw_rows(conn, sql, params)
    by_id = {r[0]: r for r in rows}
    kids: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        if r[0] != scope_id and r[4] in by_id:
            kids[r[4]].append(r[0])
    for children in kids.values():
        if len(children) > 1:
            _sort_codes(children, by_id)
    order: list[int] = []
    parent_pos: list[int] = []
    depth: list[int] = []
    stack: list[tuple[int, int, int]] = [(scope_id, -1, 0)]
    while stack:
        uid, ppos, d = stack.pop()
        order.append(uid)
        parent_pos.append(ppos)
        depth.append(d)
        me = len(order) - 1
        stack.extend((c, me, d + 1) for c in reversed(kids.get(uid, ())))
    n = len(order)
    parent = np.asarray(parent_pos, dtype=np.int64)
    depth_arr = np.asarray(depth, dtype=np.int64)
    # In preorder a subtree is a run: it ends where its last descendant does.
    end_list = list(range(1, n + 1))
    for i in range(n - 1, 0, -1):
        p = parent_pos[i]
        if end_list[i] > end_list[p]:
            end_list[p] = end_list[i]
    parent_code = None
    if has_parent is not None:
        parent_code = conn.execute(select(Unit.code).where(Unit.id == has_parent)).scalar()
    sel = [by_id[i] for i in order]
    return Hierarchy(
        ids=np.asarray(order, dtype=np.int64),
        codes=[r[1] for r in sel],
        names=[r[2] for r in sel],
        levels=[r[3] for r in sel],
        parent=parent,
        end=np.asarray(end_list, dtype=np.int64),
        depth=depth_arr,
        active_from=[_as_date(r[5]) for r in sel],
        active_to=[_as_date(r[6]) for r in sel],
        parent_code_of_top=parent_code,
        position={uid: i for i, uid in enumerate(order)},
    )


def _load_returns(
    conn: Connection, hierarchy: Hierarchy, scope_id: int, periods: list[str]
) -> ReturnsTable:
    marks = ", ".join("%s" for _ in periods)
    states = ", ".join("%s" for _ in ONCE_ACCEPTED_STATUSES)
    sql = (
        "SELECT id, unit_id, period, status, consolidated, submitted_at, source_name "
        f"FROM returns WHERE period IN ({marks}) AND status IN ({states})"
    )
    params: list[Any] = [*periods, *ONCE_ACCEPTED_STATUSES]
    if hierarchy.parent_code_of_top is not None:
        sql += " AND unit_id IN (SELECT descendant_id FROM unit_closure WHERE ancestor_id = %s)"
        params.append(scope_id)
    rows = _raw_rows(conn, sql + " ORDER BY id", params)
    slot_of = {code: i for i, code in enumerate(periods)}
    pos = hierarchy.position
    rows = [row for row in rows if row[1] in pos]
    n = len(rows)
    return ReturnsTable(
        id=np.fromiter((row[0] for row in rows), dtype=np.int64, count=n),
        unit=np.fromiter((pos[row[1]] for row in rows), dtype=np.int64, count=n),
        slot=np.fromiter((slot_of[row[2]] for row in rows), dtype=np.int64, count=n),
        active=np.fromiter((row[3] in ACTIVE_STATUSES for row in rows), dtype=bool, count=n),
        consolidated=np.fromiter((bool(row[4]) for row in rows), dtype=bool, count=n),
        submitted_at=[_as_datetime(row[5]) for row in rows],
        source_name=[row[6] for row in rows],
    )


class _IdIndex:
    """Maps database return ids to positions in the returns table (-1 when not there)."""

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids  # sorted: the returns are read in id order

    def __call__(self, wanted: np.ndarray) -> np.ndarray:
        if self.ids.size == 0:
            return np.full(wanted.shape, -1, dtype=np.int64)
        at = np.searchsorted(self.ids, wanted)
        at = np.minimum(at, self.ids.size - 1)
        return np.where(self.ids[at] == wanted, at, -1)


# --- the bulk fetchers ----------------------------------------------------------------------

# Whole numbers travel as JSON integers: SQLite writes them far faster than floats, and
# they read back faster too. Other values come with SQLite's 15 significant digits.
_SQLITE_NUM = "iif(num = CAST(num AS INTEGER), CAST(num AS INTEGER), num)"


@dataclass
class Numbers:
    """Numeric values as read: return id, indicator position, value. An indicator not in
    the form is coded -2 - j, ``unknown[j]`` being its id."""

    rid: np.ndarray
    ind: np.ndarray
    num: np.ndarray
    unknown: list[str]

    @classmethod
    def empty(cls) -> Numbers:
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), [])

    @classmethod
    def from_codes(
        cls, rid: np.ndarray, codes: list[str], num: np.ndarray, indicators: dict[str, int]
    ) -> Numbers:
        unknown: dict[str, int] = {}
        ind = np.empty(len(codes), dtype=np.int64)
        for i, code in enumerate(codes):
            k = indicators.get(code)
            if k is None:
                k = -2 - unknown.setdefault(code, len(unknown))
            ind[i] = k
        return cls(rid, ind, num, list(unknown))


def _value_span(db: Any, first: int, last: int) -> np.ndarray:
    """Every row's value from ``first`` to ``last`` (by rowid), NaN where there is none;
    fewer than last - first + 1 values means rows are missing (deleted)."""
    sql = f"SELECT json_group_array({_SQLITE_NUM}) FROM return_values WHERE rowid BETWEEN ? AND ?"
    (text,) = db.execute(sql, (first, last)).fetchone()
    return np.asarray(json.loads(text), dtype=np.float64)


def _return_runs(db: Any, lo: int, hi: int) -> list[np.ndarray]:
    """Per return in the id range: id, first and last rowid of its values, how many."""
    sql = (
        "SELECT json_group_array(r), json_group_array(a), json_group_array(b), "
        "json_group_array(n) FROM (SELECT return_id AS r, min(rowid) AS a, max(rowid) AS b, "
        "count(*) AS n FROM return_values WHERE return_id BETWEEN ? AND ? GROUP BY return_id)"
    )
    row = db.execute(sql, (lo, hi)).fetchone()
    return [np.asarray(json.loads(text), dtype=np.int64) for text in row]


def _indicator_of_row(
    groups: list[tuple[str, str]], indicators: dict[str, int], total: int
) -> tuple[np.ndarray, list[str]]:
    """Each rowid's indicator position (-1: no row; see Numbers for unknown ones)."""
    ind_of_row = np.full(total + 1, -1, dtype=np.int32)
    unknown: list[str] = []
    for n, (indicator_id, rowids) in enumerate(groups):
        rows = np.asarray(json.loads(rowids), dtype=np.int64)
        groups[n] = (indicator_id, "")  # let the text go
        if indicator_id in indicators:
            ind_of_row[rows] = indicators[indicator_id]
        else:
            ind_of_row[rows] = -2 - len(unknown)
            unknown.append(indicator_id)
    return ind_of_row, unknown


def _rowid_indicators(db: Any, total: int) -> list[tuple[str, str]]:
    """Each indicator's value rows (rowids), read from the indicator index alone."""
    sql = (
        "SELECT indicator_id, json_group_array(rowid) FROM return_values "
        "INDEXED BY ix_return_values_indicator_id WHERE rowid BETWEEN 1 AND ? "
        "GROUP BY indicator_id"
    )
    try:
        return db.execute(sql, (total,)).fetchall()
    except Exception:  # the index is gone (a hand-made database): use the table itself
        return db.execute(
            sql.replace("INDEXED BY ix_return_values_indicator_id ", ""), (total,)
        ).fetchall()


def _fetcher(engine: Engine) -> _SqliteFetcher | _PostgresFetcher:
    if engine.dialect.name == "postgresql":
        return _PostgresFetcher(engine)
    return _SqliteFetcher(engine)


def _workers() -> int:
    return 2 if (os.cpu_count() or 1) >= 2 else 1


class _SqliteFetcher:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _run(self, fn: Callable[[Any], Any]) -> Any:
        raw = self.engine.raw_connection()
        try:
            return fn(raw.driver_connection)
        finally:
            raw.close()

    @staticmethod
    def _columns(
        db: Any, inner: str, params: Sequence[Any], n: int, dtypes: Sequence[Any] = ()
    ) -> list[Any]:
        """One JSON array per column; columns given a dtype become numpy arrays at once,
        so that only one column's Python objects exist at a time."""
        cols = ", ".join(f"json_group_array(c{i})" for i in range(n))
        row = list(db.execute(f"SELECT {cols} FROM ({inner})", tuple(params)).fetchone())
        out: list[Any] = []
        for i in range(n):
            text, row[i] = row[i], None
            values = json.loads(text)
            del text
            if i < len(dtypes) and dtypes[i] is not None:
                values = np.asarray(values, dtype=dtypes[i])
            out.append(values)
        return out

    def numbers(
        self, ids: np.ndarray, indicators: dict[str, int], pool: ThreadPoolExecutor
    ) -> Numbers:
        if ids.size == 0:
            return Numbers.empty()
        lo, hi = int(ids.min()), int(ids.max())
        total = self._run(
            lambda db: db.execute("SELECT max(rowid) FROM return_values").fetchone()[0] or 0
        )
        if not total:
            return Numbers.empty()
        estimate = int(ids.size) * max(1, len(indicators))
        if estimate * 4 < total:
            # A small part of the table: look each return's values up in the primary key.
            inner = (
                f"SELECT v.return_id AS c0, v.indicator_id AS c1, {_SQLITE_NUM} AS c2 "
                "FROM json_each(?) AS j CROSS JOIN return_values AS v ON v.return_id = j.value "
                "WHERE v.num IS NOT NULL"
            )
            cols = self._run(
                lambda db: self._columns(
                    db, inner, (json.dumps(ids.tolist()),), 3, (np.int64, None, np.float64)
                )
            )
            return Numbers.from_codes(cols[0], cols[1], cols[2], indicators)
        # Most of the table is wanted: scan it, in two halves at once, reading only the
        # values; each row's indicator and return come from the two indexes alone (no
        # table look-ups, no text per value). Rows of returns not wanted are dropped.
        n = _workers() if total >= _PARALLEL_MIN_VALUES else 1
        cuts = [round(total * i / n) for i in range(n + 1)]
        spans = [(cuts[i] + 1, cuts[i + 1]) for i in range(n) if cuts[i + 1] > cuts[i]]
        by_index = pool.submit(self._run, lambda db: _rowid_indicators(db, total))
        by_return = pool.submit(self._run, lambda db: _return_runs(db, lo, hi))
        parts = [
            pool.submit(self._run, lambda db, a=a, b=b: _value_span(db, a, b)) for a, b in spans
        ]
        runs = by_return.result()
        wanted = np.isin(runs[0], ids)
        contiguous = bool(np.all((runs[2] - runs[1] + 1 == runs[3])[wanted]))
        values = [p.result() for p in parts]
        gapless = all(v.size == b - a + 1 for v, (a, b) in zip(values, spans, strict=True))
        ind_of_row, unknown = _indicator_of_row(by_index.result(), indicators, total)
        if not (contiguous and gapless):
            # rows deleted by hand, or a return whose values were written in pieces
            return self._scan_with_ids(ids, lo, hi, spans, ind_of_row, unknown, pool)
        ret_of_row = np.full(total + 1, -1, dtype=np.int64)
        rid, first, counts = runs[0][wanted], runs[1][wanted], runs[3][wanted]
        offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        ret_of_row[np.repeat(first, counts) + offsets] = np.repeat(rid, counts)
        num = np.concatenate(values)
        rowid = np.arange(1, num.size + 1)
        keep = (ret_of_row[rowid] >= 0) & ~np.isnan(num)
        rowid = rowid[keep]
        return Numbers(
            rid=ret_of_row[rowid],
            ind=ind_of_row[rowid].astype(np.int64),
            num=num[keep],
            unknown=unknown,
        )

    def _scan_with_ids(
        self,
        ids: np.ndarray,
        lo: int,
        hi: int,
        spans: list[tuple[int, int]],
        ind_of_row: np.ndarray,
        unknown: list[str],
        pool: ThreadPoolExecutor,
    ) -> Numbers:
        scan = (
            f"SELECT rowid AS c0, return_id AS c1, {_SQLITE_NUM} AS c2 FROM return_values AS v "
            "WHERE rowid BETWEEN ? AND ? AND +return_id BETWEEN ? AND ? AND num IS NOT NULL"
        )
        parts = [
            pool.submit(
                self._run,
                lambda db, a=a, b=b: self._columns(
                    db, scan, (a, b, lo, hi), 3, (np.int64, np.int64, np.float64)
                ),
            )
            for a, b in spans
        ]
        rowid = np.concatenate([p.result()[0] for p in parts])
        rid = np.concatenate([p.result()[1] for p in parts])
        num = np.concatenate([p.result()[2] for p in parts])
        return Numbers(rid=rid, ind=ind_of_row[rowid].astype(np.int64), num=num, unknown=unknown)

    def texts(self, ids: np.ndarray, indicator_ids: list[str]) -> tuple[list[Any], ...]:
        if ids.size == 0:
            return [], [], [], []
        marks = ", ".join("?" for _ in indicator_ids)
        sql = (
            "SELECT v.return_id, v.indicator_id, v.num, v.text "
            "FROM json_each(?) AS j CROSS JOIN return_values AS v ON v.return_id = j.value "
            f"WHERE v.indicator_id IN ({marks})"
        )
        rows = self._run(
            lambda db: db.execute(sql, (json.dumps(ids.tolist()), *indicator_ids)).fetchall()
        )
        return _columns_of(rows, 4)

    def registers(self, current: np.ndarray, previous: np.ndarray) -> tuple[list[Any], ...]:
        sql = (
            "SELECT r.return_id AS c0, r.register AS c1, r.row_no AS c2, r.category AS c3, "
            "r.level AS c4, r.month AS c5, r.data AS c6 "
            "FROM json_each(?) AS j CROSS JOIN register_rows AS r ON r.return_id = j.value "
            "WHERE j.key < ? OR r.register = 'priorities'"
        )
        ids = np.concatenate([current, previous])
        if ids.size == 0:
            return tuple([] for _ in range(7))
        params = (json.dumps(ids.tolist()), int(current.size))
        cols = self._run(lambda db: self._columns(db, sql, params, 7))
        return tuple(cols)


class _PostgresFetcher:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _run(self, fn: Callable[[Any], Any]) -> Any:
        with self.engine.connect() as conn:
            return fn(conn.connection.driver_connection)

    @staticmethod
    def _group_query(db: Any, ids: list[int]) -> list[tuple[str, bytes, bytes]]:
        with db.cursor(binary=True) as cur:
            cur.execute(
                "SELECT v.indicator_id, array_send(array_agg(v.return_id)), "
                "array_send(array_agg(v.num)) FROM return_values v "
                "WHERE v.return_id = ANY(%s) AND v.num IS NOT NULL GROUP BY v.indicator_id",
                (ids,),
            )
            return cur.fetchall()

    def numbers(
        self, ids: np.ndarray, indicators: dict[str, int], pool: ThreadPoolExecutor
    ) -> Numbers:
        if ids.size == 0:
            return Numbers.empty()
        estimate = int(ids.size) * max(1, len(indicators))
        n = _workers() if estimate >= _PARALLEL_MIN_VALUES else 1
        chunks = [c.tolist() for c in np.array_split(ids, n) if c.size]
        futures = [pool.submit(self._run, lambda db, c=c: self._group_query(db, c)) for c in chunks]
        rids: list[np.ndarray] = []
        nums: list[np.ndarray] = []
        inds: list[np.ndarray] = []
        unknown: list[str] = []
        for future in futures:
            for indicator_id, rid_blob, num_blob in future.result():
                rid = _pg_array(rid_blob).astype(np.int64)
                k = indicators.get(indicator_id)
                if k is None:
                    if indicator_id not in unknown:
                        unknown.append(indicator_id)
                    k = -2 - unknown.index(indicator_id)
                rids.append(rid)
                nums.append(_pg_array(num_blob).astype(np.float64))
                inds.append(np.full(rid.size, k, dtype=np.int64))
        if not rids:
            return Numbers.empty()
        return Numbers(np.concatenate(rids), np.concatenate(inds), np.concatenate(nums), unknown)

    def texts(self, ids: np.ndarray, indicator_ids: list[str]) -> tuple[list[Any], ...]:
        if ids.size == 0:
            return [], [], [], []

        def run(db: Any) -> list[tuple[Any, ...]]:
            with db.cursor() as cur:
                cur.execute(
                    "SELECT return_id, indicator_id, num, text FROM return_values "
                    "WHERE return_id = ANY(%s) AND indicator_id = ANY(%s)",
                    (ids.tolist(), indicator_ids),
                )
                return cur.fetchall()

        return _columns_of(self._run(run), 4)

    def registers(self, current: np.ndarray, previous: np.ndarray) -> tuple[list[Any], ...]:
        if current.size + previous.size == 0:
            return tuple([] for _ in range(7))

        def run(db: Any) -> list[tuple[Any, ...]]:
            with db.cursor() as cur:
                cur.execute(
                    "SELECT return_id, register, row_no, category, level, month, data::text "
                    "FROM register_rows WHERE return_id = ANY(%s) "
                    "OR (return_id = ANY(%s) AND register = 'priorities')",
                    (current.tolist(), previous.tolist()),
                )
                return cur.fetchall()

        return _columns_of(self._run(run), 7)


_PG_ARRAY_TYPES = {23: ">i4", 20: ">i8", 21: ">i2", 701: ">f8", 700: ">f4"}


def _pg_array(blob: bytes | None) -> np.ndarray:
    """A one-dimensional PostgreSQL array without NULLs, from its binary form."""
    if blob is None:
        return np.empty(0)
    header = np.frombuffer(blob, dtype=">i4", count=3)
    if header[0] == 0:
        return np.empty(0)
    if header[0] != 1 or header[1] != 0:
        raise ValueError("unexpected array shape or NULL in array_send output")
    typ = _PG_ARRAY_TYPES[int(header[2])]
    n = int(np.frombuffer(blob, dtype=">i4", count=1, offset=12)[0])
    dtype = np.dtype([("len", ">i4"), ("v", typ)])
    return np.frombuffer(blob, dtype=dtype, count=n, offset=20)["v"]


def _columns_of(rows: list[tuple[Any, ...]], n: int) -> tuple[list[Any], ...]:
    if not rows:
        return tuple([] for _ in range(n))
    return tuple(list(col) for col in zip(*rows, strict=True))


# --- packing ---------------------------------------------------------------------------------


def _values_table(numbers: Numbers, id_pos: _IdIndex, warnings: list[str]) -> ValuesTable:
    ret = id_pos(numbers.rid)
    wanted = ret >= 0
    if numbers.unknown:
        codes = numbers.ind[wanted]
        counts = {name: int(np.sum(codes == -2 - j)) for j, name in enumerate(numbers.unknown)}
        names = sorted(name for name, n in counts.items() if n)
        if names:
            warnings.append(
                f"有 {sum(counts.values())} 个数值属于报表中没有的指标"
                f"（{'、'.join(names[:10])}{'等' if len(names) > 10 else ''}），未汇总。"
            )
    keep = wanted & (numbers.ind >= 0)
    return ValuesTable(ret=ret[keep], ind=numbers.ind[keep], num=numbers.num[keep])


def _texts_table(
    rows: tuple[list[Any], ...], indicators: dict[str, int], id_pos: _IdIndex
) -> TextValues:
    rid, codes, nums, texts = rows
    if not rid:
        return TextValues(np.empty(0, np.int64), np.empty(0, np.int64), [], [])
    ret = id_pos(np.asarray(rid, dtype=np.int64))
    ind = np.asarray([indicators.get(c, -1) for c in codes], dtype=np.int64)
    keep = np.flatnonzero((ret >= 0) & (ind >= 0))
    return TextValues(
        ret=ret[keep],
        ind=ind[keep],
        text=[texts[i] for i in keep],
        num=[nums[i] for i in keep],
    )


def _register_table(rows: tuple[list[Any], ...], id_pos: _IdIndex) -> RegisterRows:
    rid, register, row_no, category, level, month, raw = rows
    ret = id_pos(np.asarray(rid, dtype=np.int64)) if rid else np.empty(0, np.int64)
    if ret.size and (ret < 0).any():
        keep = np.flatnonzero(ret >= 0)
        pick = keep.tolist()
        return RegisterRows(
            ret=ret[keep],
            register=[register[i] for i in pick],
            row_no=[row_no[i] for i in pick],
            category=[category[i] for i in pick],
            level=[level[i] for i in pick],
            month=[month[i] for i in pick],
            raw=[raw[i] for i in pick],
        )
    return RegisterRows(
        ret, list(register), list(row_no), list(category), list(level), list(month), list(raw)
    )
