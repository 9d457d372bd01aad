"""Shared fixtures. Every database test runs on SQLite and, when a server is named by
UNIONROLL_TEST_PG_URL, on PostgreSQL too; without one, the PostgreSQL variants skip
with the reason."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from unionroll.core import plugins as plugins_mod
from unionroll.core.workspace import Workspace

PG_ENV = "UNIONROLL_TEST_PG_URL"


def _pg_base_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture(autouse=True)
def _isolated_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fresh process-wide plugin manager for each test, loading no third-party plugins
    unless a test says otherwise."""
    monkeypatch.setenv(plugins_mod.LOAD_PLUGINS_ENV, "")
    monkeypatch.delenv("UNIONROLL_WORKSPACE", raising=False)
    monkeypatch.delenv("UNIONROLL_DB", raising=False)
    plugins_mod.reset_plugin_manager()
    yield
    plugins_mod.reset_plugin_manager()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = _pg_base_url()
    if not base:
        pytest.skip(
            f"PostgreSQL tests need a server: set {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the server named is not reachable: say so, loudly
        pytest.fail(f"{PG_ENV} is set but the server cannot be used: {exc}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def workspace(tmp_path: Path, db_url: str) -> Iterator[Workspace]:
    """A new, migrated workspace on each database."""
    ws = Workspace.create(tmp_path / "ws", name="测试县教育工会", db_url=db_url)
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture
def sqlite_workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.create(tmp_path / "ws", name="测试县教育工会")
    try:
        yield ws
    finally:
        ws.close()


class Cli:
    """Runs ``unionroll`` commands against one workspace, as a user would."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        from unionroll.cli.main import cli

        argv = ["--workspace", str(self.workspace.root), "--db", self.workspace.db_url, *args]
        return self.runner.invoke(cli, argv, input=input, catch_exceptions=False)


@pytest.fixture
def run(workspace: Workspace) -> Cli:
    return Cli(workspace)


@pytest.fixture
def fresh_db(db_url: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes more empty databases of the same kind as ``db_url`` (each call a new one)."""
    made: list[str] = []
    engine_base = _pg_base_url()

    def make() -> str:
        if db_url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path / f'extra-{len(made)}.db'}"
        else:
            assert engine_base
            schema = f"t_{uuid.uuid4().hex[:12]}"
            with create_engine(engine_base, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            sep = "&" if "?" in engine_base else "?"
            url = f"{engine_base}{sep}options=-csearch_path%3D{schema}"
        made.append(url)
        return url

    yield make
    if not db_url.startswith("sqlite") and engine_base:
        admin = create_engine(engine_base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for url in made:
                schema = url.rsplit("%3D", 1)[1]
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
