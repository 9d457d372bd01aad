"""A county's batch of returns for the crash and concurrency tests, the unionroll command
run as a real process, and what a store's content comes to.

The batch: one JSON return per school, a few filled-in Excel templates, one CSV long
table for a handful of schools, and a second folder of resubmissions that change some
schools' figures (so the second round supersedes the first). bench/faults.py uses the
same helpers at a larger size.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from unionroll.core.rollup import rollup
from unionroll.core.store import ReturnRecord, ReturnValue, Unit
from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace
from unionroll.forms.builtin import standard_form

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2025Q1"
RECEIVED = "2025-04-05"


def _bench_ingest() -> Any:
    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "bench" / "ingest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_batch(folder: Path, *, schools: int, xlsx: int = 4, csv_units: int = 6) -> Path:
    """Units CSV in ``folder`` and the returns under ``folder/returns``; returns the latter.

    ``schools`` schools; the first ``xlsx`` send an Excel template, the last ``csv_units``
    are in one CSV table, the rest send JSON. A fifth of the schools resend a changed
    return in ``returns/2-补报``, read after ``returns/1-首报``.
    """
    bench = _bench_ingest()
    form = standard_form()
    townships = max(1, schools // 20)
    lines = ["code,name,level,parent_code", "C,测试县教育工会,county,"]
    lines += [f"T{t:02d},第{t}学区工会,township,C" for t in range(1, townships + 1)]
    codes = [f"S{i:04d}" for i in range(1, schools + 1)]
    lines += [f"{c},第{i}学校工会,school,T{i % townships + 1:02d}" for i, c in enumerate(codes)]
    (folder / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    returns = folder / "returns"
    first, second = returns / "1-首报", returns / "2-补报"
    first.mkdir(parents=True)
    second.mkdir()
    rng = random.Random(11)
    for i, code in enumerate(codes[:xlsx]):
        bench._write_xlsx((str(first / f"{code} 2025年第一季度.xlsx"), code, f"第{i}学校工会", i))
    json_codes = codes[xlsx : schools - csv_units]
    for code in json_codes:
        _write_json(first / f"{code}.json", code, bench.school_values(rng, form), rng, bench, form)
    rows = ["unit,period,indicator,value"]
    for code in codes[schools - csv_units :]:
        rows += [f"{code},{PERIOD},{k},{v}" for k, v in bench.school_values(rng, form).items()]
    (first / "汇总.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for code in json_codes[::5]:
        values = bench.school_values(rng, form)
        values["needy_staff_visited"] += 7
        _write_json(second / f"{code}_更正.json", code, values, rng, bench, form)
    return returns


def _write_json(path: Path, code: str, values: dict, rng: random.Random, bench: Any, form) -> None:
    payload = {
        "form": form.id,
        "form_version": form.version,
        "unit": code,
        "period": PERIOD,
        "values": values,
        **bench.registers(rng, form),
    }
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


def new_workspace(root: Path, units_csv: Path, db_url: str | None) -> Path:
    ws = Workspace.create(root, name="测试县教育工会", db_url=db_url)
    import_units(ws, units_csv)
    ws.close()
    return root


def unionroll(
    ws: Path, db_url: str | None, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start ``unionroll`` on ``ws`` in a process group of its own (a fault kills the group)."""
    cmd = [sys.executable, "-m", "unionroll", "--workspace", str(ws)]
    if db_url:
        cmd += ["--db", db_url]
    return subprocess.Popen(
        [*cmd, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )


def ingest_args(returns: Path | list[Path]) -> list[str]:
    folders = returns if isinstance(returns, list) else [returns]
    return ["ingest", *map(str, folders), "--received", RECEIVED]


def content(ws_dir: Path, db_url: str | None) -> dict[str, Any]:
    """What the store says, independent of ids and times: the rollup of every unit, the
    current return of each unit and period, and each one's history of contents."""
    ws = Workspace.open(ws_dir, db_url=db_url)
    try:
        result = rollup(ws, PERIOD, hooks=False)
        figures = {
            code: {
                ind: (f.value, f.reported, f.yes, f.numerator, f.denominator)
                for ind, f in node.figures.items()
            }
            for code, node in result.nodes.items()
        }
        r = ReturnRecord.__table__.c
        with ws.connection() as conn:
            rows = conn.execute(
                select(Unit.code, r.period, r.status, r.content_checksum)
                .join(Unit, Unit.id == r.unit_id)
                .order_by(r.id)
            ).all()
            n_values = conn.execute(select(func.count()).select_from(ReturnValue)).scalar_one()
        history: dict[str, list[tuple[str, str]]] = {}
        for row in rows:
            history.setdefault(f"{row.code}/{row.period}", []).append(
                (row.status, row.content_checksum)
            )
        return {
            "figures": figures,
            "history": history,
            "statuses": Counter(row.status for row in rows),
            "n_values": n_values,
        }
    finally:
        ws.close()
