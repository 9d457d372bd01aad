"""Alembic environment: unionroll always passes an open connection in."""

from __future__ import annotations

from alembic import context

from unionroll.core.store import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # pragma: no cover - only reached by the bare alembic CLI
        raise RuntimeError("unionroll migrations need a connection; use `unionroll db upgrade`")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
