"""Create and upgrade the database schema with the packaged Alembic migrations.

Every command opens the database and checks its schema version first. That check reads
the version row itself and compares it with :data:`HEAD`, so a command does not import
Alembic (a tenth of its start-up) unless the schema has to change or be explained.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from unionroll.core.engine import check_connection
from unionroll.core.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# The newest revision in migrations/versions (tests/test_migrations.py holds it to what
# Alembic finds there, so a new revision cannot be forgotten here).
HEAD = "0003"
VERSION_TABLE = "alembic_version"


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    return HEAD


def script_revisions() -> tuple[str | None, set[str]]:
    """What Alembic finds in migrations/versions: the head and every revision."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_config())
    return scripts.get_current_head(), {rev.revision for rev in scripts.walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, None when it has no schema yet."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        versions = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return versions[0] if len(versions) == 1 else None


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it already is."""
    from alembic import command

    check_connection(engine)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def ensure_current(engine: Engine) -> None:
    """Refuse to work on a database whose schema is older or newer than this version's."""
    check_connection(engine)
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise DatabaseError(
            "数据库尚未初始化。请先运行 unionroll db upgrade（或 unionroll init）。"
        )
    _head, known = script_revisions()
    if current not in known:
        raise DatabaseError(f"数据库结构版本 {current} 比本程序更新，请升级 unionroll 后再使用。")
    raise DatabaseError("数据库结构需要升级。请运行 unionroll db upgrade。")
