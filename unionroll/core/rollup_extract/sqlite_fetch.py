"""Fetching values from SQLite: two halves on two connections, each one
``json_group_array`` read with one ``json.loads``; indicators from the index alone."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
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

# --- the bulk fetchers ----------------------------------------------------------------------

# Whole numbers travel as JSON integers: SQLite writes them far faster than floats, and
# they read back faster too. Other values come with SQLite's 15 significant digits.
_SQLITE_NUM = "iif(num = CAST(num AS INTEGER), CAST(num AS INTEGER), num)"


def _value_span(db: Any, first: int, last: int) -> np.ndarray:
    """Every row's value from ``first`` to ``last`` (by rowid), NaN where there is none;
    fewer than last - first + 1 values means rows are missing (deleted)."""
    sql = f"SELECT json_group_array({_SQLITE_NUM}) FROM return_values WHERE rowid BETWEEN ? AND ?"
    (text,) = db.execute(sql, (first, last)).fetchone()
    return np.asarray(json.loads(text), dtype=np.float64)


def _return_runs(db: Any, lo: int, hi: int) -> list[np.ndarray]:
    """Per return in the id range: id, first and last rowid of its values, how many."""
    sql = (
        "SELECT json_group_array(r), json_group_array(a), json_group_array(b), "
        "json_group_array(n) FROM (SELECT return_id AS r, min(rowid) AS a, max(rowid) AS b, "
        "count(*) AS n FROM return_values WHERE return_id BETWEEN ? AND ? GROUP BY return_id)"
    )
    row = db.execute(sql, (lo, hi)).fetchone()
    return [np.asarray(json.loads(text), dtype=np.int64) for text in row]


def _indicator_of_row(
    groups: list[tuple[str, str]], indicators: dict[str, int], total: int
) -> tuple[np.ndarray, list[str]]:
    """Each rowid's indicator position (-1: no row; see Numbers for unknown ones)."""
    ind_of_row = np.full(total + 1, -1, dtype=np.int32)
    unknown: list[str] = []
    for n, (indicator_id, rowids) in enumerate(groups):
        rows = np.asarray(json.loads(rowids), dtype=np.int64)
        groups[n] = (indicator_id, "")  # let the text go
        if indicator_id in indicators:
            ind_of_row[rows] = indicators[indicator_id]
        else:
            ind_of_row[rows] = -2 - len(unknown)
            unknown.append(indicator_id)
    return ind_of_row, unknown


def _rowid_indicators(db: Any, total: int) -> list[tuple[str, str]]:
    """Each indicator's value rows (rowids), read from the indicator index alone."""
    sql = (
        "SELECT indicator_id, json_group_array(rowid) FROM return_values "
        "INDEXED BY ix_return_values_indicator_id WHERE rowid BETWEEN 1 AND ? "
        "GROUP BY indicator_id"
    )
    try:
        return db.execute(sql, (total,)).fetchall()
    except Exception:  # the index is gone (a hand-made database): use the table itself
        return db.execute(
            sql.replace("INDEXED BY ix_return_values_indicator_id ", ""), (total,)
        ).fetchall()


class _SqliteFetcher:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _run(self, fn: Callable[[Any], Any]) -> Any:
        raw = self.engine.raw_connection()
        try:
            return fn(raw.driver_connection)
        finally:
            raw.close()

    @staticmethod
    def _columns(
        db: Any, inner: str, params: Sequence[Any], n: int, dtypes: Sequence[Any] = ()
    ) -> list[Any]:
        """One JSON array per column; columns given a dtype become numpy arrays at once,
        so that only one column's Python objects exist at a time."""
        cols = ", ".join(f"json_group_array(c{i})" for i in range(n))
        row = list(db.execute(f"SELECT {cols} FROM ({inner})", tuple(params)).fetchone())
        out: list[Any] = []
        for i in range(n):
            text, row[i] = row[i], None
            values = json.loads(text)
            del text
            if i < len(dtypes) and dtypes[i] is not None:
                values = np.asarray(values, dtype=dtypes[i])
            out.append(values)
        return out

    def numbers(
        self, ids: np.ndarray, indicators: dict[str, int], pool: ThreadPoolExecutor
    ) -> Numbers:
        if ids.size == 0:
            return Numbers.empty()
        lo, hi = int(ids.min()), int(ids.max())
        total = self._run(
            lambda db: db.execute("SELECT max(rowid) FROM return_values").fetchone()[0] or 0
        )
        if not total:
            return Numbers.empty()
        estimate = int(ids.size) * max(1, len(indicators))
        if estimate * 4 < total:
            # A small part of the table: look each return's values up in the primary key.
            inner = (
                f"SELECT v.return_id AS c0, v.indicator_id AS c1, {_SQLITE_NUM} AS c2 "
                "FROM json_each(?) AS j CROSS JOIN return_values AS v ON v.return_id = j.value "
                "WHERE v.num IS NOT NULL"
            )
            cols = self._run(
                lambda db: self._columns(
                    db, inner, (json.dumps(ids.tolist()),), 3, (np.int64, None, np.float64)
                )
            )
            return Numbers.from_codes(cols[0], cols[1], cols[2], indicators)
        # Most of the table is wanted: scan it, in two halves at once, reading only the
        # values; each row's indicator and return come from the two indexes alone (no
        # table look-ups, no text per value). Rows of returns not wanted are dropped.
        n = _workers() if total >= _PARALLEL_MIN_VALUES else 1
        cuts = [round(total * i / n) for i in range(n + 1)]
        spans = [(cuts[i] + 1, cuts[i + 1]) for i in range(n) if cuts[i + 1] > cuts[i]]
        by_index = pool.submit(self._run, lambda db: _rowid_indicators(db, total))
        by_return = pool.submit(self._run, lambda db: _return_runs(db, lo, hi))
        parts = [
            pool.submit(self._run, lambda db, a=a, b=b: _value_span(db, a, b)) for a, b in spans
        ]
        runs = by_return.result()
        wanted = np.isin(runs[0], ids)
        contiguous = bool(np.all((runs[2] - runs[1] + 1 == runs[3])[wanted]))
        values = [p.result() for p in parts]
        gapless = all(v.size == b - a + 1 for v, (a, b) in zip(values, spans, strict=True))
        ind_of_row, unknown = _indicator_of_row(by_index.result(), indicators, total)
        if not (contiguous and gapless):
            # rows deleted by hand, or a return whose values were written in pieces
            return self._scan_with_ids(ids, lo, hi, spans, ind_of_row, unknown, pool)
        ret_of_row = np.full(total + 1, -1, dtype=np.int64)
        rid, first, counts = runs[0][wanted], runs[1][wanted], runs[3][wanted]
        offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        ret_of_row[np.repeat(first, counts) + offsets] = np.repeat(rid, counts)
        num = np.concatenate(values)
        rowid = np.arange(1, num.size + 1)
        keep = (ret_of_row[rowid] >= 0) & ~np.isnan(num)
        rowid = rowid[keep]
        return Numbers(
            rid=ret_of_row[rowid],
            ind=ind_of_row[rowid].astype(np.int64),
            num=num[keep],
            unknown=unknown,
        )

    def _scan_with_ids(
        self,
        ids: np.ndarray,
        lo: int,
        hi: int,
        spans: list[tuple[int, int]],
        ind_of_row: np.ndarray,
        unknown: list[str],
        pool: ThreadPoolExecutor,
    ) -> Numbers:
        scan = (
            f"SELECT rowid AS c0, return_id AS c1, {_SQLITE_NUM} AS c2 FROM return_values AS v "
            "WHERE rowid BETWEEN ? AND ? AND +return_id BETWEEN ? AND ? AND num IS NOT NULL"
        )
        parts = [
            pool.submit(
                self._run,
                lambda db, a=a, b=b: self._columns(
                    db, scan, (a, b, lo, hi), 3, (np.int64, np.int64, np.float64)
                ),
            )
            for a, b in spans
        ]
        rowid = np.concatenate([p.result()[0] for p in parts])
        rid = np.concatenate([p.result()[1] for p in parts])
        num = np.concatenate([p.result()[2] for p in parts])
        return Numbers(rid=rid, ind=ind_of_row[rowid].astype(np.int64), num=num, unknown=unknown)

    def texts(self, ids: np.ndarray, indicator_ids: list[str]) -> tuple[list[Any], ...]:
        if ids.size == 0:
            return [], [], [], []
        marks = ", ".join("?" for _ in indicator_ids)
        sql = (
            "SELECT v.return_id, v.indicator_id, v.num, v.text "
            "FROM json_each(?) AS j CROSS JOIN return_values AS v ON v.return_id = j.value "
            f"WHERE v.indicator_id IN ({marks})"
        )
        rows = self._run(
            lambda db: db.execute(sql, (json.dumps(ids.tolist()), *indicator_ids)).fetchall()
        )
        return _columns_of(rows, 4)

    def registers(self, current: np.ndarray, previous: np.ndarray) -> tuple[list[Any], ...]:
        sql = (
            "SELECT r.return_id AS c0, r.register AS c1, r.row_no AS c2, r.category AS c3, "
            "r.level AS c4, r.month AS c5, r.data AS c6 "
            "FROM json_each(?) AS j CROSS JOIN register_rows AS r ON r.return_id = j.value "
            "WHERE j.key < ? OR r.register = 'priorities'"
        )
        ids = np.concatenate([current, previous])
        if ids.size == 0:
            return tuple([] for _ in range(7))
        params = (json.dumps(ids.tolist()), int(current.size))
        cols = self._run(lambda db: self._columns(db, sql, params, 7))
        return tuple(cols)
