"""Database engines: SQLite in the workspace folder by default, PostgreSQL for several
offices; made, set up and checked here, with SQLAlchemy Core alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import DatabaseError as SADatabaseError

from unionroll.core.errors import DatabaseError
from unionroll.core.tables import CURRENT_WHERE, returns


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for a database URL, with SQLite set up for one office's safe use."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"数据库地址“{url}”无法识别：{exc}") from None
    if parsed.drivername == "postgresql":
        # The psycopg 3 driver is the one unionroll installs.
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed, future=True)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseError(f"无法使用数据库“{url}”：{exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        _postgresql_options()
    return engine


def _postgresql_options() -> None:
    """The tables' options for PostgreSQL alone, added when an engine for it is made, so
    that on PostgreSQL too the tables say what the migrations make (the schema is the
    migrations': 0003 creates uq_returns_current with both WHEREs). Named in the table
    itself, an option ``postgresql_...`` would load SQLAlchemy's PostgreSQL dialect, some
    35 ms, into every command on SQLite."""
    index = next(i for i in returns.indexes if i.name == "uq_returns_current")
    index.dialect_options["postgresql"]["where"] = text(CURRENT_WHERE)


def check_connection(engine: Engine) -> None:
    try:
        with engine.connect():
            pass
    except (OperationalError, SADatabaseError) as exc:
        reason = str(exc.orig) if getattr(exc, "orig", None) else str(exc)
        raise DatabaseError(
            f"无法连接数据库 {engine.url.render_as_string(hide_password=True)}：{reason.strip()}"
        ) from None


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()
