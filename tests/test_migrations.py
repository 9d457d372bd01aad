"""The migrations make exactly the schema the models describe, on both databases."""

from __future__ import annotations

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
