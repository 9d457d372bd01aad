"""``unionroll demo`` end to end: the first thing a new user runs. On SQLite and
PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from unionroll.cli.main import cli
from unionroll.core.accounts import authenticate
from unionroll.core.review import review_state
from unionroll.core.workspace import Workspace
from unionroll.demo.generate import demo_year
from unionroll.demo.run import DEMO_LOGINS, DEMO_PASSWORD


def test_demo_runs_the_whole_flow_and_says_how_to_open_the_web_page(
    tmp_path: Path, db_url: str
) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["--db", db_url, "demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "学区审核、县级确认共" in text
    assert f"unionroll --workspace {out} --db {db_url} serve" in text
    assert f"演示账号的密码都是 {DEMO_PASSWORD}" in text
    for login, _role in DEMO_LOGINS:
        assert login in text
    ws = Workspace.open(out, db_url=db_url)
    try:
        for login, _role in DEMO_LOGINS:
            assert authenticate(ws, login, DEMO_PASSWORD) is not None
        year = demo_year()
        assert review_state(ws, "T0101", f"{year}Q1").label == "县级确认"
        assert review_state(ws, "T0302", f"{year}Q2").state == "returned"
        assert (out / "reports" / f"{year}H1").is_dir()
    finally:
        ws.close()
