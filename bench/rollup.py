"""Rollup benchmark: a province and a county, on SQLite and PostgreSQL.

    python bench/rollup.py                        # both databases, default sizes
    python bench/rollup.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/rollup.py --no-pg --counties 10  # smaller, SQLite only

The province: 1 province, 100 counties, 1,000 townships, 20,000 schools, every unit of the
form's levels reporting the full standard form for 2025Q1 and 2025Q2 (about 1.8 million
values and 145,000 register rows), loaded through unionroll.core.bulk. The county: 15
townships of 20 schools (300 schools). Each rollup is timed in a fresh process, whose
peak resident memory (ru_maxrss) is reported; the best of ``--runs`` is shown with the
first (cold) run. PostgreSQL data goes into a new schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

import rollup_dataset as dataset

from unionroll.core import migrate
from unionroll.core.bulk import load_returns, load_units
from unionroll.core.periods import Period
from unionroll.core.workspace import Workspace

PG_ENV = "UNIONROLL_BENCH_PG_URL"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PERIOD = "2025H1"


def peak_mb() -> float:
    """This process's peak resident memory. ru_maxrss would do, but on Linux a child
    started with fork + exec inherits its parent's peak, so read VmHWM where there is one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(workspace: str, db: str | None, unit: str | None, runs: int) -> dict[str, Any]:
    """Runs in the child process: time the rollups and report peak memory."""
    from unionroll.core.rollup import rollup

    ws = Workspace.open(workspace, db_url=db)
    start = time.perf_counter()
    ws.form  # noqa: B018 - the plugins and the form load once per process, not per rollup
    startup = time.perf_counter() - start
    base_mb = peak_mb()
    times = []
    nodes = 0
    result = None
    for _ in range(runs):
        result = None
        start = time.perf_counter()
        result = rollup(ws, PERIOD, unit=unit, hooks=False)
        times.append(time.perf_counter() - start)
        nodes = len(result.nodes)
    assert result is not None
    rss_rollup = peak_mb()
    start = time.perf_counter()
    n_figures = sum(len(node.figures) for node in result.nodes.values())
    all_figures = time.perf_counter() - start
    root = result.root
    return {
        "first": times[0],
        "best": min(times),
        "nodes": nodes,
        "peak_mb": rss_rollup,
        "all_figures_s": all_figures,
        "figures": n_figures,
        "peak_mb_with_figures": peak_mb(),
        "startup_s": startup,
        "base_mb": base_mb,
        "completeness": root.completeness.summary_zh,
        "staff_total": root.figures["staff_total"].value,
        "care_funds": root.figures["care_funds"].value,
        "overlaps": len(result.overlaps),
    }


def run_child(workspace: Path, db: str | None, unit: str | None, runs: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--measure", str(workspace), "--runs", str(runs)]
    if db:
        cmd += ["--db", db]
    if unit:
        cmd += ["--unit", unit]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def build(
    root: Path, db: str | None, *, province: bool, sizes: tuple[int, int, int]
) -> dict[str, float]:
    if province:
        dataset.write_province_config(root)
        ws = Workspace.open(root, db_url=db)
    else:
        ws = Workspace.create(root, name="基准县教育工会", db_url=db)
    migrate.upgrade(ws.engine)
    counties, townships, schools = sizes
    t0 = time.perf_counter()
    units = (
        dataset.province_units(counties, townships, schools)
        if province
        else dataset.county_units(townships, schools)
    )
    returns = list(dataset.returns(units, ws.form, Period.parse(PERIOD).quarters()))
    t1 = time.perf_counter()
    load_units(ws, units)
    t2 = time.perf_counter()
    load_returns(ws, returns)
    t3 = time.perf_counter()
    with ws.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    n_values = sum(len(r.values) for r in returns)
    n_rows = sum(len(r.registers) for r in returns)
    ws.close()
    return {
        "units": len(units),
        "returns": len(returns),
        "values": n_values,
        "register_rows": n_rows,
        "generate_s": t1 - t0,
        "load_units_s": t2 - t1,
        "load_returns_s": t3 - t2,
    }


def pg_schema_url(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in base else "?"
    return schema, f"{base}{sep}options=-csearch_path%3D{schema}"


def drop_schema(base: str, schema: str) -> None:
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def report(label: str, load: dict[str, float], timing: dict[str, Any]) -> None:
    print(f"\n== {label}")
    print(
        f"   data: {load['units']:,} units, {load['returns']:,} returns, "
        f"{load['values']:,} values, {load['register_rows']:,} register rows"
    )
    print(
        f"   load: generate {load['generate_s']:.1f} s, units {load['load_units_s']:.1f} s, "
        f"returns {load['load_returns_s']:.1f} s"
    )
    for name, t in timing.items():
        print(
            f"   rollup {name}: best {t['best']:.3f} s, first {t['first']:.3f} s; "
            f"{t['nodes']:,} units in the result; peak memory {t['peak_mb']:.0f} MB "
            f"(process before the rollup: {t['base_mb']:.0f} MB; "
            f"loading plugins and form once: {t['startup_s']:.2f} s)"
        )
        print(
            f"      every figure of every unit as objects: +{t['all_figures_s']:.2f} s "
            f"({t['figures']:,} figures, peak {t['peak_mb_with_figures']:.0f} MB)"
        )
        print(f"      {t['completeness']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default=os.environ.get(PG_ENV, DEFAULT_PG))
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--townships", type=int, default=10)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--county-townships", type=int, default=15, help="townships of the county")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--measure", metavar="WORKSPACE", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--unit", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.db, args.unit, args.runs), ensure_ascii=False))
        return

    sizes = (args.counties, args.townships, args.schools)
    dbs: list[str] = []
    if not args.no_sqlite:
        dbs.append("sqlite")
    if not args.no_pg:
        dbs.append("postgresql")
    print(f"unionroll rollup benchmark, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        for db in dbs:
            for province in (True, False):
                county_sizes = (1, args.county_townships, sizes[2])
                label = (
                    f"province: {sizes[0]} counties × {sizes[1]} townships × {sizes[2]} schools"
                    if province
                    else f"county: {county_sizes[1]} townships × {sizes[2]} schools"
                )
                schema = None
                url = None
                if db == "postgresql":
                    schema, url = pg_schema_url(args.pg)
                try:
                    root = Path(tmp) / f"{db}-{'province' if province else 'county'}"
                    load = build(
                        root, url, province=province, sizes=sizes if province else county_sizes
                    )
                    timing = {"all levels": run_child(root, url, None, args.runs)}
                    if province:
                        timing["one county (C001)"] = run_child(root, url, "C001", args.runs)
                    report(f"{db}: {label}", load, timing)
                finally:
                    if schema:
                        drop_schema(args.pg, schema)


if __name__ == "__main__":
    main()
