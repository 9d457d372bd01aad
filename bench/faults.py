"""Crash and concurrency figures: ``unionroll ingest`` on a batch of 1,000 files, killed with
SIGKILL at every named fault point and at random moments, then run again; and four ingest
commands at once on overlapping folders. On SQLite and on PostgreSQL.

    python bench/faults.py                  # 1,000 files, 12 named + 8 random kills
    python bench/faults.py --schools 300 --random-kills 4 --no-pg

For each database it prints: the clean run's time; how many kills were made and at which
points; how long the rerun that finished took; whether the store then equals the clean
run's (rollup of every unit, current return of each unit and period, history of each);
what ``unionroll db check`` said; and for the four concurrent writers, their time, whether
the store equals the clean run's and how many lock errors reached the user.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from reliability import _bench_ingest, content, ingest_args, make_batch, new_workspace, unionroll

from unionroll.core import faults

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def run(ws: Path, url: str | None, *args: str, fault: str = "", kill_after: float | None = None):
    start = time.perf_counter()
    proc = unionroll(ws, url, *args, env={faults.FAULT_ENV: fault})
    try:
        out, err = proc.communicate(timeout=kill_after)
    except Exception:  # the random moment came: kill the command and its readers
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    return proc.returncode, out + err, time.perf_counter() - start


def bench_db(work: Path, returns: Path, label: str, urls: list[str | None], args) -> None:
    rng = random.Random(args.seed)
    units = returns.parent / "units.csv"
    clean = new_workspace(work / f"clean-{label}", units, urls[0])
    rc, text, clean_s = run(clean, urls[0], *ingest_args(returns))
    assert rc == 0, text[-2000:]
    expected = content(clean, urls[0])
    n_returns = sum(len(h) for h in expected["history"].values())
    print(f"{label:<10} clean run: {clean_s:6.1f} s, {n_returns} returns stored")

    ws = new_workspace(work / f"faults-{label}", units, urls[1])
    hit, missed, killed_at = [], [], []
    for point in faults.POINTS:
        nth = rng.randint(1, 40)
        rc, text, _ = run(ws, urls[1], *ingest_args(returns), fault=f"{point}:{nth}")
        (hit if rc == -signal.SIGKILL else missed).append(f"{point}:{nth}")
    for _ in range(args.random_kills):
        moment = rng.uniform(0.3, clean_s)
        rc, text, _ = run(ws, urls[1], *ingest_args(returns), kill_after=moment)
        killed_at.append(f"{moment:.1f}s" if rc == -signal.SIGKILL else f"{moment:.1f}s(finished)")
    rc, text, rerun_s = run(ws, urls[1], *ingest_args(returns))
    same = rc == 0 and content(ws, urls[1]) == expected
    check_rc, _, _ = run(ws, urls[1], "db", "check")
    parts = list(ws.rglob("*.part"))
    print(
        f"{label:<10} kills at {len(hit)} named points ({', '.join(hit)})"
        + (f"; not reached: {', '.join(missed)}" if missed else "")
    )
    print(f"{label:<10} random kills at {', '.join(killed_at) or 'none'}")
    print(
        f"{label:<10} final rerun {rerun_s:6.1f} s (exit {rc}); store equals clean run: {same}; "
        f"db check exit {check_rc}; leftover .part files: {len(parts)}"
    )

    ws4 = new_workspace(work / f"four-{label}", units, urls[2])
    first, second = returns / "1-首报", returns / "2-补报"
    start = time.perf_counter()
    procs = [
        unionroll(ws4, urls[2], *ingest_args(b))
        for b in ([first, second], [first, second], [first], [returns])
    ]
    outputs = [p.communicate() for p in procs]
    four_s = time.perf_counter() - start
    codes = [p.returncode for p in procs]
    locked = sum(("locked" in o + e) or ("数据库一直被其他程序占用" in o + e) for o, e in outputs)
    same4 = content(ws4, urls[2]) == expected
    print(
        f"{label:<10} 4 concurrent writers: {four_s:6.1f} s, exits {codes}, "
        f"store equals clean run: {same4}, lock errors shown: {locked}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=1000, help="files (one per school)")
    parser.add_argument("--xlsx", type=int, default=40)
    parser.add_argument("--random-kills", type=int, default=8)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--pg", default=os.environ.get("UNIONROLL_TEST_PG_URL", DEFAULT_PG))
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="unionroll-faults-"))
    try:
        returns = make_batch(work, schools=args.schools, xlsx=args.xlsx, csv_units=20)
        n_files = sum(1 for p in returns.rglob("*") if p.is_file())
        print(f"batch: {n_files} files ({args.schools} schools, resubmissions included)")
        bench_db(work, returns, "sqlite", [None, None, None], args)
        if not args.no_pg:
            bench = _bench_ingest()  # bench/ingest.py: one PostgreSQL schema per workspace
            made = [bench.pg_schema(args.pg) for _ in range(3)]
            schemas = [schema for _, schema in made]
            try:
                bench_db(work, returns, "postgresql", [url for url, _ in made], args)
            finally:
                for schema in schemas:
                    bench.drop_schema(args.pg, schema)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
