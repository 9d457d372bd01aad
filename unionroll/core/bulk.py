"""Bulk loading of units and already-valid returns straight into the store.

For benchmarks, tests and the demo only: it skips adapters and validation and writes rows
with one ``executemany`` per table (SQLite) or ``COPY`` (PostgreSQL). Files from users
always go through :mod:`unionroll.core.ingest`.

Values follow the store's conventions: numbers in ``num``, yes/no as ``num`` 1.0/0.0,
choice and text in ``text``. Register rows take ``category``, ``level`` and ``month`` from
their data (``category`` is a section id, ``level`` an award level such as 县).
The loader writes exactly what it is given (status, consolidated flag, submission time):
it does not supersede older returns; give an old return ``status="superseded"`` yourself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from unionroll.core.errors import UsageError
from unionroll.core.forms import FormDefinition
from unionroll.core.periods import Period
from unionroll.core.store import RegisterRow, ReturnRecord, Unit, UnitClosure
from unionroll.core.tables import utcnow
from unionroll.core.units.closure import closure_of
from unionroll.core.workspace import Workspace

STATUSES = ("accepted", "accepted_with_warnings", "rejected", "superseded")
_BATCH = 20_000


@dataclass(frozen=True)
class BulkUnit:
    """A unit to create. ``parent`` is the parent's code (a unit loaded earlier or in the
    same call); ``active_to`` is the first day the unit is closed."""

    code: str
    name: str
    level: str
    parent: str | None = None
    active_from: date | None = None
    active_to: date | None = None


@dataclass(frozen=True)
class BulkRegisterRow:
    """A register row: ``register`` is awards, events, highlights, problems or priorities."""

    register: str
    data: Mapping[str, Any]


@dataclass
class BulkReturn:
    """One return as it would be stored after validation."""

    unit: str
    period: str
    values: Mapping[str, float | int | bool | str | None] = field(default_factory=dict)
    registers: Sequence[BulkRegisterRow] = ()
    consolidated: bool = False
    status: str = "accepted"
    submitted_at: datetime | None = None  # default: five days after the quarter ends
    source_name: str | None = None  # default: <unit>-<period>.xlsx


def _is_pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _chunks(rows: list[Any], size: int = _BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Any]) -> None:
    """COPY rows into a PostgreSQL table through psycopg 3 (text format)."""
    raw = conn.connection.driver_connection
    cols = ", ".join(columns)
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    has_dates: bool = False,
) -> None:
    if not rows:
        return
    if _is_pg(conn):
        _copy_rows(conn, table, columns, rows)
        return
    if has_dates:
        rows = [tuple(_sqlite_value(v) for v in row) for row in rows]
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    cursor = conn.connection.driver_connection.cursor()
    try:
        for chunk in _chunks(rows):
            cursor.executemany(sql, chunk)
    finally:
        cursor.close()


def _sqlite_value(value: Any) -> Any:
    # Stored the way SQLAlchemy writes them, so that reading and comparing stays consistent.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _bump_sequence(conn: Connection, table: str) -> None:
    """After inserting explicit ids on PostgreSQL, move the id sequence past them."""
    if _is_pg(conn):
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
        )


def _next_id(conn: Connection, column: Any) -> int:
    return int(conn.execute(select(func.coalesce(func.max(column), 0))).scalar_one()) + 1


# --- units ---------------------------------------------------------------------------------


def load_units(workspace: Workspace, units: Iterable[BulkUnit]) -> int:
    """Create units (parents before or after their children, in any order) and rebuild
    the closure table. Returns the number of units created."""
    todo = list(units)
    level_ids = set(workspace.config.level_ids)
    with workspace.engine.begin() as conn:
        known: dict[str, int] = dict(conn.execute(select(Unit.code, Unit.id)).all())
        problems = []
        seen: set[str] = set()
        for u in todo:
            if u.level not in level_ids:
                problems.append(f"单位 {u.code} 的层级 {u.level} 未在工作区配置中定义")
            if u.code in known or u.code in seen:
                problems.append(f"单位代码 {u.code} 重复")
            seen.add(u.code)
        for u in todo:
            if u.parent is not None and u.parent not in known and u.parent not in seen:
                problems.append(f"单位 {u.code} 的上级 {u.parent} 不存在")
        if problems:
            raise UsageError("批量导入单位失败：", details=problems[:20])
        ordered = _parents_first(todo, set(known))
        next_id = _next_id(conn, Unit.id)
        ids = dict(known)
        for offset, u in enumerate(ordered):
            ids[u.code] = next_id + offset
        now = utcnow()
        rows = [
            (
                ids[u.code],
                u.code,
                u.name,
                u.level,
                ids[u.parent] if u.parent else None,
                u.active_from,
                u.active_to,
                now,
                now,
            )
            for u in ordered
        ]
        _insert(
            conn,
            "units",
            (
                "id",
                "code",
                "name",
                "level",
                "parent_id",
                "active_from",
                "active_to",
                "created_at",
                "updated_at",
            ),
            rows,
            has_dates=True,
        )
        _bump_sequence(conn, "units")
        _rebuild_closure(conn)
    return len(ordered)


def _parents_first(units: list[BulkUnit], existing: set[str]) -> list[BulkUnit]:
    by_code = {u.code: u for u in units}
    placed = set(existing)
    out: list[BulkUnit] = []
    for u in units:
        chain = []
        node: BulkUnit | None = u
        while node is not None and node.code not in placed:
            chain.append(node)
            node = by_code.get(node.parent) if node.parent else None
            if node is not None and node in chain:
                raise UsageError(f"单位 {u.code} 的上级关系形成了循环")
        for item in reversed(chain):
            placed.add(item.code)
            out.append(item)
    return out


def _rebuild_closure(conn: Connection) -> int:
    """:func:`unionroll.core.units.rebuild_closure` on a connection, written with COPY on
    PostgreSQL."""
    parent = dict(conn.execute(select(Unit.id, Unit.parent_id)).all())
    conn.execute(UnitClosure.__table__.delete())
    rows = list(closure_of(parent))
    _insert(conn, "unit_closure", ("ancestor_id", "descendant_id", "depth"), rows)
    return len(rows)


# --- returns -------------------------------------------------------------------------------


def _default_submitted(period: Period) -> datetime:
    return datetime.combine(period.end + timedelta(days=5), time(9, 0))


def load_returns(
    workspace: Workspace,
    returns: Iterable[BulkReturn],
    *,
    form: FormDefinition | None = None,
) -> list[int]:
    """Write returns with their values and register rows; returns the new return ids in
    the order given. Unknown units, indicators, registers or statuses are refused."""
    form = form or workspace.form
    indicators = {ind.id: ind for ind in form.indicators}
    registers = {reg.id for reg in form.registers}
    items = list(returns)
    with workspace.engine.begin() as conn:
        unit_ids: dict[str, int] = dict(conn.execute(select(Unit.code, Unit.id)).all())
        _check_returns(items, unit_ids, indicators, registers)
        next_return = _next_id(conn, ReturnRecord.id)
        next_row = _next_id(conn, RegisterRow.id)
        return_rows: list[tuple[Any, ...]] = []
        value_rows: list[tuple[Any, ...]] = []
        register_rows: list[tuple[Any, ...]] = []
        ids: list[int] = []
        for n, item in enumerate(items):
            rid = next_return + n
            ids.append(rid)
            period = Period.parse(item.period)
            checksum = hashlib.sha256(
                repr((item.unit, period.code, sorted(item.values.items(), key=str))).encode()
            ).hexdigest()
            n_values = 0
            for ind_id, value in item.values.items():
                if value is None:
                    continue
                n_values += 1
                if isinstance(value, str):
                    value_rows.append((rid, ind_id, None, value))
                else:
                    value_rows.append((rid, ind_id, float(value), None))
            return_rows.append(
                (
                    rid,
                    unit_ids[item.unit],
                    period.code,
                    form.id,
                    form.version,
                    item.status,
                    bool(item.consolidated),
                    "bulk",
                    item.source_name or f"{item.unit}-{period.code}.xlsx",
                    checksum,
                    item.submitted_at or _default_submitted(period),
                    n_values,
                    0,
                    1 if item.status == "accepted_with_warnings" else 0,
                )
            )
            for row_no, reg in enumerate(item.registers, start=1):
                data = dict(reg.data)
                month = data.get("month")
                register_rows.append(
                    (
                        next_row,
                        rid,
                        reg.register,
                        row_no,
                        data.get("category"),
                        data.get("level") if reg.register == "awards" else None,
                        int(month) if month is not None else None,
                        json.dumps(data, ensure_ascii=False, default=str),
                    )
                )
                next_row += 1
        _insert(
            conn,
            "returns",
            (
                "id",
                "unit_id",
                "period",
                "form_id",
                "form_version",
                "status",
                "consolidated",
                "adapter",
                "source_name",
                "content_checksum",
                "submitted_at",
                "n_values",
                "n_errors",
                "n_warnings",
            ),
            return_rows,
            has_dates=True,
        )
        _insert(conn, "return_values", ("return_id", "indicator_id", "num", "text"), value_rows)
        _insert(
            conn,
            "register_rows",
            ("id", "return_id", "register", "row_no", "category", "level", "month", "data"),
            register_rows,
        )
        _bump_sequence(conn, "returns")
        _bump_sequence(conn, "register_rows")
    return ids


def _check_returns(
    items: list[BulkReturn],
    unit_ids: Mapping[str, int],
    indicators: Mapping[str, Any],
    registers: set[str],
) -> None:
    problems: list[str] = []
    for item in items:
        where = f"{item.unit} {item.period}"
        if item.unit not in unit_ids:
            problems.append(f"{where}：单位 {item.unit} 不存在")
        try:
            Period.parse(item.period)
        except UsageError as exc:
            problems.append(f"{where}：{exc.message}")
        if item.status not in STATUSES:
            problems.append(f"{where}：状态 {item.status} 不是 {'、'.join(STATUSES)} 之一")
        for ind_id in item.values:
            if ind_id not in indicators:
                problems.append(f"{where}：报表没有指标 {ind_id}")
            elif indicators[ind_id].is_derived:
                problems.append(f"{where}：{ind_id} 是自动计算的指标，不能填报")
        for reg in item.registers:
            if reg.register not in registers:
                problems.append(f"{where}：报表没有登记表 {reg.register}")
        if len(problems) >= 20:
            break
    if problems:
        raise UsageError("批量写入报表失败：", details=problems[:20])
