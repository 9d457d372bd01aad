"""Ingestion: detect → read → validate → store.

A file is read by the first adapter (highest priority) whose ``sniff`` accepts it
(``reading.py``), in worker processes ahead of storing (``readers.py``). Each return it
holds is validated and stored whole or not at all (``storing.py``, with the rows and
statements in ``rows.py``). An identical return already stored is a no-op; a changed one
for the same unit and period supersedes the earlier return, which is kept as history.
Every source file is copied into the workspace under its checksum so any figure can be
traced back to the file it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from unionroll.core.files import sweep_stale_parts
from unionroll.core.hookcalls import notify
from unionroll.core.ingest.outcomes import (
    FileOutcome,
    IngestOptions,
    IngestResult,
    Prepared,
    ReturnOutcome,
)
from unionroll.core.ingest.readers import ReaderPool
from unionroll.core.ingest.reading import (
    HEAD_BYTES,
    MAX_FILE_BYTES,
    FileReader,
    choose_adapter,
    collect_files,
)
from unionroll.core.ingest.rows import content_checksum
from unionroll.core.ingest.storing import Ingestor
from unionroll.core.workspace import Workspace

__all__ = [
    "HEAD_BYTES",
    "MAX_FILE_BYTES",
    "FileOutcome",
    "FileReader",
    "IngestOptions",
    "IngestResult",
    "Ingestor",
    "Prepared",
    "ReturnOutcome",
    "choose_adapter",
    "collect_files",
    "content_checksum",
    "ingest_paths",
]


def ingest_paths(
    workspace: Workspace,
    paths: Iterable[str | Path],
    *,
    options: IngestOptions | None = None,
    progress: Callable[[FileOutcome], None] | None = None,
) -> IngestResult:
    """Ingest files and folders with the workspace's registered adapters and validators."""
    from unionroll.core.plugins import (
        registered_adapters,
        registered_forms,
        registered_validators,
    )

    files = collect_files(paths)
    # Copies half-written by a run that was killed: their final copies are written again.
    sweep_stale_parts(workspace.root / "sources")
    pm = workspace.pm
    ingestor = Ingestor(
        workspace,
        adapters=list(registered_adapters(pm).values()),
        validators=list(registered_validators(pm).values()),
        forms=registered_forms(pm),
        options=options,
    )
    outcomes = []
    with ReaderPool(ingestor, len(files)) as reader:
        for outcome in reader.outcomes(files):
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    result = IngestResult(
        outcomes, dry_run=ingestor.options.dry_run, plugin_errors=ingestor.plugin_errors
    )
    if not result.dry_run:
        # The returns are stored: a failing plugin is named and the others still run.
        failures = notify(pm, "after_ingest", workspace=workspace, result=result)
        result.plugin_errors.extend(str(f) for f in failures)
    return result
