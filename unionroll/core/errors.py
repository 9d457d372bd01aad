"""Domain exceptions.

Every exception a user can cause carries a message written for that user, in Chinese.
Core code raises these; only the CLI turns them into click errors and exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass


class UnionrollError(Exception):
    """Base class for every error that is the user's to fix, not a bug."""

    exit_code = 1

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details or [])

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {d}" for d in self.details)


class UsageError(UnionrollError):
    """The command was called with something it cannot use (a bad period text, say)."""

    exit_code = 2


class WorkspaceError(UnionrollError):
    """No workspace, or a workspace whose config cannot be read."""


class ConfigError(UnionrollError):
    """The workspace config has a value that cannot be used."""


class PeriodError(UsageError):
    """A period text that matches none of the accepted forms."""


class DatabaseError(UnionrollError):
    """The database cannot be reached or is not at the schema this version expects."""


@dataclass(frozen=True)
class RowProblem:
    """One bad row in an imported table: where it is and what is wrong."""

    row: int
    reason: str
    source: str = ""

    def __str__(self) -> str:
        where = f"{self.source} " if self.source else ""
        return f"{where}第 {self.row} 行：{self.reason}"


class ImportRejected(UnionrollError):
    """A table import found bad rows; nothing was written."""

    def __init__(self, message: str, problems: list[RowProblem]) -> None:
        super().__init__(message, details=[str(p) for p in problems])
        self.problems = problems


@dataclass
class DefinitionProblem:
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}：{self.reason}"


class FormDefinitionError(UnionrollError):
    """A form definition file has problems; every problem is listed."""

    def __init__(self, source: str, problems: list[DefinitionProblem]) -> None:
        super().__init__(
            f"报表定义 {source} 有 {len(problems)} 处问题，未能加载：",
            details=[str(p) for p in problems],
        )
        self.source = source
        self.problems = problems


class PluginError(UnionrollError):
    """A plugin could not be loaded, or two plugins claim the same name."""


class UnknownUnitError(UsageError):
    pass


class SourceError(UnionrollError):
    """A source file that cannot be read at all: not a return, corrupt, protected, hostile.

    ``location`` is a :class:`unionroll.core.model.Location` (or None for the whole file).
    """

    def __init__(self, message: str, *, location: object = None, code: str = "unreadable") -> None:
        super().__init__(message)
        self.location = location
        self.code = code
