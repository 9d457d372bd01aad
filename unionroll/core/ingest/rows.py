"""The rows a return is stored as, and the statements that write them (built once: an
ingest stores thousands of returns, and building a statement costs more than running it)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from unionroll.core import tables as T
from unionroll.core.model import CheckedReturn, Finding, Location

RETURNS = T.returns
SOURCES = T.source_files
_APPROVALS = T.approvals

# The returns of some units and periods that are not superseded, newest first.
HISTORY = (
    select(
        RETURNS.c.id,
        RETURNS.c.unit_id,
        RETURNS.c.period,
        RETURNS.c.content_checksum,
        RETURNS.c.status,
    )
    .where(
        RETURNS.c.unit_id.in_(bindparam("unit_ids", expanding=True)),
        RETURNS.c.period.in_(bindparam("periods", expanding=True)),
        RETURNS.c.status != "superseded",
    )
    .order_by(RETURNS.c.id.desc())
)
LOCKED = select(_APPROVALS.c.unit_id, _APPROVALS.c.period).where(
    _APPROVALS.c.unit_id.in_(bindparam("unit_ids", expanding=True)),
    _APPROVALS.c.period.in_(bindparam("periods", expanding=True)),
    _APPROVALS.c.locked.is_(True),
)
INSERT_RETURN = insert(RETURNS).returning(RETURNS.c.id, sort_by_parameter_order=True)
RETIRE = update(RETURNS).where(RETURNS.c.id == bindparam("old_id")).values(status="superseded")
SUPERSEDE = (
    update(RETURNS)
    .where(RETURNS.c.id == bindparam("old_id"))
    .values(
        superseded_by_id=bindparam("new_id"),
        superseded_at=bindparam("at"),
    )
)
SUPERSEDED_FROM_FILE = (
    select(RETURNS.c.id)
    .join(SOURCES, SOURCES.c.id == RETURNS.c.source_file_id)
    .where(
        RETURNS.c.unit_id == bindparam("unit_id"),
        RETURNS.c.period == bindparam("period"),
        RETURNS.c.status == "superseded",
        RETURNS.c.content_checksum == bindparam("content"),
        SOURCES.c.checksum == bindparam("file"),
    )
    .limit(1)
)
VALUES = T.return_values
REGISTER_ROWS = T.register_rows
FINDINGS = T.findings


def content_checksum(checked: CheckedReturn) -> str:
    """A checksum of what a return says, independent of the file it came in."""
    payload = {
        "unit": checked.unit_code,
        "period": checked.period,
        "form": [checked.form_id, checked.form_version],
        "consolidated": bool(checked.data.consolidated),
        "values": sorted((k, v) for k, v in checked.values.items()),
        "registers": [
            [r.register, r.category, r.level, r.month, sorted(r.data.items(), key=str)]
            for r in checked.registers
        ],
    }
    blob = json.dumps(payload, ensure_ascii=False, default=str, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


VALUE_COLUMNS = ("return_id", "indicator_id", "num", "text", "location")
REGISTER_COLUMNS = (
    "return_id",
    "register",
    "row_no",
    "category",
    "level",
    "month",
    "data",
    "location",
)
FINDING_COLUMNS = ("return_id", "severity", "code", "message", "location", "indicator_id")


def value_rows(return_id: int, checked: CheckedReturn) -> list[tuple[Any, ...]]:
    """A return's values as rows of VALUE_COLUMNS: a number, or text for text and choice
    indicators."""
    rows: list[tuple[Any, ...]] = []
    locations = checked.value_locations
    for indicator_id, value in checked.values.items():
        loc = locations.get(indicator_id)
        is_text = isinstance(value, str)
        rows.append(
            (
                return_id,
                indicator_id,
                None if is_text or value is None else float(value),
                value if is_text else None,
                loc.short if loc is not None else None,
            )
        )
    return rows


def register_rows(return_id: int, checked: CheckedReturn) -> list[tuple[Any, ...]]:
    """A return's register rows as rows of REGISTER_COLUMNS, the data as JSON text."""
    return [
        (
            return_id,
            r.register,
            r.row_no,
            r.category,
            r.level,
            r.month,
            json.dumps(r.data, default=str),
            _loc_text(r.location),
        )
        for r in checked.registers
    ]


def finding_rows(return_id: int, findings: list[Finding]) -> list[tuple[Any, ...]]:
    """Findings as rows of FINDING_COLUMNS."""
    return [
        (
            return_id,
            f.severity,
            f.code,
            f.message,
            _loc_text(f.location),
            f.indicator_id,
        )
        for f in findings
    ]


def _loc_text(loc: Location | None) -> str | None:
    return loc.short if loc is not None else None
