"""insert_rows: every row stored as given, in as many statements as the database allows."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, Table, Text, create_engine, select
from sqlalchemy.engine import Connection

from unionroll.core.writes import insert_rows

COLUMNS = ("n", "name", "amount", "note")


def _table() -> Table:
    return Table(
        "insert_rows_test",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("n", Integer, nullable=False),
        Column("name", Text),
        Column("amount", Float),
        Column("note", Text),
    )


@pytest.fixture
def table_conn(db_url: str) -> Iterator[tuple[Table, Connection]]:
    engine = create_engine(db_url)
    table = _table()
    table.metadata.create_all(engine)
    try:
        with engine.begin() as conn:
            yield table, conn
    finally:
        engine.dispose()


def _rows(count: int) -> list[tuple]:
    return [
        (i, f"第{i}行", i / 4 if i % 3 else None, None if i % 2 else "备注") for i in range(count)
    ]


def _stored(conn: Connection, table: Table) -> list[tuple]:
    cols = [table.c[name] for name in COLUMNS]
    return [tuple(row) for row in conn.execute(select(*cols).order_by(table.c.id))]


@pytest.mark.parametrize("count", [1, 499, 500, 1234])
def test_every_row_is_stored_in_order(table_conn: tuple[Table, Connection], count: int) -> None:
    """Fewer rows than a statement takes, exactly one statement's worth, and several
    statements with some left over."""
    table, conn = table_conn
    insert_rows(conn, table, COLUMNS, _rows(count))
    assert _stored(conn, table) == _rows(count)


def test_sqlite_statements_stay_within_the_parameter_limit(tmp_path: Path) -> None:
    """A SQLite library that takes fewer parameters a statement than the rows would need
    gets statements of fewer rows, not an error ("too many SQL variables")."""
    engine = create_engine(f"sqlite:///{tmp_path / 'limit.db'}")
    table = _table()
    table.metadata.create_all(engine)
    statements: list[str] = []
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 10)
        raw.set_trace_callback(statements.append)
        insert_rows(conn, table, COLUMNS, _rows(7))
        raw.set_trace_callback(None)
        assert _stored(conn, table) == _rows(7)
    engine.dispose()
    inserts = [s for s in statements if s.startswith("INSERT")]
    # 10 parameters hold two rows of four: three statements of two rows, one of one.
    assert len(inserts) == 4
    assert [s.count("), (") + 1 for s in inserts] == [2, 2, 2, 1]
