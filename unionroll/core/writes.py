"""Write transactions that several ``unionroll`` commands can run at once.

Two county staff may ingest at the same time, or one ingest may still run when another
starts. Each return is stored in one transaction that first takes the right to write:

* on SQLite, ``BEGIN IMMEDIATE`` takes the database's write lock before anything is
  read, so a transaction never reads, then finds it cannot write (which SQLite reports
  at once as "database is locked", without waiting);
* on PostgreSQL, the rows of the units written for are locked (``SELECT ... FOR
  UPDATE``, in the order of their ids, so two writers never wait on each other in a
  circle), so two returns of the same unit are stored one after the other and the second
  sees the first, and only one return of a unit and period is ever current.

A transaction that still meets a lock (another program holding the database for long)
is retried, waiting a little longer each time; after :data:`WAIT_SECONDS` in all the
user is told in plain words, and nothing of that return has been written.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from sqlalchemy import Table, bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from unionroll.core import migrate
from unionroll.core.errors import DatabaseError
from unionroll.core.tables import source_files as _SOURCES
from unionroll.core.tables import units as _UNITS
from unionroll.core.workspace import Workspace

T = TypeVar("T")

WAIT_SECONDS = 120.0  # how long a write waits for other writers before giving up
# Rows one INSERT statement carries on SQLite (fewer where the library allows fewer
# parameters). A statement for many rows costs some 40% less a row than one statement
# run again for every row (measured apart: 1.6 against 2.7 us), and lets go of the
# interpreter's lock once a statement instead of once a row: while another thread of the
# program holds it (a reader's results coming in, receipts being written), the writing
# thread can wait to get it back after every row.
SQLITE_ROWS_PER_STATEMENT = 500
_SQLITE_DEFAULT_VARIABLES = 999  # SQLite's limit on parameters before 3.32, the lowest
_FIRST_PAUSE = 0.05

_UNITS_FOR_UPDATE = (
    select(_UNITS.c.id)
    .where(_UNITS.c.id.in_(bindparam("unit_ids", expanding=True)))
    .order_by(_UNITS.c.id)
    .with_for_update()
)


def _is_contention(exc: DBAPIError) -> bool:
    """A lock or a serialization conflict: waiting and trying again will get through."""
    text = str(getattr(exc, "orig", exc)).lower()
    if isinstance(exc, OperationalError) and ("locked" in text or "busy" in text):
        return True
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return code in ("40001", "40P01", "55P03")  # serialization failure, deadlock, lock


def write_transaction(
    workspace: Workspace,
    work: Callable[[Connection], T],
    *,
    lock_units: Iterable[int] = (),
    wait_seconds: float = WAIT_SECONDS,
) -> T:
    """Run ``work(conn)`` in one write transaction, committed when it returns.

    ``lock_units``: the ids of the units whose returns ``work`` reads and then changes;
    concurrent transactions naming the same unit run one after the other. ``work`` may run more
    than once (after a lock timeout or a conflict), so it must only touch the database.
    """
    if not workspace._schema_checked:
        migrate.ensure_current(workspace.engine)
        workspace._schema_checked = True
    engine = workspace.engine
    unit_ids = sorted(set(lock_units))
    deadline = time.monotonic() + wait_seconds
    pause = _FIRST_PAUSE
    while True:
        try:
            with engine.begin() as conn:
                if engine.dialect.name == "sqlite":
                    # pysqlite would begin lazily, at the first write: take the lock now.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                elif unit_ids:
                    conn.execute(_UNITS_FOR_UPDATE, {"unit_ids": unit_ids})
                return work(conn)
        except IntegrityError:
            # Only a unique key raced by a concurrent writer lands here; a second try
            # sees the other writer's row. A real violation fails again, and is raised.
            if time.monotonic() >= deadline:
                raise
        except DBAPIError as exc:
            if not _is_contention(exc):
                raise
            if time.monotonic() >= deadline:
                raise DatabaseError(
                    f"数据库一直被其他程序占用（等了 {wait_seconds:.0f} 秒仍无法写入），"
                    "这一份报表没有写入。请等其他正在收录或导入的命令结束后重新运行，"
                    "已收录的报表不会重复。"
                ) from None
        time.sleep(pause * (1 + random.random()))
        pause = min(pause * 2, 2.0)


_SOURCE_IDS = select(_SOURCES.c.checksum, _SOURCES.c.id).where(
    _SOURCES.c.checksum.in_(bindparam("checksums", expanding=True))
)


def source_file_ids(conn: Connection, rows: list[dict[str, object]]) -> dict[str, int]:
    """checksum → id of the source file rows for ``rows``, inserting the missing ones.

    ``ON CONFLICT DO NOTHING``: two commands storing returns of the same file for
    different units must not fail on the unique checksum.
    """
    checksums = sorted({str(row["checksum"]) for row in rows})
    ids: dict[str, int] = dict(conn.execute(_SOURCE_IDS, {"checksums": checksums}).all())
    missing = list({row["checksum"]: row for row in rows if row["checksum"] not in ids}.values())
    if missing:
        if conn.dialect.name == "postgresql":  # its dialect only where it is in use
            from sqlalchemy.dialects.postgresql import insert as make
        else:
            from sqlalchemy.dialects.sqlite import insert as make
        stmt = make(_SOURCES).on_conflict_do_nothing(index_elements=["checksum"])
        conn.execute(stmt, missing)
        wanted = sorted(str(row["checksum"]) for row in missing)
        ids.update(conn.execute(_SOURCE_IDS, {"checksums": wanted}).all())
    return ids


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert many plain rows (tuples in the order of ``columns``) in the fastest way the
    database has: ``COPY`` on PostgreSQL, statements of many rows each on SQLite
    (:data:`SQLITE_ROWS_PER_STATEMENT`). Values go in as they are: JSON already as text."""
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    head = f"INSERT INTO {quote(table.name)} ({names}) VALUES "
    one = "(" + ", ".join("?" for _ in columns) + ")"
    per = _sqlite_rows_per_statement(conn, len(columns))
    whole = len(rows) - len(rows) % per
    if whole:
        conn.exec_driver_sql(
            head + ", ".join([one] * per),
            [_flat(rows[i : i + per]) for i in range(0, whole, per)],
        )
    if whole < len(rows):
        rest = rows[whole:]
        conn.exec_driver_sql(head + ", ".join([one] * len(rest)), _flat(rest))


def _sqlite_rows_per_statement(conn: Connection, n_columns: int) -> int:
    raw = conn.connection.driver_connection
    try:
        limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):  # not the standard library's driver
        limit = _SQLITE_DEFAULT_VARIABLES
    return max(1, min(SQLITE_ROWS_PER_STATEMENT, limit // max(1, n_columns)))


def _flat(rows: list[tuple]) -> tuple:
    return tuple(itertools.chain.from_iterable(rows))
