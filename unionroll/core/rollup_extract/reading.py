"""The extract: which units and returns a rollup needs, read through the driver's cursor,
and the values fetched in bulk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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
from unionroll.core.rollup_extract.packing import _register_table, _texts_table, _values_table
from unionroll.core.rollup_extract.postgres_fetch import _PostgresFetcher
from unionroll.core.rollup_extract.sqlite_fetch import _SqliteFetcher
from unionroll.core.rollup_extract.tables import Extract, Hierarchy, ReturnsTable, _IdIndex
from unionroll.core.store import (
    ReturnRecord,
    Unit,
    UnitClosure,
)
from unionroll.core.tables import ACTIVE_STATUSES, ONCE_ACCEPTED_STATUSES
from unionroll.core.units import natural_key, require_unit
from unionroll.core.workspace import Workspace


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


def _fetcher(engine: Engine) -> _SqliteFetcher | _PostgresFetcher:
    if engine.dialect.name == "postgresql":
        return _PostgresFetcher(engine)
    return _SqliteFetcher(engine)
