"""Reading one file for ingest: find it, pick the adapter, read, validate, keep a copy.

Nothing here touches the database, so it runs ahead of storing, in worker processes
(readers.py) or a thread.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from unionroll.core import faults
from unionroll.core.contracts import Adapter, ReadContext, Validator
from unionroll.core.errors import SourceError, UsageError
from unionroll.core.files import write_bytes_atomic
from unionroll.core.forms import FormDefinition
from unionroll.core.ingest.outcomes import FileOutcome, IngestOptions, Prepared
from unionroll.core.ingest.rows import content_checksum
from unionroll.core.model import Finding, Location, ReturnData, UnitInfo
from unionroll.core.units.plain import unit_ids, unit_infos
from unionroll.core.validation import validate
from unionroll.core.workspace import Workspace

MAX_FILE_BYTES = 50 * 1024 * 1024
HEAD_BYTES = 8192

# Hints for files that no adapter accepts, by their first bytes or their extension.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class CollectedFiles(list[Path]):
    """The files :func:`collect_files` found: given to it again (the command line expands
    the folders to count the files, then hands them to ``ingest_paths``), taken as they
    are, without a ``stat`` for each."""


def collect_files(paths: Iterable[str | Path]) -> CollectedFiles:
    """Expand files and folders (recursively) into a sorted list of files to read.

    One ``stat`` per path given, and none per file found in a folder (the directory
    entries say what they are), nor for what it found before."""
    if isinstance(paths, CollectedFiles):
        return paths
    files = CollectedFiles()
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        try:
            mode = path.stat().st_mode
        except (OSError, ValueError):
            mode = 0
        if stat.S_ISDIR(mode):
            files.extend(sorted(_files_in(path)))
        elif stat.S_ISREG(mode):
            files.append(path)
        else:
            missing.append(str(raw))
    if missing:
        raise UsageError("找不到这些文件或文件夹：" + "、".join(missing))
    return files


def _files_in(folder: Path) -> Iterator[Path]:
    """Every file under ``folder`` but hidden ones and Office lock files (``~$``); folders
    that are symbolic links are not followed."""
    folders = [folder]
    while folders:
        try:
            entries = os.scandir(folders.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                if entry.is_dir() and not entry.is_symlink():
                    folders.append(Path(entry.path))
                elif entry.is_file() and not entry.name.startswith((".", "~$")):
                    yield Path(entry.path)


def choose_adapter(
    path: Path,
    head: bytes,
    adapters: Sequence[Adapter],
    failures: dict[str, str] | None = None,
) -> Adapter | None:
    """The adapter that claims the file, highest priority first. ``failures``, when given,
    collects adapter name → message for sniffs that raised."""
    for adapter in sorted(adapters, key=lambda a: -a.priority):
        try:
            if adapter.sniff(path, head):
                return adapter
        except Exception as exc:  # a sniffing plugin must not stop the run; it just does not claim
            if failures is not None:
                failures[adapter.name] = (
                    f"读取器 {adapter.name} 的 sniff 出错，已跳过：{type(exc).__name__}: {exc}"
                )
            continue
    return None


def _not_return_data(datas: object) -> str | None:
    """What is wrong with an adapter's result (a type name), or None when it is right."""
    if not isinstance(datas, list | tuple):
        return type(datas).__name__
    wrong = next((d for d in datas if not isinstance(d, ReturnData)), None)
    return None if wrong is None else f"含有 {type(wrong).__name__} 的列表"


def _unrecognised_message(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(_OLE_MAGIC):
        if suffix == ".et":
            return (
                "这是 WPS 表格 .et 文件，无法读取。"
                "请在 WPS 中“另存为”Excel 工作簿（.xlsx）后再报送。"
            )
        return (
            "这是旧版 Excel（.xls）或加密的文件，无法读取。"
            "请在 Excel/WPS 中“另存为”Excel 工作簿（.xlsx），并取消密码保护后再报送。"
        )
    if not head:
        return "文件是空的（0 字节）。"
    if head.startswith(b"%PDF"):
        return "这是 PDF 文件，不是报表。请报送 Excel 报表模板（.xlsx）。"
    if suffix in (".doc", ".docx", ".wps"):
        return "这是 Word 文档，不是报表。请报送 Excel 报表模板（.xlsx）。"
    return "无法识别的文件格式：不是报表模板（.xlsx）、JSON 报表或 CSV 长表。"


def _finding_from(exc: SourceError, fallback: Location) -> Finding:
    location = exc.location if isinstance(exc.location, Location) else fallback
    return Finding("error", exc.code, exc.message, location)


class FileReader:
    """Reads and checks files for one workspace; caches its units, adapters and forms."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        adapters: Sequence[Adapter],
        validators: Sequence[Validator],
        forms: dict[str, FormDefinition],
        options: IngestOptions | None = None,
    ) -> None:
        self.ws = workspace
        self.form = workspace.form
        self.forms = dict(forms)
        self.forms.setdefault(self.form.name, self.form)
        self.adapters = list(adapters)
        self._adapters_by_name = {a.name: a for a in self.adapters}
        self.validators = list(validators)
        self.options = options or IngestOptions()
        self.today = self.options.today or date.today()
        with workspace.connection() as conn:
            self.units: dict[str, UnitInfo] = unit_infos(conn)
            self.unit_ids: dict[str, int] = unit_ids(conn)

    def adapter_settings(self, name: str) -> dict[str, Any]:
        """An adapter's settings: ``[adapters.NAME]`` over ``[plugins.NAME]``."""
        return self.ws.config.plugin_settings("adapters", name)

    def prepare(self, path: Path, display_name: str | None = None) -> Prepared:
        """Read and check one file; touches no database, so it can run ahead of storing."""
        name = display_name or path.name
        prep = Prepared(FileOutcome(path=path, display_name=name))
        outcome = prep.outcome
        where = Location(file=name)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise SourceError(
                    f"文件太大（{size / 1024 / 1024:.1f} MB），一份报表不应超过 "
                    f"{MAX_FILE_BYTES // 1024 // 1024} MB。",
                    code="too_large",
                )
            prep.blob = path.read_bytes()
            prep.size = len(prep.blob)
        except SourceError as exc:
            outcome.error = _finding_from(exc, where)
            return prep
        except FileNotFoundError:
            message = "找不到这个文件：列出要读取的文件之后，它被移走或删除了。请确认后重新报送。"
            outcome.error = Finding("error", "unreadable", message, where)
            return prep
        except OSError as exc:
            outcome.error = Finding("error", "unreadable", f"无法打开文件：{exc.strerror}", where)
            return prep
        outcome.checksum = hashlib.sha256(prep.blob).hexdigest()

        head = prep.blob[:HEAD_BYTES]
        sniff_failures: dict[str, str] = {}
        adapter = choose_adapter(path, head, self.adapters, sniff_failures)
        prep.plugin_errors.extend(sniff_failures.values())
        if adapter is None:
            outcome.error = Finding(
                "error", "unrecognised", _unrecognised_message(path, head), where
            )
            return prep
        prep.adapter = adapter
        prep.adapter_name = adapter.name
        outcome.adapter = adapter.name
        datas = self._read(adapter, path, name, outcome, prep.blob)
        if datas is None:
            return prep
        prep.checked = [
            (
                data,
                validate(
                    data,
                    form=self.form,
                    forms=self.forms,
                    units=self.units,
                    today=self.today,
                    validators=self.validators,
                ),
            )
            for data in datas
        ]
        prep.contents = [content_checksum(checked) for _, checked in prep.checked]
        if any(c.period and c.unit_code in self.unit_ids for _, c in prep.checked):
            # Only a file with a return to store is kept: a kept copy always has its row.
            prep.stored = self._keep_copy(prep.blob, outcome.checksum, name)
        prep.blob = b""  # copied into the workspace; nothing later needs the bytes
        return prep

    def _read(
        self, adapter: Adapter, path: Path, name: str, outcome: FileOutcome, content: bytes
    ) -> list[ReturnData] | None:
        """The adapter's returns, or None with ``outcome.error`` set. ``content``: the
        file's bytes, as checksummed and kept."""
        where = Location(file=name)
        context = ReadContext(
            form=self.form,
            forms=self.forms,
            display_name=name,
            settings=self.adapter_settings(adapter.name),
            content=content,
        )
        try:
            datas = adapter.read(path, context)
        except SourceError as exc:
            outcome.error = _finding_from(exc, where)
            return None
        except MemoryError:
            outcome.error = Finding(
                "error", "too_large", "文件内容过大，读取时内存不足，已拒收。", where
            )
            return None
        except Exception as exc:  # a reader's bug must not take the run down with it
            outcome.error = Finding(
                "error",
                "adapter_failed",
                f"读取器 {adapter.name} 无法读取此文件（{type(exc).__name__}: {exc}）。",
                where,
            )
            return None
        wrong = _not_return_data(datas)
        if wrong is not None:
            outcome.error = Finding(
                "error",
                "adapter_failed",
                f"读取器 {adapter.name} 出错：read() 应返回 ReturnData 的列表，"
                f"实际返回了 {wrong}。",
                where,
            )
            return None
        if not datas:
            outcome.error = Finding("error", "empty", "文件中没有任何报表数据。", where)
            return None
        return list(datas)

    def _keep_copy(self, blob: bytes, checksum: str, name: str) -> str | None:
        """Copy a source file into the workspace under its checksum; returns its path there.

        Done while reading (in the reader, where the disk's wait overlaps with storing the
        previous file). A copy whose return is then not stored is harmless: it is named by
        its content, and the same file sent again reuses it.
        """
        if not self.options.keep_sources or self.options.dry_run:
            return None
        suffix = Path(name).suffix.lower()[:10]
        rel = f"sources/{checksum[:2]}/{checksum}{suffix}"
        target = os.path.join(self.ws.root, rel)
        faults.point("read")
        if not os.path.exists(target):
            # never a half-written copy under the final name
            write_bytes_atomic(target, blob, fault="copy")
        return rel


def slim(prep: Prepared) -> Prepared:
    """``prep`` without what storing never reads (the adapter's raw cells and the
    adapter object), to send it back from a reader process at less cost."""
    prep.adapter = None  # the name travels back; the adapter object stays here
    for _, checked in prep.checked:
        checked.data = replace(checked.data, values=[], registers=[], input_cells={})
    prep.checked = [(checked.data, checked) for _, checked in prep.checked]
    return prep
