"""Helpers for the web tests: a county with logins, filled templates, a client that
logs in and sends forms with their CSRF token as a browser does, and a live server."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from test_ingest import UNITS
from werkzeug.test import TestResponse

from unionroll.adapters.xlsx_template import write_template
from unionroll.core.accounts import add_user
from unionroll.core.model import UnitInfo
from unionroll.core.periods import Period
from unionroll.core.units import import_units, unit_infos
from unionroll.core.workspace import Workspace
from unionroll.web import create_app

GOOD = {
    "staff_total": 85,
    "female_staff": 60,
    "members_total": 85,
    "needy_staff_visited": 3,
    "care_funds": 1500,
    "blood_donors": 12,
}


def password_of(code: str) -> str:
    return f"pass-{code}-2025"


def setup_county(ws: Workspace, folder: Path) -> Workspace:
    folder.mkdir(parents=True, exist_ok=True)
    units = folder / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    import_units(ws, units)
    for code in ("C", "T1", "T2", "S11", "S12", "S21"):
        add_user(ws, code, password=password_of(code))
    return ws


def filled_template(
    ws: Workspace, folder: Path, code: str, period: str = "2025Q1", **values: Any
) -> Path:
    """A template as ``unionroll template`` writes it, filled in as a school would."""
    with ws.session() as session:
        unit: UnitInfo = unit_infos(session)[code]
    folder.mkdir(parents=True, exist_ok=True)
    p = Period.parse(period)
    return write_template(
        folder / f"{code} {p.label_zh}.xlsx",
        form=ws.form,
        unit=unit,
        period=p,
        level_name=ws.config.level_name(unit.level),
        county_name=ws.config.name,
        values={**GOOD, **values},
    )


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browserless:
    """A Flask test client that behaves like a browser: it keeps the session cookie and
    sends each form with the CSRF token of the page it came from."""

    def __init__(self, ws: Workspace) -> None:
        self.app = create_app(ws)
        self.http: FlaskClient = self.app.test_client()

    def get(self, url: str, **kw: Any) -> TestResponse:
        return self.http.get(url, **kw)

    def token(self, url: str) -> str:
        page = self.get(url).get_data(as_text=True)
        found = _TOKEN.search(page)
        assert found, f"no form token on {url}"
        return found.group(1)

    def post_form(
        self, url: str, data: dict[str, Any], *, from_page: str | None = None, **kw: Any
    ) -> TestResponse:
        data = {"csrf_token": self.token(from_page or url), **data}
        return self.http.post(url, data=data, **kw)

    def login(self, login: str, password: str | None = None) -> TestResponse:
        return self.post_form(
            "/login", {"login": login, "password": password or password_of(login)}
        )

    def upload(self, period: str, path: Path, **kw: Any) -> TestResponse:
        url = f"/periods/{period}/upload"
        with path.open("rb") as fh:
            return self.post_form(
                url, {"file": (fh, path.name)}, content_type="multipart/form-data", **kw
            )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(ws: Workspace, *, threads: int = 8) -> Iterator[str]:
    """``unionroll serve`` in a child process, as a county office starts it; yields the
    address and stops the server afterwards."""
    port = free_port()
    env = {**os.environ, "UNIONROLL_LOAD_PLUGINS": ""}
    cmd = [
        sys.executable,
        "-m",
        "unionroll",
        "--workspace",
        str(ws.root),
        "--db",
        ws.db_url,
        "serve",
        "--port",
        str(port),
        "--threads",
        str(threads),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/login", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode() if proc.stdout else ""
                    raise RuntimeError(f"unionroll serve did not start:\n{out}") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
