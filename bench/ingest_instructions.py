"""Ingest work counted in machine instructions, for comparing two versions on a busy machine.

    python bench/ingest_instructions.py                 # 200 and 600 templates
    python bench/ingest_instructions.py --small 100 --large 300

Wall-clock figures (bench/ingest.py) move by 15% between runs on a shared virtual machine;
the number of instructions a run executes hardly moves. This runs the same
``unionroll ingest`` command as bench/ingest.py, on SQLite, under valgrind's callgrind
(every process, the worker processes included), once with ``--small`` templates and once
with ``--large``, and prints the instructions per file (the difference of the two runs
divided by the difference in files) and the fixed cost of a run (start-up and the end).
A forked worker's count includes what the parent did before the fork; the difference of
the two runs cancels it. Under valgrind the command runs some fifty times slower, which
changes how files are grouped into transactions a little, not the work per file.

Needs valgrind (Debian: ``apt-get install valgrind``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import generate

from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace


def subset(returns: Path, n: int, folder: Path) -> Path:
    """The first ``n`` returns (by name) and the units file, in a folder of their own."""
    (folder / "returns").mkdir(parents=True)
    shutil.copy(returns.parent / "units.csv", folder / "units.csv")
    for path in sorted(returns.iterdir())[:n]:
        shutil.copy(path, folder / "returns" / path.name)
    return folder / "returns"


def instructions(returns: Path, work: Path) -> int:
    """The instructions of one ``unionroll ingest`` of ``returns``, summed over processes."""
    ws_dir = work / "ws"
    Workspace.create(ws_dir, name="基准县教育工会").close()
    ws = Workspace.open(ws_dir)
    import_units(ws, returns.parent / "units.csv")
    ws.close()
    out = work / "callgrind"
    out.mkdir()
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--trace-children=yes",
        f"--callgrind-out-file={out}/cg.%p",
        sys.executable,
        "-m",
        "unionroll",
        "--workspace",
        str(ws_dir),
        "ingest",
        str(returns),
        "--received",
        "2025-04-05",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"ingest failed under valgrind (exit {proc.returncode})")
    total = 0
    for path in out.iterdir():
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("summary:"):
                total += int(line.split()[1])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=600)
    args = parser.parse_args()
    if args.large <= args.small:
        parser.error("--large must be more than --small")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")

    work = Path(tempfile.mkdtemp(prefix="unionroll-bench-"))
    try:
        (work / "data").mkdir()
        returns = generate(work / "data", args.large, 0, 0)
        counts = {}
        for n in (args.small, args.large):
            started = time.perf_counter()
            run = work / f"run-{n}"
            run.mkdir()
            files = returns if n == args.large else subset(returns, n, run / "data")
            counts[n] = instructions(files, run)
            print(
                f"{n:>5} templates: {counts[n] / 1e9:7.2f} G instructions "
                f"({time.perf_counter() - started:.0f} s under valgrind)"
            )
        per_file = (counts[args.large] - counts[args.small]) / (args.large - args.small)
        fixed = counts[args.small] - args.small * per_file
        print(
            f"per file: {per_file / 1e6:.1f} M instructions; fixed per run: "
            f"{fixed / 1e9:.2f} G (start-up and the end; SQLite)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
