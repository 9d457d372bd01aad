"""Fetching values from PostgreSQL: ``array_agg`` per indicator sent as binary arrays that
numpy reads in place, two connections splitting the returns."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine

from unionroll.core.rollup_extract.fetched import (
    _PARALLEL_MIN_VALUES,
    Numbers,
    _columns_of,
    _workers,
)


class _PostgresFetcher:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _run(self, fn: Callable[[Any], Any]) -> Any:
        with self.engine.connect() as conn:
            return fn(conn.connection.driver_connection)

    @staticmethod
    def _group_query(db: Any, ids: list[int]) -> list[tuple[str, bytes, bytes]]:
        with db.cursor(binary=True) as cur:
            cur.execute(
                "SELECT v.indicator_id, array_send(array_agg(v.return_id)), "
                "array_send(array_agg(v.num)) FROM return_values v "
                "WHERE v.return_id = ANY(%s) AND v.num IS NOT NULL GROUP BY v.indicator_id",
                (ids,),
            )
            return cur.fetchall()

    def numbers(
        self, ids: np.ndarray, indicators: dict[str, int], pool: ThreadPoolExecutor
    ) -> Numbers:
        if ids.size == 0:
            return Numbers.empty()
        estimate = int(ids.size) * max(1, len(indicators))
        n = _workers() if estimate >= _PARALLEL_MIN_VALUES else 1
        chunks = [c.tolist() for c in np.array_split(ids, n) if c.size]
        futures = [pool.submit(self._run, lambda db, c=c: self._group_query(db, c)) for c in chunks]
        rids: list[np.ndarray] = []
        nums: list[np.ndarray] = []
        inds: list[np.ndarray] = []
        unknown: list[str] = []
        for future in futures:
            for indicator_id, rid_blob, num_blob in future.result():
                rid = _pg_array(rid_blob).astype(np.int64)
                k = indicators.get(indicator_id)
                if k is None:
                    if indicator_id not in unknown:
                        unknown.append(indicator_id)
                    k = -2 - unknown.index(indicator_id)
                rids.append(rid)
                nums.append(_pg_array(num_blob).astype(np.float64))
                inds.append(np.full(rid.size, k, dtype=np.int64))
        if not rids:
            return Numbers.empty()
        return Numbers(np.concatenate(rids), np.concatenate(inds), np.concatenate(nums), unknown)

    def texts(self, ids: np.ndarray, indicator_ids: list[str]) -> tuple[list[Any], ...]:
        if ids.size == 0:
            return [], [], [], []

        def run(db: Any) -> list[tuple[Any, ...]]:
            with db.cursor() as cur:
                cur.execute(
                    "SELECT return_id, indicator_id, num, text FROM return_values "
                    "WHERE return_id = ANY(%s) AND indicator_id = ANY(%s)",
                    (ids.tolist(), indicator_ids),
                )
                return cur.fetchall()

        return _columns_of(self._run(run), 4)

    def registers(self, current: np.ndarray, previous: np.ndarray) -> tuple[list[Any], ...]:
        if current.size + previous.size == 0:
            return tuple([] for _ in range(7))

        def run(db: Any) -> list[tuple[Any, ...]]:
            with db.cursor() as cur:
                cur.execute(
                    "SELECT return_id, register, row_no, category, level, month, data::text "
                    "FROM register_rows WHERE return_id = ANY(%s) "
                    "OR (return_id = ANY(%s) AND register = 'priorities')",
                    (current.tolist(), previous.tolist()),
                )
                return cur.fetchall()

        return _columns_of(self._run(run), 7)


_PG_ARRAY_TYPES = {23: ">i4", 20: ">i8", 21: ">i2", 701: ">f8", 700: ">f4"}


def _pg_array(blob: bytes | None) -> np.ndarray:
    """A one-dimensional PostgreSQL array without NULLs, from its binary form."""
    if blob is None:
        return np.empty(0)
    header = np.frombuffer(blob, dtype=">i4", count=3)
    if header[0] == 0:
        return np.empty(0)
    if header[0] != 1 or header[1] != 0:
        raise ValueError("unexpected array shape or NULL in array_send output")
    typ = _PG_ARRAY_TYPES[int(header[2])]
    n = int(np.frombuffer(blob, dtype=">i4", count=1, offset=12)[0])
    dtype = np.dtype([("len", ">i4"), ("v", typ)])
    return np.frombuffer(blob, dtype=dtype, count=n, offset=20)["v"]
