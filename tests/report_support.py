"""Helpers for the report tests: JSON returns written to a folder and ingested."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from unionroll.core.ingest import IngestOptions, IngestResult, ingest_paths
from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace


def json_return(unit: str, period: str, values: dict[str, Any], **registers: Any) -> dict[str, Any]:
    """A return of the standard form as a JSON file holds it."""
    return {
        "form": "edu-union-quarterly",
        "form_version": 1,
        "unit": unit,
        "period": period,
        "values": values,
        **registers,
    }


def load_county(
    ws: Workspace,
    folder: Path,
    units_csv: str,
    payloads: list[dict[str, Any]],
    *,
    received_at: datetime = datetime(2025, 7, 3, 9),
    today: date = date(2025, 9, 1),
) -> IngestResult:
    """Import the units and ingest the returns, one JSON file each, in one batch."""
    folder.mkdir(parents=True, exist_ok=True)
    units = folder / "units.csv"
    units.write_text(units_csv, encoding="utf-8")
    import_units(ws, units)
    returns = folder / "returns"
    returns.mkdir()
    for n, payload in enumerate(payloads):
        (returns / f"{n:03d}.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    return ingest_paths(ws, [returns], options=IngestOptions(received_at=received_at, today=today))
