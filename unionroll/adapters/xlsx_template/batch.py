"""Writing templates in batches: one file per unit, named for people, in parallel when many."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from unionroll.adapters.xlsx_template.layout import DEFAULT_REGISTER_ROWS
from unionroll.adapters.xlsx_template.writer import write_template
from unionroll.core.forms import FormDefinition
from unionroll.core.model import UnitInfo
from unionroll.core.periods import Period


@dataclass(frozen=True)
class TemplateJob:
    """One template to write in a batch."""

    unit: UnitInfo
    level_name: str
    path: Path
    template_id: str | None = None


def template_filename(unit: UnitInfo, period: Period) -> str:
    """A file name people recognise: ``2025Q1_S001_城关一小.xlsx`` (unsafe characters removed)."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "", unit.name).strip(" .")[:40]
    code = re.sub(r'[\\/:*?"<>|\x00-\x1f\s]+', "_", unit.code)
    return f"{period.code}_{code}_{name}.xlsx" if name else f"{period.code}_{code}.xlsx"


def write_templates(
    out_dir: str | Path,
    units: Iterable[UnitInfo],
    *,
    form: FormDefinition,
    period: Period,
    level_names: Mapping[str, str],
    county_name: str | None = None,
    register_rows: int = DEFAULT_REGISTER_ROWS,
    workers: int | None = None,
    on_written: Callable[[UnitInfo, Path], None] | None = None,
) -> list[Path]:
    """Write one template per unit into ``out_dir`` (created if needed); return the paths.

    File names come from :func:`template_filename`. ``level_names`` maps a level id to its
    Chinese name. Large batches are written by ``workers`` processes (default: the CPU
    count, at most 8; ``workers=1`` writes in this process). ``on_written`` is called in
    this process after each file, for a progress bar.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [
        TemplateJob(
            unit=u,
            level_name=level_names.get(u.level, u.level),
            path=out / template_filename(u, period),
        )
        for u in units
    ]
    generated_at = datetime.now().replace(microsecond=0)
    common = {
        "form": form,
        "period": period,
        "county_name": county_name,
        "register_rows": register_rows,
        "generated_at": generated_at,
    }
    if workers is None:
        workers = min(8, os.cpu_count() or 1)
    # Starting processes costs more than a few dozen templates take to write.
    if workers <= 1 or len(jobs) < 40:
        for job in jobs:
            _write_job(job, common)
            if on_written:
                on_written(job.unit, job.path)
        return [job.path for job in jobs]
    chunk = max(1, min(50, len(jobs) // (workers * 4)))
    batches = [jobs[i : i + chunk] for i in range(0, len(jobs), chunk)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for batch in pool.map(_write_batch, batches, [common] * len(batches)):
            for job in batch:
                if on_written:
                    on_written(job.unit, job.path)
    return [job.path for job in jobs]


def _write_job(job: TemplateJob, common: Mapping[str, Any]) -> None:
    write_template(
        job.path,
        unit=job.unit,
        level_name=job.level_name,
        template_id=job.template_id,
        **common,
    )


def _write_batch(jobs: Sequence[TemplateJob], common: Mapping[str, Any]) -> Sequence[TemplateJob]:
    for job in jobs:
        _write_job(job, common)
    return jobs
