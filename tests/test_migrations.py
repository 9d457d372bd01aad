"""The migrations make exactly the schema the models describe, on both databases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from unionroll.core import migrate
from unionroll.core.store import Base
from unionroll.core.workspace import Workspace


def test_migrated_schema_matches_the_models(workspace: Workspace) -> None:
    with workspace.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_head_is_the_newest_revision_alembic_finds() -> None:
    # Commands compare the database's version with migrate.HEAD without loading Alembic.
    head, known = migrate.script_revisions()
    assert migrate.head_revision() == head
    assert head in known


def test_the_models_describe_the_partial_index_for_each_database() -> None:
    """uq_returns_current covers the current returns on both databases, as migration 0003
    makes it; its PostgreSQL words join the model when an engine for PostgreSQL is made."""
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.schema import CreateIndex

    from unionroll.core import tables
    from unionroll.core.engine import make_engine

    make_engine("postgresql://postgres@127.0.0.1:5432/test")  # connects to nothing
    index = next(i for i in tables.returns.indexes if i.name == "uq_returns_current")
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        ddl = str(CreateIndex(index).compile(dialect=dialect))
        assert ddl.endswith(f"(unit_id, period) WHERE {tables.CURRENT_WHERE}"), ddl


def test_sqlite_commands_do_not_load_the_postgresql_dialect(tmp_path: Path) -> None:
    """Opening a workspace on SQLite and ingesting into it leaves SQLAlchemy's PostgreSQL
    dialect unloaded (it would cost every command some 35 ms)."""
    root = tmp_path / "ws"
    Workspace.create(root, name="县教育工会").close()  # migrating loads all of Alembic
    (tmp_path / "empty.json").write_text("{}", encoding="utf-8")
    code = (
        "import sys\n"
        "from unionroll.core.ingest import ingest_paths\n"
        "from unionroll.core.workspace import Workspace\n"
        f"ws = Workspace.open({str(root)!r})\n"
        f"ingest_paths(ws, [{str(tmp_path / 'empty.json')!r}])\n"
        "print(sorted(m for m in sys.modules if 'postgresql' in m or 'psycopg' in m))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
