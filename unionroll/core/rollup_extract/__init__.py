"""Reading what a rollup needs out of the store, as compact arrays.

Getting values out of the database is the real cost of a rollup (a province's half-year
is about 1.8 million values), and a Python loop over rows costs more than the database
does. So values are fetched in bulk, already packed (docs/rollup.md, "Performance"):

* SQLite: the values are scanned in two halves on two connections at once (SQLite
  releases the GIL while it works), each half as one ``json_group_array`` read back with
  one ``json.loads``. Each row's indicator comes from the indicator index and its return
  from the primary key index, without touching the table, so no text and no id travels
  per value. A small part of a large database is looked up by return instead.
* PostgreSQL: ``array_agg`` per indicator, sent with ``array_send`` as binary arrays
  that numpy reads in place; two connections split the returns between them.

Units and returns (tens of thousands of rows) are read through the driver's cursor;
register rows and text values, fewer, as rows or JSON columns.

The package: ``tables`` (the arrays an extract is made of), ``reading`` (the units, the
returns, and :func:`extract` itself), ``fetched`` (numbers as fetched, shared by both
databases), ``sqlite_fetch`` and ``postgres_fetch`` (the bulk readers), ``packing``
(fetched rows into tables).
"""

from __future__ import annotations

from unionroll.core.rollup_extract.reading import extract, period_slots
from unionroll.core.rollup_extract.tables import (
    Extract,
    Hierarchy,
    RegisterRows,
    ReturnsTable,
    TextValues,
    ValuesTable,
)

__all__ = [
    "Extract",
    "Hierarchy",
    "RegisterRows",
    "ReturnsTable",
    "TextValues",
    "ValuesTable",
    "extract",
    "period_slots",
]
