"""Built-in adapter ``xlsx-return``: reads a filled-in Excel return template.

The layout is described in docs/return-format.md and written by
:mod:`unionroll.adapters.xlsx_template`. Unit, period, form and template id come from the
hidden ``_meta`` sheet; indicator values from the 报表 sheet, found by the id in its
指标代码 column; register rows from one sheet per register, columns found by the row of
column ids. Inserted rows and moved columns therefore still read right.

The archive is checked by :mod:`unionroll.adapters.xlsx_safety` before python-calamine
reads it; calamine never evaluates formulas and gives a formula cell's cached value, and
the formulas themselves are found in the sheet XML so validation can warn about them.

Blank input cells produce no :class:`RawValue` (validation treats a missing value as not
reported); blank register cells are ``None``. Values are passed on raw: numbers as floats,
text as typed, dates as ``datetime``/``date``.

The package: ``adapter`` (:class:`XlsxReturnAdapter`), ``reader`` (one workbook, its
metadata), ``data_sheet`` (the 报表 sheet), ``register_sheets``, ``cells`` (cell values
made comparable).
"""

from __future__ import annotations

from unionroll.adapters.xlsx_return.adapter import NAME, XlsxReturnAdapter, register_adapters

__all__ = ["NAME", "XlsxReturnAdapter", "register_adapters"]
