"""Web upload load check: concurrent uploads of filled templates against
``unionroll serve``, on SQLite and on PostgreSQL, as schools on the web page send them.

    python bench/web_upload.py                  # 50 uploads, 50 at once, both databases
    python bench/web_upload.py --uploads 200 --clients 20 --no-pg

Every school logs in first (not timed). Then all clients send at once: each upload is a
GET of the upload page (for its form token) and the POST of the file, timed together.
Ten of the uploads are second, changed versions from schools that also send a first one
in the same burst, so the same unit and period is written by two requests at once.
Afterwards it checks that nothing was lost: every receipt page says 已收录 for the right
school, every school has exactly one current return whose figures are those of one of
the files it sent, and every replaced return is marked as superseded by the current one.
Prints uploads/s and latency percentiles.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ingest import DEFAULT_PG, PERIOD, drop_schema, pg_schema, registers, school_values
from sqlalchemy import select

from unionroll.adapters.xlsx_template import write_template
from unionroll.core.accounts import add_user
from unionroll.core.model import UnitInfo
from unionroll.core.store import ReturnRecord, ReturnValue, Unit
from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace
from unionroll.forms.builtin import standard_form

PASSWORD = "bench-pass-2025"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Client:
    """One school's browser: a cookie jar and the form token of the last page."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as r:
            return r.read().decode()

    def post(self, path: str, body: bytes, content_type: str) -> str:
        req = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": content_type}
        )
        with self.opener.open(req, timeout=120) as r:
            return r.read().decode()

    def login(self, login: str) -> None:
        token = TOKEN.search(self.get("/login")).group(1)  # type: ignore[union-attr]
        form = urllib.parse.urlencode({"login": login, "password": PASSWORD, "csrf_token": token})
        page = self.post("/login", form.encode(), "application/x-www-form-urlencoded")
        assert "本单位报表" in page, f"login failed for {login}"

    def upload(self, path: Path) -> str:
        url = f"/periods/{PERIOD.code}/upload"
        token = TOKEN.search(self.get(url)).group(1)  # type: ignore[union-attr]
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token}\r\n".encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + path.read_bytes()
            + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        return self.post(url, b"".join(parts), f"multipart/form-data; boundary={boundary}")


def prepare(root: Path, n: int, db_url: str | None) -> tuple[Workspace, list[dict[str, Any]]]:
    ws = Workspace.create(root / "ws", name="基准县教育工会", db_url=db_url)
    n_schools = n - min(10, n // 2)
    lines = [
        "code,name,level,parent_code",
        "C,基准县教育工会,county,",
        "T001,第1学区工会,township,C",
    ]
    lines += [f"S{i:04d},第{i}学校工会,school,T001" for i in range(n_schools)]
    (root / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_units(ws, root / "units.csv")
    form = standard_form()
    jobs = []
    for i in range(n):
        school = i if i < n_schools else i - n_schools  # the last ones: second versions
        code, name = f"S{school:04d}", f"第{school}学校工会"
        if i < n_schools:
            add_user(ws, code, password=PASSWORD)
        rng = random.Random(i)
        values = school_values(rng, form)
        path = root / "files" / f"{code}_{i}.xlsx"
        path.parent.mkdir(exist_ok=True)
        write_template(
            path,
            form=form,
            unit=UnitInfo(code, name, "school", "T001"),
            period=PERIOD,
            level_name="学校",
            values=values,
            registers=registers(rng, form),
        )
        jobs.append({"code": code, "name": name, "path": path, "staff": values["staff_total"]})
    return ws, jobs


def serve(ws: Workspace, port: int, threads: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "unionroll", "--workspace", str(ws.root), "--db", ws.db_url]
    cmd += ["serve", "--port", str(port), "--threads", str(threads)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("unionroll serve did not start: " + proc.stderr.read().decode()[-2000:])


def run(label: str, db_url: str | None, n: int, clients: int, threads: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="unionroll-web-bench-") as tmp:
        ws, jobs = prepare(Path(tmp), n, db_url)
        port = 20000 + os.getpid() % 20000
        proc = serve(ws, port, threads)
        try:
            base = f"http://127.0.0.1:{port}"
            browsers = {j["code"]: Client(base) for j in jobs}
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(lambda c: browsers[c].login(c), list(browsers)))
            latencies: list[float] = []
            pages: list[tuple[dict[str, Any], str]] = []
            lock = threading.Lock()

            def send(job: dict[str, Any]) -> None:
                t0 = time.perf_counter()
                page = browsers[job["code"]].upload(job["path"])
                with lock:
                    latencies.append(time.perf_counter() - t0)
                    pages.append((job, page))

            began = time.perf_counter()
            with ThreadPoolExecutor(max_workers=clients) as pool:
                list(pool.map(send, jobs))
            elapsed = time.perf_counter() - began
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        problems = check(ws, jobs, pages)
        ws.close()
    latencies.sort()
    return {
        "label": label,
        "uploads": n,
        "clients": clients,
        "seconds": elapsed,
        "rate": n / elapsed,
        "p50": statistics.median(latencies),
        "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)],
        "max": latencies[-1],
        "problems": problems,
    }


def check(ws: Workspace, jobs: list[dict[str, Any]], pages: list[tuple[dict, str]]) -> list[str]:
    problems = []
    for job, page in pages:
        if "已收录" not in page or f"{job['name']}（{job['code']}）" not in page:
            problems.append(f"{job['path'].name}: receipt page does not say 已收录 for the school")
    sent: dict[str, set[float]] = {}
    for job in jobs:
        sent.setdefault(job["code"], set()).add(float(job["staff"]))
    with ws.session() as s:
        rows = s.execute(
            select(Unit.code, ReturnRecord.id, ReturnRecord.status, ReturnRecord.superseded_by_id)
            .join(Unit, Unit.id == ReturnRecord.unit_id)
            .where(ReturnRecord.period == PERIOD.code)
        ).all()
        staff = dict(
            s.execute(
                select(ReturnValue.return_id, ReturnValue.num).where(
                    ReturnValue.indicator_id == "staff_total"
                )
            ).all()
        )
    current: dict[str, list[int]] = {}
    for code, rid, status, by in rows:
        if status in ("accepted", "accepted_with_warnings"):
            current.setdefault(code, []).append(rid)
        elif status == "superseded" and by is None:
            problems.append(f"{code}: return #{rid} superseded by nothing")
    for code, figures in sent.items():
        ids = current.get(code, [])
        if len(ids) != 1:
            problems.append(f"{code}: {len(ids)} current returns (want 1)")
        elif staff.get(ids[0]) not in figures:
            problems.append(f"{code}: current return has staff {staff.get(ids[0])}, sent {figures}")
    stored = len(rows)
    if stored != len(jobs):
        problems.append(f"{stored} returns stored for {len(jobs)} uploads")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uploads", type=int, default=50)
    parser.add_argument("--clients", type=int, default=50, help="uploads in flight at once")
    parser.add_argument("--threads", type=int, default=8, help="unionroll serve --threads")
    parser.add_argument("--pg", default=os.environ.get("UNIONROLL_TEST_PG_URL", DEFAULT_PG))
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    results = [run("SQLite", None, args.uploads, args.clients, args.threads)]
    if not args.no_pg:
        url, schema = pg_schema(args.pg)
        try:
            results.append(run("PostgreSQL", url, args.uploads, args.clients, args.threads))
        finally:
            drop_schema(args.pg, schema)
    print(f"{args.uploads} uploads, {args.clients} at once, serve --threads {args.threads}")
    print(f"{'database':<12}{'uploads/s':>10}{'p50 s':>8}{'p95 s':>8}{'max s':>8}  check")
    failed = False
    for r in results:
        verdict = "ok: nothing lost, every receipt right" if not r["problems"] else "FAILED"
        print(
            f"{r['label']:<12}{r['rate']:>10.1f}{r['p50']:>8.2f}{r['p95']:>8.2f}"
            f"{r['max']:>8.2f}  {verdict}"
        )
        for p in r["problems"]:
            print(f"    {p}")
        failed = failed or bool(r["problems"])
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
