"""Reading files for ingest, ahead of storing them, in separate processes.

Reading a workbook (the archive checks, the native reader, validation) is most of the work
of ingesting it; storing is the rest. Large batches are read in worker processes, so the
two run side by side on the machine's cores. A worker process also keeps a hostile or
broken file away from the program: it runs under a memory limit, and if a native reader
crashes on a file, only that worker dies. The file is then rejected with a message and the
batch goes on. Small batches, and machines without ``fork``, read in a thread instead.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import resource
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

from unionroll.core.ingest.outcomes import FileOutcome, Prepared
from unionroll.core.ingest.reading import slim
from unionroll.core.model import Finding, Location

if TYPE_CHECKING:
    from unionroll.core.ingest.storing import Ingestor

PROCESS_MIN_FILES = 24  # below this, starting worker processes costs more than it saves
READ_AHEAD_PER_WORKER = 32  # files read and waiting to be stored, per worker
# Files a worker reads per task: one message each way for several files, which costs the
# program (it sends and receives every message) less than a message per file.
CHUNK = 8
# Files stored in one transaction: those read while the group before was stored, and at
# least GROUP_MIN when they come within GROUP_WAIT_SECONDS (a transaction per file would
# cost more than storing it), at the most GROUP_MAX.
GROUP_MIN = 32
GROUP_MAX = 256
GROUP_WAIT_SECONDS = 0.1
READER_MEMORY_BYTES = 2 * 1024**3  # address space a worker may add on top of what it has
# Objects made between the collector's youngest passes while a batch is read and stored
# (Python's own default is 700). The program keeps every file's outcome until the batch
# ends and makes thousands of short-lived rows and results a group: at the default the
# collector went over them some 470 times in a 2,000-file run (0.16-0.25 s of the main
# process), at this some 50 (0.02 s). It still finds every cycle, a little later.
BATCH_COLLECT_EVERY = 20_000

_reader: Ingestor | None = None  # the ingestor a worker process reads with (set at fork)


def _start_worker(ingestor: Ingestor) -> None:
    global _reader
    _reader = ingestor
    # The parent's database connections came along with the fork: a worker must never
    # use or close them.
    if "engine" in ingestor.ws.__dict__:
        ingestor.ws.engine.dispose(close=False)
    _limit_memory()


def _limit_memory() -> None:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    limit = mapped + READER_MEMORY_BYTES
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _prepare(path: Path) -> Prepared:
    assert _reader is not None
    return slim(_reader.prepare(path))


def _prepare_chunk(paths: list[Path]) -> list[Prepared]:
    return [_prepare(path) for path in paths]


class ReaderPool:
    """Reads files ahead of storing them: in worker processes, or in one thread."""

    def __init__(self, ingestor: Ingestor, n_files: int) -> None:
        self.ingestor = ingestor
        cores = os.cpu_count() or 1
        self.use_processes = (
            n_files >= PROCESS_MIN_FILES
            and cores > 1
            and "fork" in multiprocessing.get_all_start_methods()
        )
        self.workers = max(1, min(cores, 4)) if self.use_processes else 1
        self._pool: Executor | None = None
        self._thresholds: tuple[int, int, int] | None = None

    def __enter__(self) -> ReaderPool:
        if self.use_processes:
            # What the program holds before the batch (its modules, the database engine,
            # the units) lives as long as the batch: the collector leaves it out of its
            # passes until the batch is done, in this process and in the workers forked
            # from it (where its passes would also copy every page it touched); and it
            # passes over what the batch makes less often (BATCH_COLLECT_EVERY).
            gc.freeze()
            self._thresholds = gc.get_threshold()
            first, *older = self._thresholds
            gc.set_threshold(max(first, BATCH_COLLECT_EVERY), *older)
        self._pool = self._new_pool()
        return self

    def __exit__(self, *exc: object) -> None:
        self._shutdown()
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
        if self.use_processes:
            gc.unfreeze()

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _new_pool(self, workers: int | None = None) -> Executor:
        if not self.use_processes:
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="unionroll-read")
        return ProcessPoolExecutor(
            max_workers=workers or self.workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker,
            initargs=(self.ingestor,),
        )

    def _submit(self, paths: list[Path]) -> Future[list[Prepared]]:
        assert self._pool is not None
        if self.use_processes:
            return self._pool.submit(_prepare_chunk, paths)
        return self._pool.submit(lambda: [self.ingestor.prepare(path) for path in paths])

    def outcomes(self, files: Iterable[Path]) -> Iterator[FileOutcome]:
        """Each file's outcome, in the order given. The files read while one group was
        being stored are stored together next, so a slow reader gives small groups (each
        file stored soon after it is read) and a slow store large ones (fewer
        transactions)."""
        chunk = CHUNK if self.use_processes else 1
        queue = _chunks(files, chunk)
        ahead = max(1, READ_AHEAD_PER_WORKER * self.workers // chunk)
        pending: deque[tuple[list[Path], Future[list[Prepared]]]] = deque(
            (paths, self._submit(paths)) for paths in itertools.islice(queue, ahead)
        )
        ready: deque[Prepared] = deque()  # read, from the chunk being taken

        def take() -> Prepared:
            if not ready:
                ready.extend(self._next(pending))
                following = next(queue, None)
                if following is not None:
                    pending.append((following, self._submit(following)))
            return ready.popleft()

        while pending or ready:
            group = [take()]
            until = time.monotonic() + GROUP_WAIT_SECONDS
            while (pending or ready) and len(group) < GROUP_MAX:
                if not ready and not pending[0][1].done():
                    left = until - time.monotonic()
                    if len(group) >= GROUP_MIN or left <= 0:
                        break
                    wait([pending[0][1]], timeout=left)
                    continue
                group.append(take())
            yield from self.ingestor.finish_group(group)

    def _next(self, pending: deque[tuple[list[Path], Future[list[Prepared]]]]) -> list[Prepared]:
        paths, future = pending.popleft()
        try:
            return future.result()
        except BrokenProcessPool:
            # A worker died on one of the files in flight. Read each of those again in
            # a process of its own to find which; the rest of the batch goes on.
            in_flight = [*paths, *(p for chunk, _ in pending for p in chunk)]
            pending.clear()
            self._shutdown()
            retried = [self._isolated(p) for p in in_flight]
            self._pool = self._new_pool()
            return retried

    def _isolated(self, path: Path) -> Prepared:
        pool = self._new_pool(workers=1)
        try:
            return pool.submit(_prepare, path).result()
        except BrokenProcessPool:
            return _crashed(path)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _chunks(files: Iterable[Path], size: int) -> Iterator[list[Path]]:
    it = iter(files)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _crashed(path: Path) -> Prepared:
    outcome = FileOutcome(path=path, display_name=path.name)
    outcome.error = Finding(
        "error",
        "reader_crashed",
        "读取这个文件时读取程序异常退出（文件可能已损坏，或是恶意构造的），已拒收，"
        "其他文件照常处理。请在 Excel/WPS 中打开并另存为 .xlsx 后重新报送。",
        Location(file=path.name),
    )
    return Prepared(outcome)
