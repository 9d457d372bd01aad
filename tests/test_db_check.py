"""``unionroll db check`` finds each kind of damage, and ``unionroll db backup`` copies a live
SQLite database consistently (and says to use pg_dump on PostgreSQL)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import Cli
from sqlalchemy import delete, func, select, text, update

from unionroll.core.errors import DatabaseError
from unionroll.core.files import part_name, stale_parts, sweep_stale_parts
from unionroll.core.store import ReturnRecord, ReturnValue, SourceFile, Unit, UnitClosure
from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace
from unionroll.core.writes import write_transaction
from unionroll.testing.helpers import load_sample_returns, sample_units


@pytest.fixture
def loaded(workspace: Workspace) -> Iterator[Workspace]:
    import_units(workspace, sample_units())
    load_sample_returns(workspace)
    yield workspace


def _check(run: Cli) -> tuple[int, str]:
    result = run("db", "check")
    return result.exit_code, result.output


def test_a_whole_store_passes(loaded: Workspace, run: Cli) -> None:
    code, out = _check(run)
    assert code == 0, out
    assert "检查完毕：未发现问题。" in out


def _first_source(ws: Workspace) -> tuple[Path, str]:
    with ws.connection() as conn:
        row = conn.execute(
            select(SourceFile.stored_path, SourceFile.original_name).order_by(SourceFile.id)
        ).first()
    assert row is not None
    return ws.root / row.stored_path, row.original_name


DAMAGE: dict[str, tuple[Callable[[Workspace], None], str]] = {}


def damage(expected: str) -> Callable[[Callable[[Workspace], None]], Callable[[Workspace], None]]:
    def register(fn: Callable[[Workspace], None]) -> Callable[[Workspace], None]:
        DAMAGE[fn.__name__] = (fn, expected)
        return fn

    return register


@damage("sha256 与收录时不同")
def changed_source(ws: Workspace) -> None:
    path, _ = _first_source(ws)
    path.write_bytes(path.read_bytes() + b" ")


@damage("不见了")
def missing_source(ws: Workspace) -> None:
    _first_source(ws)[0].unlink()


@damage("不属于任何收录记录")
def stray_source(ws: Workspace) -> None:
    (ws.root / "sources" / "ab").mkdir(parents=True, exist_ok=True)
    (ws.root / "sources" / "ab" / "ab12.json").write_text("{}")


@damage("是中断的运行留下的半个文件")
def half_written_copy(ws: Workspace) -> None:
    path, _ = _first_source(ws)
    path.with_name(path.name + ".999999999-1.part").write_bytes(b"half")


@damage("缺少：")
def closure_row_lost(ws: Workspace) -> None:
    with ws.connection() as conn:
        conn.execute(delete(UnitClosure).where(UnitClosure.depth == 1))


@damage("份现行报表（应只有 1 份）")
def two_current_returns(ws: Workspace) -> None:
    r = ReturnRecord.__table__.c
    with ws.connection() as conn:
        # The store itself refuses this (uq_returns_current); a database damaged from
        # outside, or restored from before that index, can still hold it.
        conn.execute(text("DROP INDEX uq_returns_current"))
        old = conn.execute(select(r.id).where(r.status == "superseded").limit(1)).scalar()
        if old is None:  # the sample has no resubmission: copy a current return
            row = conn.execute(select(ReturnRecord.__table__).limit(1)).mappings().one()
            copy = {k: v for k, v in row.items() if k != "id"}
            conn.execute(ReturnRecord.__table__.insert().values(copy))
        else:
            conn.execute(update(ReturnRecord).where(r.id == old).values(status="accepted"))


@damage("应有")
def values_lost(ws: Workspace) -> None:
    with ws.connection() as conn:
        rid = conn.execute(select(func.min(ReturnValue.return_id))).scalar_one()
        conn.execute(delete(ReturnValue).where(ReturnValue.return_id == rid))


@damage("数据库结构版本为 0000")
def wrong_schema(ws: Workspace) -> None:
    with ws.connection() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_each_damage_is_found(loaded: Workspace, run: Cli, name: str) -> None:
    fn, expected = DAMAGE[name]
    fn(loaded)
    code, out = _check(run)
    assert code == 1, out
    assert expected in out
    assert "Traceback" not in out


def test_backup_of_a_live_database(loaded: Workspace, run: Cli, tmp_path: Path) -> None:
    if loaded.engine.dialect.name != "sqlite":
        result = run("db", "backup")
        assert result.exit_code == 1
        assert "pg_dump" in result.output
        return
    with loaded.connection() as conn:
        before = conn.execute(select(func.count()).select_from(Unit)).scalar_one()
    writer = sqlite3.connect(loaded.engine.url.database, timeout=1)
    writer.execute("BEGIN IMMEDIATE")  # another command in the middle of writing
    writer.execute(
        "INSERT INTO units (code, name, level, created_at, updated_at) "
        "VALUES ('X1', '未提交', 'school', '2025-01-01', '2025-01-01')"
    )
    try:
        target = tmp_path / "备份.db"
        result = run("db", "backup", str(target))
    finally:
        writer.rollback()
        writer.close()
    assert result.exit_code == 0, result.output
    assert "恢复方法" in result.output and "sources" in result.output
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM units").fetchone()[0] == before
    finally:
        copy.close()
    again = run("db", "backup", str(target))
    assert again.exit_code == 1 and "已存在" in again.output


@pytest.mark.slow
def test_a_write_that_never_gets_the_lock_says_so(sqlite_workspace: Workspace) -> None:
    holder = sqlite3.connect(sqlite_workspace.engine.url.database)
    holder.execute("BEGIN IMMEDIATE")
    start = time.monotonic()
    try:
        with pytest.raises(DatabaseError, match="数据库一直被其他程序占用"):
            write_transaction(sqlite_workspace, lambda conn: None, wait_seconds=0.5)
    finally:
        holder.rollback()
        holder.close()
    assert time.monotonic() - start < 30
    assert write_transaction(sqlite_workspace, lambda conn: 7) == 7


def test_only_parts_of_dead_commands_are_swept(tmp_path: Path) -> None:
    live = tmp_path / part_name("a.md")  # this process is alive
    dead = tmp_path / "b.md.999999999-1.part"
    live.write_text("x")
    dead.write_text("x")
    assert stale_parts(tmp_path) == [dead]
    assert sweep_stale_parts(tmp_path) == 1
    assert live.exists() and not dead.exists()
