"""Four ``unionroll ingest`` commands at once on overlapping folders (the same files, and
resubmissions of the same units and period): the store ends exactly as one clean run
leaves it, and no database lock ever reaches the user."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from reliability import content, ingest_args, make_batch, new_workspace, unionroll

pytestmark = pytest.mark.slow


def test_four_writers_at_once(tmp_path: Path, db_url: str, fresh_db: Callable[[], str]) -> None:
    returns = make_batch(tmp_path, schools=60)
    first, second = returns / "1-首报", returns / "2-补报"
    units = tmp_path / "units.csv"
    clean_url = fresh_db()
    clean = new_workspace(tmp_path / "clean", units, clean_url)
    proc = unionroll(clean, clean_url, *ingest_args(returns))
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    expected = content(clean, clean_url)

    ws = new_workspace(tmp_path / "ws", units, db_url)
    # Each command reads a first return before its resubmission, as a county would.
    batches = [[first, second], [first, second], [first], [returns]]
    procs = [unionroll(ws, db_url, *ingest_args(batch)) for batch in batches]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, out + err
        text = out + err
        assert "locked" not in text and "Traceback" not in text and "数据库操作失败" not in text
    got = content(ws, db_url)
    assert got == expected
    assert got["statuses"] == {"accepted": 60, "superseded": 10}
    for unit_period, history in got["history"].items():
        current = [s for s, _ in history if s in ("accepted", "accepted_with_warnings")]
        assert len(current) == 1, unit_period
    check = unionroll(ws, db_url, "db", "check")
    out, err = check.communicate(timeout=120)
    assert check.returncode == 0, out + err


def test_a_held_lock_is_told_in_plain_words(sqlite_workspace, tmp_path: Path) -> None:
    """A command other than ingest that cannot get the lock (another program holds the
    database for longer than SQLite waits) says so in Chinese, not as "database is locked"."""
    import sqlite3

    from unionroll.testing.helpers import run_cli, sample_units

    holder = sqlite3.connect(sqlite_workspace.engine.url.database)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run_cli("units", "import", str(sample_units()), workspace=sqlite_workspace)
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code != 0
    assert "占用" in result.output and "locked" not in result.output
