"""Crash safety: ``unionroll ingest`` killed with SIGKILL at every fault point, then run
again, ends with exactly what a clean run stores (tests/reliability.py has the batch)."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability import content, ingest_args, make_batch, new_workspace, unionroll

from unionroll.core import faults

pytestmark = pytest.mark.slow

# (point, which pass through it dies): in an order in which every point is still reached,
# because each killed run leaves less to do for the next one.
KILLS = (
    ("read", 3),
    ("copy_write", 2),
    ("copy_rename", 5),
    ("store_begin", 4),
    ("store_source", 3),
    ("store_return", 6),
    ("store_values", 5),
    ("store_commit", 4),
    ("stored", 8),
    ("store_supersede", 2),
    ("receipt_write", 10),
    ("receipt_rename", 20),
)


def _run(ws: Path, url: str, *args: str, fault: str | None = None) -> tuple[int, str, str]:
    env = {faults.FAULT_ENV: fault} if fault else {faults.FAULT_ENV: ""}
    proc = unionroll(ws, url, *args, env=env)
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_every_point_covered() -> None:
    assert {name for name, _ in KILLS} == set(faults.POINTS)


def test_killed_ingest_converges(tmp_path: Path, db_url: str, fresh_db: Callable[[], str]) -> None:
    returns = make_batch(tmp_path, schools=60)
    units = tmp_path / "units.csv"
    clean_url = fresh_db()
    clean = new_workspace(tmp_path / "clean", units, clean_url)
    rc, out, err = _run(clean, clean_url, *ingest_args(returns))
    assert rc == 0, out + err
    expected = content(clean, clean_url)
    assert expected["statuses"] == {"accepted": 60, "superseded": 10}

    ws = new_workspace(tmp_path / "ws", units, db_url)
    for point, nth in KILLS:
        rc, out, err = _run(ws, db_url, *ingest_args(returns), fault=f"{point}:{nth}")
        assert rc == -signal.SIGKILL, f"{point}:{nth} was never reached (exit {rc}): {out}{err}"
        check = _run(ws, db_url, "db", "check")
        # Killed halfway, the store itself is still whole: no return without its values,
        # no second current return. Only copies made ahead of storing may be unclaimed.
        for line in check[1].splitlines():
            if line.startswith("✗"):
                assert line.startswith("✗ 源文件"), check[1]
    rc, out, err = _run(ws, db_url, *ingest_args(returns))
    assert rc == 0, out + err
    assert "Traceback" not in err
    assert content(ws, db_url) == expected
    rc, out, err = _run(ws, db_url, "db", "check")
    assert rc == 0, out + err
    assert not [p for p in _files(ws) if p.endswith(".part")]
    assert _files(ws / "receipts") == _files(clean / "receipts")
    assert len(_files(ws / "sources")) == len(_files(clean / "sources"))
