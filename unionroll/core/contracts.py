"""Base classes for what plugins contribute: adapters, reports and validators.

Hooks return instances of these (typed objects, never dicts), so the names and attributes
below are part of the public plugin API listed in docs/api.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from unionroll.core.forms import FormDefinition
    from unionroll.core.model import CheckedReturn, Finding, ReturnData


@dataclass
class ReadContext:
    """What an adapter is given besides the file.

    ``form``: the workspace's form. ``forms``: every registered form by ``id@version``,
    for files that name another version. ``display_name``: the file name to use in
    locations and messages (the user's name for the file, even when reading a copy).
    ``settings``: this adapter's section of the workspace config (``[adapters.NAME]``
    over ``[plugins.NAME]``), empty when there is none. ``content``: the file's bytes when
    the program has read them already (ingest has: they are the bytes it checksums and
    keeps a copy of), else None; an adapter that reads them instead of the file reads
    exactly what is kept, even if the file changes meanwhile, and saves reading it again.
    """

    form: FormDefinition
    forms: dict[str, FormDefinition] = field(default_factory=dict)
    display_name: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    content: bytes | None = field(default=None, repr=False)


class Contribution:
    """Something a plugin registers under a unique name."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class Adapter(Contribution):
    """Reads one input file into return data.

    ``extensions`` are a hint for listing; the choice is made by :meth:`sniff`, which looks
    at the content. ``priority`` breaks ties between adapters that both accept a file
    (higher first).
    """

    extensions: ClassVar[tuple[str, ...]] = ()
    priority: ClassVar[int] = 0

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when this adapter can read the file. ``head`` is its first 8 KiB."""
        raise NotImplementedError

    def read(self, path: Path, context: ReadContext) -> list[ReturnData]:
        """Read the file into one or more returns.

        Raise :class:`unionroll.core.errors.SourceError` for a file that cannot be read at
        all (corrupt, protected, hostile); problems with single values belong in the
        returns' ``findings`` or are left for validation.
        """
        raise NotImplementedError


@dataclass
class ReportOptions:
    """What a report is asked to write, besides the rollup.

    ``formats``: the formats wanted (a subset of the report's ``formats``). ``templates_dir``:
    the county's own template folder (its files replace built-in templates of the same name).
    ``docx_template``: a county Word template whose styles replace ours. ``title_prefix``:
    the workspace's name (e.g. 青山县教育工会) for titles. ``today``: the date a document
    is signed with. ``settings``: this report's section of the workspace config, if any.
    ``pm``: the plugin manager, for ``prepare_jinja2_environment`` and
    ``extra_report_context``.
    """

    formats: tuple[str, ...] = ()
    templates_dir: Path | None = None
    docx_template: Path | None = None
    title_prefix: str = ""
    today: Any = None  # datetime.date
    settings: dict[str, Any] = field(default_factory=dict)
    pm: Any = None


class Report(Contribution):
    """Writes one kind of report from a rollup."""

    formats: ClassVar[tuple[str, ...]] = ()
    default_formats: ClassVar[tuple[str, ...]] = ()

    def render(self, rollup: Any, out_dir: Path, options: ReportOptions) -> list[Path]:
        """Write the report in ``options.formats`` into ``out_dir``; return the files."""
        raise NotImplementedError


class Validator(Contribution):
    """An extra rule run on every return after the form's own rules."""

    def check(self, checked: CheckedReturn, form: FormDefinition) -> list[Finding]:
        """Return extra findings for a validated return (empty when it passes)."""
        raise NotImplementedError
