"""Named points where a test can kill the running command, to prove crash safety.

``UNIONROLL_FAULT=NAME:N`` makes the N-th pass through the point NAME send SIGKILL to the
command's whole process group (the command and its reader processes), as a power cut or
``kill -9`` would. Without the variable a point costs one dictionary look-up. The fault
tests start the command in a session of its own, so nothing else is in that group.
"""

from __future__ import annotations

import os
import signal
import threading

FAULT_ENV = "UNIONROLL_FAULT"

# Every point a fault can be set at, in the order an ingest passes them.
POINTS = (
    "read",  # a file read and checked, before its copy is kept
    "copy_write",  # halfway through writing the copy of a source file
    "copy_rename",  # the copy written in full, not yet under its final name
    "store_begin",  # the return's transaction begun (and its unit locked)
    "store_source",  # the source file row inserted
    "store_return",  # the return row inserted
    "store_supersede",  # the earlier return marked superseded
    "store_values",  # the values and register rows inserted
    "store_commit",  # everything written, just before the commit
    "stored",  # the transaction committed
    "receipt_write",  # halfway through writing a receipt
    "receipt_rename",  # a receipt written in full, not yet under its final name
)

_counts: dict[str, int] = {}
_lock = threading.Lock()


def _target() -> tuple[str, int] | None:
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return None
    name, _, nth = spec.partition(":")
    return name, int(nth or 1)


def point(name: str) -> None:
    """Pass the fault point ``name``: dies here when ``UNIONROLL_FAULT`` says so."""
    target = _target()
    if target is None or target[0] != name:
        return
    with _lock:
        _counts[name] = _counts.get(name, 0) + 1
        hit = _counts[name] >= target[1]
    if hit:
        # Counting is per process; reader processes are forked after nothing has passed
        # their points, so N counts that process's files.
        os.killpg(os.getpgrp(), signal.SIGKILL)
