"""Ingest benchmark: filled Excel templates, JSON returns and a CSV long table, through the
``unionroll ingest`` command exactly as a county office runs it (read, validate, store,
receipt), on SQLite and on PostgreSQL.

    python bench/ingest.py                     # 2,000 xlsx + 500 JSON + a 500-unit CSV
    python bench/ingest.py --xlsx 2000 --json 0 --csv 0   # the xlsx templates alone
    python bench/ingest.py --xlsx 300 --json 0 --csv 0 --no-pg
    python bench/ingest.py --dir /dev/shm      # data and workspaces in memory: no disk

Prints files per second and the peak memory of the ingest command's largest process (the
command reads large batches in worker processes, see unionroll/core/ingest/readers.py)
for each database, then the naive way (openpyxl and an ORM row per cell, one transaction
per file: bench/ingest_naive.py) on the first ``--naive`` xlsx files, and the ratio. The
data is generated first (not timed) in a temporary folder that is removed afterwards.
After each database's run, a one-file ingest is timed (the median of three): what any run
pays once, starting and ending the command, so the rate of the rest of the run is printed
beside the whole run's (``--no-start-up`` leaves this out).

Two things about the machine are printed with the figures, since they move them more
than most changes to the program do. The ingest runs with its compiled bytecode cached, as
a second run on an office's computer does (an untimed run of one file first fills a cache
in the temporary folder, even where PYTHONDONTWRITEBYTECODE is set). And each stored
return creates two files, its kept copy and its receipt: what creating a small file costs
on this disk just then is measured and printed (on ext4 mounted with ``discard`` it rises
several times over for a while after many files are deleted, by an earlier run say). The
CPU time of the command's processes is printed too: it moves far less than the wall
clock, and ``--dir /dev/shm`` leaves the disk out altogether. On a shared virtual machine
the same program can take a third more CPU a file in a busy minute than in a quiet one:
``--repeat N`` runs each database's ingest N times (each into a new, empty workspace) and
prints the best and the median of the runs beside each run's own figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_naive import naive_ingest

from unionroll.adapters.xlsx_template import write_template
from unionroll.core.forms import FormDefinition
from unionroll.core.model import UnitInfo
from unionroll.core.periods import Period
from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace
from unionroll.forms.builtin import standard_form

PERIOD = Period.parse("2025Q1")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def school_values(rng: random.Random, form: FormDefinition) -> dict[str, Any]:
    staff = rng.randint(15, 150)
    values: dict[str, Any] = {}
    for ind in form.input_indicators_for_level("school"):
        if ind.type == "bool":
            values[ind.id] = rng.choice(["是", "否"])
        elif ind.type == "choice":
            values[ind.id] = rng.choice(ind.options)
        elif ind.type == "money":
            values[ind.id] = round(rng.uniform(0, 5000), 2)
        elif ind.type in ("int", "decimal"):
            values[ind.id] = rng.randint(0, 12)
    values.update(staff_total=staff, female_staff=staff // 2, members_total=staff)
    values.update(ethics_pledges=staff // 2, blood_donors=staff // 4, health_checks=staff // 2)
    values.update(women_health_checks=staff // 4)
    values.update(proposals_collected=10, proposals_resolved=5)
    values.update(suggestions_collected=10, suggestions_adopted=5)
    values.update(essays_submitted=10, essays_awarded=5, info_submitted=10, info_published=5)
    values["needy_staff_visited"] = max(values["needy_staff_visited"], 1)
    return values


def registers(rng: random.Random, form: FormDefinition) -> dict[str, list[dict[str, Any]]]:
    sections = [s.name for s in form.sections]
    return {
        "awards": [
            {
                "holder_type": "个人",
                "holder": f"教师{rng.randint(1, 999)}",
                "title": "师德标兵",
                "level": rng.choice(["县", "乡镇"]),
                "month": 2,
                "category": "师德建设与学习",
            }
        ],
        "events": [
            {
                "name": "教职工运动会",
                "category": "文体活动",
                "month": 3,
                "role": "参加",
                "participants": rng.randint(5, 60),
            },
            {
                "name": "师德专题学习",
                "category": rng.choice(sections),
                "month": 1,
                "role": "主办",
                "participants": rng.randint(5, 60),
            },
        ],
        "highlights": [{"category": "送温暖帮扶", "text": "建立困难教职工档案，精准帮扶。"}],
    }


def _write_xlsx(job: tuple[str, str, str, int]) -> None:
    path, code, name, seed = job
    form = standard_form()
    rng = random.Random(seed)
    write_template(
        path,
        form=form,
        unit=UnitInfo(code, name, "school", "T001"),
        period=PERIOD,
        level_name="学校",
        template_id=uuid.uuid4().hex,
        register_rows=50,
        values=school_values(rng, form),
        registers=registers(rng, form),
    )


def generate(folder: Path, n_xlsx: int, n_json: int, n_csv: int) -> Path:
    """Units CSV plus the returns; returns the folder of returns."""
    form = standard_form()
    total = n_xlsx + n_json + n_csv
    townships = max(1, total // 100)
    lines = ["code,name,level,parent_code", "C,基准县教育工会,county,"]
    lines += [f"T{t:03d},第{t}学区工会,township,C" for t in range(1, townships + 1)]
    schools = [(f"S{i:05d}", f"第{i}学校工会") for i in range(1, total + 1)]
    lines += [f"{c},{n},school,T{(i % townships) + 1:03d}" for i, (c, n) in enumerate(schools)]
    (folder / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    returns = folder / "returns"
    returns.mkdir()
    jobs = [
        (str(returns / f"{code}_{name} 2025年第一季度.xlsx"), code, name, i)
        for i, (code, name) in enumerate(schools[:n_xlsx])
    ]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(_write_xlsx, jobs, chunksize=50))
    rng = random.Random(7)
    for code, _name in schools[n_xlsx : n_xlsx + n_json]:
        payload = {
            "form": form.id,
            "form_version": form.version,
            "unit": code,
            "period": PERIOD.code,
            "values": school_values(rng, form),
            **registers(rng, form),
        }
        (returns / f"{code}.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    if n_csv:
        rows = ["unit,period,indicator,value"]
        for code, _name in schools[n_xlsx + n_json :]:
            rows += [f"{code},{PERIOD.code},{k},{v}" for k, v in school_values(rng, form).items()]
        (returns / "汇总.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return returns


def pg_schema(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{base}?options=-csearch_path%3D{schema}", schema


def drop_schema(base: str, schema: str) -> None:
    with create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def new_workspace(ws_dir: Path, returns: Path, db_url: str | None) -> Path:
    """A workspace with the generated units (``units.csv`` beside ``returns``)."""
    Workspace.create(ws_dir, name="基准县教育工会", db_url=db_url).close()
    ws = Workspace.open(ws_dir, db_url=db_url)
    import_units(ws, returns.parent / "units.csv")
    ws.close()
    return ws_dir


def ingest_env(work: Path) -> dict[str, str]:
    """The environment the ingest command runs in: bytecode cached in ``work``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def warm_up(work: Path, returns: Path, env: dict[str, str]) -> None:
    """One file ingested into a workspace of its own, untimed: the bytecode is compiled."""
    one = work / "warm-up"
    one.mkdir()
    first = next(p for p in sorted(returns.iterdir()) if p.suffix == ".xlsx")
    shutil.copy(first, one / first.name)
    ws_dir = new_workspace(work / "ws-warm-up", returns, None)
    cmd = [sys.executable, "-m", "unionroll", "--workspace", str(ws_dir), "ingest", str(one)]
    subprocess.run(cmd, capture_output=True, env=env, check=True)


def start_up(work: Path, returns: Path, pg_base: str | None, env: dict[str, str]) -> float:
    """Seconds a one-file ``unionroll ingest`` (the warm-up's file) takes, the median of
    three, each into a new workspace (on PostgreSQL when ``pg_base`` is given, each in a
    schema of its own): the command's start-up and end, which every run pays once whatever
    its size."""
    one = work / "warm-up"
    times = []
    for i in range(3):
        url, schema = pg_schema(pg_base) if pg_base else (None, None)
        try:
            ws_dir = new_workspace(work / f"ws-one-{schema or 'sqlite'}-{i}", returns, url)
            cmd = [sys.executable, "-m", "unionroll", "--workspace", str(ws_dir)]
            if url:
                cmd += ["--db", url]
            start = time.perf_counter()
            subprocess.run([*cmd, "ingest", str(one)], capture_output=True, env=env, check=True)
            times.append(time.perf_counter() - start)
        finally:
            if pg_base and schema:
                drop_schema(pg_base, schema)
    return sorted(times)[1]


def file_create_cost(folder: Path, n: int = 1000) -> tuple[float, float]:
    """Microseconds of wall-clock and of kernel CPU to create and write one small file
    in ``folder`` now (the files are left in place: deleting them would slow the disk)."""
    folder.mkdir()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_stime
    start = time.perf_counter()
    for i in range(n):
        (folder / f"{i:05d}.md").write_bytes(b"x" * 2000)
    elapsed = time.perf_counter() - start
    kernel = resource.getrusage(resource.RUSAGE_SELF).ru_stime - before
    return elapsed / n * 1e6, kernel / n * 1e6


def run_ingest(
    work: Path, returns: Path, db_url: str | None, label: str, env: dict[str, str]
) -> dict[str, float]:
    ws_dir = new_workspace(work / f"ws-{label}", returns, db_url)
    files = sum(1 for p in returns.iterdir() if p.is_file())
    returns_count = files - (1 if (returns / "汇总.csv").exists() else 0)
    cmd = [sys.executable, "-m", "unionroll", "--workspace", str(ws_dir)]
    if db_url:
        cmd += ["--db", db_url]
    cmd += ["ingest", str(returns), "--received", "2025-04-05"]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The command's processes, its reader processes included (it waits for them).
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    kernel = after.ru_stime - usage.ru_stime
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"ingest failed on {label} (exit {proc.returncode})")
    last = proc.stdout.strip().splitlines()
    return {
        "files": files,
        "seconds": elapsed,
        "files_per_s": files / elapsed,
        "returns": returns_count,
        "peak_mib": max(after.ru_maxrss, usage.ru_maxrss) / 1024,
        "cpu": cpu,
        "kernel": kernel,
        "summary": last[-2] if len(last) > 1 else "",
    }


def print_run(label: str, r: dict[str, float]) -> None:
    print(
        f"{label:<10} {r['files']:>5} files in {r['seconds']:6.1f} s = "
        f"{r['files_per_s']:6.1f} files/s, peak {r['peak_mib']:.0f} MiB per process "
        "(read, validate, store, receipt; one ingest command)"
    )
    per_file = r["cpu"] / r["files"] * 1000
    print(
        f"{'':<10} CPU {r['cpu']:.1f} s in all processes = {per_file:.2f} ms a file "
        f"({r['kernel']:.1f} s of it in the kernel)"
    )


def print_spread(label: str, runs: list[dict[str, float]]) -> None:
    """The best and the median of several runs of one database (of each figure apart)."""
    rates = sorted((r["files_per_s"] for r in runs), reverse=True)
    cpu = sorted(r["cpu"] / r["files"] * 1000 for r in runs)
    mid = len(runs) // 2
    print(
        f"{label:<10} {len(runs)} runs: best {rates[0]:.1f} files/s, median {rates[mid]:.1f}; "
        f"CPU a file best {cpu[0]:.2f} ms, median {cpu[mid]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xlsx", type=int, default=2000)
    parser.add_argument("--json", type=int, default=500)
    parser.add_argument("--csv", type=int, default=500, help="units in the one CSV long table")
    parser.add_argument("--pg", default=os.environ.get("UNIONROLL_TEST_PG_URL", DEFAULT_PG))
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument(
        "--naive", type=int, default=300, help="xlsx files for the naive openpyxl path (0: none)"
    )
    parser.add_argument(
        "--no-start-up",
        dest="start_up",
        action="store_false",
        help="do not time a one-file ingest (the command's fixed cost) for each database",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="where the temporary folder goes (default: the system's); /dev/shm takes the disk "
        "out of the figures",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="ingest runs per database, each into a new workspace (the best and the median "
        "are printed when more than one)",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="unionroll-bench-", dir=args.dir))
    try:
        t = time.perf_counter()
        returns = generate(work, args.xlsx, args.json, args.csv)
        csv_part = f" + 1 csv ({args.csv} units)" if args.csv else ""
        print(
            f"generated {args.xlsx} xlsx + {args.json} json{csv_part} "
            f"in {time.perf_counter() - t:.1f} s"
        )
        env = ingest_env(work)
        warm_up(work, returns, env)
        labels = ["sqlite"] if args.no_pg else ["sqlite", "postgresql"]
        schemas: list[str] = []
        try:
            rates = {}
            for label in labels:
                wall, kernel = file_create_cost(work / f"create-{label}")
                print(
                    f"{'disk':<10} now: {wall:.0f} us to create a small file "
                    f"({kernel:.0f} us of it in the kernel); two per stored return"
                )
                runs = []
                for i in range(max(1, args.repeat)):
                    url = None
                    if label == "postgresql":
                        url, schema = pg_schema(args.pg)
                        schemas.append(schema)
                    r = run_ingest(work, returns, url, f"{label}-{i}", env)
                    runs.append(r)
                    print_run(label, r)
                # The median run (the run itself when only one) stands for the database.
                r = sorted(runs, key=lambda run: run["files_per_s"])[len(runs) // 2]
                rates[label] = r["files_per_s"]
                if len(runs) > 1:
                    print_spread(label, runs)
                if args.start_up:
                    pg_base = args.pg if label == "postgresql" else None
                    fixed = start_up(work, returns, pg_base, env)
                    # (Left out for a run too short for the difference to mean much.)
                    rest = (
                        f"; the rest of {'this' if len(runs) == 1 else 'the median'} run went "
                        f"at {r['files'] / (r['seconds'] - fixed):.0f}"
                        " files/s"
                        if r["seconds"] > 2 * fixed
                        else ""
                    )
                    print(
                        f"{'':<10} a one-file ingest takes {fixed:.2f} s (start-up and end, "
                        f"paid once a run){rest}"
                    )
            xlsx = sorted(returns.glob("*.xlsx"))[: args.naive]
            if xlsx:
                n = naive_ingest(xlsx, work / "naive.sqlite")
                ratio = rates["sqlite"] / n["files_per_s"]
                print(
                    f"{'naive':<10} {n['files']:>5} files in {n['seconds']:6.1f} s = "
                    f"{n['files_per_s']:6.1f} files/s (openpyxl, an ORM row per cell, SQLite); "
                    f"unionroll on SQLite is {ratio:.1f}x as fast"
                )
        finally:
            for schema in schemas:
                drop_schema(args.pg, schema)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
