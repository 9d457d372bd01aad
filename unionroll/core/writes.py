"""Write transactions that several ``unionroll`` commands can run at once.

Two county staff may ingest at the same time, or one ingest may still run when another
starts. Each return is stored in one transaction that first takes the right to write:

* on SQLite, ``BEGIN IMMEDIATE`` takes the database's write lock before anything is
  read, so a transaction never reads, then finds it cannot write (which SQLite reports
  at once as "database is locked", without waiting);
* on PostgreSQL, the unit's row is locked (``SELECT ... FOR UPDATE``), so two returns
  of the same unit are stored one after the other and the second sees the first, and
  only one return of a unit and period is ever current.

A transaction that still meets a lock (another program holding the database for long)
is retried, waiting a little longer each time; after :data:`WAIT_SECONDS` in all the
user is told in plain words, and nothing of that return has been written.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from unionroll.core import migrate
from unionroll.core.errors import DatabaseError
from unionroll.core.store import SourceFile, Unit
from unionroll.core.workspace import Workspace

T = TypeVar("T")

WAIT_SECONDS = 120.0  # how long a write waits for other writers before giving up
_FIRST_PAUSE = 0.05

_UNIT_FOR_UPDATE = (
    select(Unit.__table__.c.id).where(Unit.__table__.c.id == bindparam("unit_id")).with_for_update()
)
_SOURCES = SourceFile.__table__
_SOURCE_BY_CHECKSUM = select(_SOURCES.c.id).where(_SOURCES.c.checksum == bindparam("checksum"))


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
    lock_unit: int | None = None,
    wait_seconds: float = WAIT_SECONDS,
) -> T:
    """Run ``work(conn)`` in one write transaction, committed when it returns.

    ``lock_unit``: a unit id whose returns ``work`` reads and then changes; concurrent
    transactions naming the same unit run one after the other. ``work`` may run more
    than once (after a lock timeout or a conflict), so it must only touch the database.
    """
    if not workspace._schema_checked:
        migrate.ensure_current(workspace.engine)
        workspace._schema_checked = True
    engine = workspace.engine
    deadline = time.monotonic() + wait_seconds
    pause = _FIRST_PAUSE
    while True:
        try:
            with engine.begin() as conn:
                if engine.dialect.name == "sqlite":
                    # pysqlite would begin lazily, at the first write: take the lock now.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                elif lock_unit is not None:
                    conn.execute(_UNIT_FOR_UPDATE, {"unit_id": lock_unit})
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


def source_file_id(conn: Connection, row: dict[str, object]) -> int:
    """The id of the source file row with ``row["checksum"]``, inserted when missing.

    ``ON CONFLICT DO NOTHING``: two commands storing returns of the same file for
    different units must not fail on the unique checksum.
    """
    existing = conn.execute(_SOURCE_BY_CHECKSUM, {"checksum": row["checksum"]}).scalar_one_or_none()
    if existing is not None:
        return existing
    make = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = make(_SOURCES).values(**row).on_conflict_do_nothing(index_elements=["checksum"])
    inserted = conn.execute(stmt.returning(_SOURCES.c.id)).scalar_one_or_none()
    if inserted is not None:
        return inserted
    return conn.execute(_SOURCE_BY_CHECKSUM, {"checksum": row["checksum"]}).scalar_one()
