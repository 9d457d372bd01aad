"""What an ingest run reports: one outcome per file and per return, and the run's options."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from unionroll.core.contracts import Adapter
from unionroll.core.model import CheckedReturn, Finding, ReturnData


@dataclass
class ReturnOutcome:
    """What became of one return in a file."""

    unit_code: str | None
    unit_name: str | None
    period: str | None
    status: str  # accepted | accepted_with_warnings | rejected | unchanged
    findings: list[Finding]
    n_values: int = 0
    n_register_rows: int = 0
    return_id: int | None = None
    superseded_id: int | None = None
    locator: str | None = None
    on_time: bool | None = None

    @property
    def ok(self) -> bool:
        return self.status != "rejected"


@dataclass
class FileOutcome:
    """What became of one input file."""

    path: Path
    display_name: str
    checksum: str | None = None
    adapter: str | None = None
    returns: list[ReturnOutcome] = field(default_factory=list)
    error: Finding | None = None  # the file could not be read at all
    duplicate_of: str | None = None  # same bytes as an earlier file in this batch

    @property
    def ok(self) -> bool:
        return self.error is None and all(r.ok for r in self.returns)

    @property
    def status(self) -> str:
        if self.duplicate_of:
            return "duplicate"
        if self.error is not None:
            return "unreadable"
        statuses = {r.status for r in self.returns}
        if "rejected" in statuses:
            return "rejected" if statuses == {"rejected"} else "partly_rejected"
        if statuses == {"unchanged"}:
            return "unchanged"
        if "accepted_with_warnings" in statuses:
            return "accepted_with_warnings"
        return "accepted"


@dataclass
class Prepared:
    """A file read and checked, waiting to be stored."""

    outcome: FileOutcome
    blob: bytes = b""
    size: int = 0
    adapter: Adapter | None = None  # not sent back from a reader process: see adapter_name
    adapter_name: str | None = None
    checked: list[tuple[ReturnData, CheckedReturn]] = field(default_factory=list)
    stored: str | None = None  # where the source file's copy is in the workspace
    plugin_errors: list[str] = field(default_factory=list)  # sniffs that raised
    # What each checked return says, as a checksum (rows.content_checksum): worked out
    # where the file was read, not where it is stored.
    contents: list[str] = field(default_factory=list)


@dataclass
class IngestResult:
    files: list[FileOutcome]
    dry_run: bool = False
    # Broken plugins passed over during the run (a sniff or an after_ingest hook that
    # raised), each naming the plugin: for the county, never for a school's receipt.
    plugin_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files for r in f.returns if r.status == status)

    @property
    def unreadable(self) -> list[FileOutcome]:
        return [f for f in self.files if f.error is not None]

    @property
    def failed_files(self) -> list[FileOutcome]:
        return [f for f in self.files if not f.ok]


@dataclass
class IngestOptions:
    dry_run: bool = False
    received_at: datetime | None = None  # when the files were received (default: now)
    today: date | None = None
    keep_sources: bool = True
    # Who is sending (a web login); recorded with each stored return.
    submitted_by: str | None = None
    # When set, returns of other units are refused unread into the store: a school on
    # the web page sends only its own.
    only_units: frozenset[str] | None = None
    # When set, a return for another period is refused (the period the sender chose).
    only_period: str | None = None
