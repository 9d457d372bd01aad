"""Plain data types at the pipeline's boundaries.

adapter → :class:`ReturnData` → validation → :class:`CheckedReturn` → store.
Adapters build ReturnData from a file and know nothing of the database; validation
turns it into a CheckedReturn with parsed values and every :class:`Finding`.
These types are part of the public plugin API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, SupportsIndex

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Location:
    """Where in a source file something was read: sheet and cell, JSON path, or CSV line."""

    file: str
    sheet: str | None = None
    cell: str | None = None
    path: str | None = None
    line: int | None = None

    def __init__(
        self,
        file: str,
        sheet: str | None = None,
        cell: str | None = None,
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        # Written by hand: the generated one sets each field through object.__setattr__
        # (how a frozen dataclass gets past its own __setattr__), which takes twice as
        # long, and an adapter makes a Location for every cell it reads.
        fields = self.__dict__
        fields["file"] = file
        fields["sheet"] = sheet
        fields["cell"] = cell
        fields["path"] = path
        fields["line"] = line

    def __str__(self) -> str:
        parts = [f"文件“{self.file}”"]
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.cell:
            parts.append(f"单元格 {self.cell}")
        if self.path:
            parts.append(f"位置 {self.path}")
        if self.line is not None:
            parts.append(f"第 {self.line} 行")
        return "，".join(parts)

    @property
    def short(self) -> str:
        """The location without the file name, for receipts that are about one file."""
        if self.cell and self.sheet and self.path is None and self.line is None:
            return f"工作表“{self.sheet}”，单元格 {self.cell}"  # a workbook's cell: most of them
        parts = []
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.cell:
            parts.append(f"单元格 {self.cell}")
        if self.path:
            parts.append(self.path)
        if self.line is not None:
            parts.append(f"第 {self.line} 行")
        return "，".join(parts) or "整个文件"

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        # Sent back from a reader process some fifty times a return: as its five fields,
        # not as a dict of them (a subclass is pickled the usual way).
        if type(self) is Location:
            return (Location, (self.file, self.sheet, self.cell, self.path, self.line))
        return super().__reduce_ex__(protocol)


@dataclass
class Finding:
    """One problem found in a return. An error rejects the return; a warning does not."""

    severity: Severity
    code: str
    message: str
    location: Location | None = None
    indicator_id: str | None = None
    label: str | None = None
    found: Any = None
    expected: str | None = None

    def __str__(self) -> str:
        where = f"{self.location}：" if self.location else ""
        return f"{where}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass
class RawValue:
    """An indicator's value as read from the file, before any parsing."""

    indicator_id: str
    raw: Any
    location: Location
    formula: str | None = None  # the cell's formula, when it had one (its cached value is raw)


@dataclass
class RawRegisterRow:
    """A register row as read: column id → raw cell value, with each cell's location."""

    register: str
    row_no: int
    cells: dict[str, Any]
    locations: dict[str, Location] = field(default_factory=dict)
    location: Location | None = None


@dataclass
class ReturnData:
    """One return as an adapter read it. Nothing in it has been checked yet."""

    source: Path
    adapter: str
    unit_code: str | None
    period: str | None
    form_id: str | None = None
    form_version: int | None = None
    values: list[RawValue] = field(default_factory=list)
    registers: list[RawRegisterRow] = field(default_factory=list)
    consolidated: bool = False
    template_id: str | None = None
    locator: str | None = None  # which part of the file, when one file holds several returns
    unit_location: Location | None = None
    period_location: Location | None = None
    form_location: Location | None = None  # where the form id and version were read
    findings: list[Finding] = field(default_factory=list)  # what the adapter itself noticed
    # Where each indicator's input cell is, filled or not (adapters of a fixed layout set
    # it), so that "required, not filled in" can name the cell to fill.
    input_cells: dict[str, Location] = field(default_factory=dict)

    @property
    def source_name(self) -> str:
        return self.source.name


@dataclass
class CheckedRegisterRow:
    register: str
    row_no: int
    category: str | None
    level: str | None
    month: int | None
    data: dict[str, Any]
    location: Location | None = None


@dataclass
class CheckedReturn:
    """A return after validation: parsed values, cleaned register rows and every finding."""

    data: ReturnData
    unit_code: str | None
    period: str | None
    form_id: str
    form_version: int
    values: dict[str, float | str | None]
    value_locations: dict[str, Location]
    registers: list[CheckedRegisterRow]
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def accepted(self) -> bool:
        return not self.errors

    @property
    def status(self) -> str:
        if self.errors:
            return "rejected"
        return "accepted_with_warnings" if self.warnings else "accepted"


@dataclass(frozen=True)
class UnitInfo:
    """What validation and templates need to know of a unit, without a database."""

    code: str
    name: str
    level: str
    parent_code: str | None = None
    active_from: Any = None  # datetime.date | None
    active_to: Any = None  # datetime.date | None: closed from this day on

    def is_open_during(self, start: Any, end: Any) -> bool:
        """True when the unit existed on some day between start and end (dates)."""
        if self.active_from and self.active_from > end:
            return False
        return not (self.active_to and self.active_to <= start)
