"""The command line (``unionroll.cli.main.run``) starts with the garbage collector paused
and leaves without its last passes: it is on while the command runs, and by the exit the
workspace must be closed and every file the command wrote complete."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reliability import ingest_args, make_batch, new_workspace, unionroll

from unionroll.core.workspace import Workspace


def test_an_ingest_run_closes_its_database_and_files_before_it_exits(tmp_path: Path) -> None:
    returns = make_batch(tmp_path, schools=30, xlsx=4, csv_units=6)
    ws_dir = new_workspace(tmp_path / "ws", tmp_path / "units.csv", None)
    proc = unionroll(ws_dir, None, *ingest_args(returns))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "处理完毕" in out
    # A connection left open at exit would leave SQLite's write-ahead log behind.
    assert not (ws_dir / "unionroll.db-wal").exists()
    receipts = sorted((ws_dir / "receipts").rglob("*"))
    assert not [p for p in receipts if p.name.endswith(".part")]
    mds = [p for p in receipts if p.suffix == ".md"]
    assert len(mds) >= 30
    ws = Workspace.open(ws_dir)
    try:
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            n = conn.exec_driver_sql("SELECT count(*) FROM returns").scalar()
        assert n and n >= 30
    finally:
        ws.close()


_COLLECTOR_SCRIPT = """
import gc, json, sys
import unionroll.core.plugins as plugins
from unionroll.cli import main, status_cmd

seen = {"imported": gc.isenabled()}
real_manager, real_status = plugins.get_plugin_manager, status_cmd.period_status

def manager(*args, **kwargs):
    seen.setdefault("starting", gc.isenabled())  # the first call: before parsing
    return real_manager(*args, **kwargs)

def status(*args, **kwargs):
    seen["running"] = gc.isenabled()
    return real_status(*args, **kwargs)

plugins.get_plugin_manager, status_cmd.period_status = manager, status
sys.argv = ["unionroll", "--workspace", sys.argv[1], "status", "--period", "2025Q1"]
try:
    main.run()
except SystemExit as exc:
    seen["exit"] = exc.code
print(json.dumps(seen))
"""


def test_the_collector_rests_while_the_program_starts_and_works_while_a_command_runs(
    tmp_path: Path,
) -> None:
    make_batch(tmp_path, schools=3)
    ws_dir = new_workspace(tmp_path / "ws", tmp_path / "units.csv", None)
    done = subprocess.run(
        [sys.executable, "-c", _COLLECTOR_SCRIPT, str(ws_dir)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"imported": True, "starting": False, "running": True, "exit": 0}
