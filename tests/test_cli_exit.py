"""The command line leaves without the collector's last passes (``unionroll.cli.main.run``):
by then the workspace must be closed and every file the command wrote complete."""

from __future__ import annotations

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
