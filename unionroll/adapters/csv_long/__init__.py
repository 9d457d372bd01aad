"""Built-in adapter ``csv-long``: many returns in one table, one value per row.

Line 1 is the header: ``unit,period,indicator,value``, or the Chinese names
单位代码/单位, 期间/报送期间, 指标/指标代码, 数值/填报值, in any order; case, spaces,
``_`` and ``-`` are ignored. An optional ``form_version``/报表版本 column names the form
version. Fields are separated by commas, tabs or semicolons (the header decides).
Encoding: UTF-8 with or without a BOM, else GB18030 (a superset of GBK, which is what
Chinese Excel writes for "CSV"), or UTF-16 with a BOM (Excel's "Unicode text").

Each (unit, period) pair becomes one :class:`ReturnData`, in order of first appearance,
with ``locator`` naming its lines (``第 2–48 行``). Values keep file order and are located
by line number (header = line 1; a quoted value spanning lines is located at its first).
Values are passed on raw (text as read); validation parses them.

The indicator column holds an indicator id (``staff_total``) or its Chinese label from
the form (``在职教职工数``, also ``在职教职工数（人）``); labels are mapped to ids.
Anything else is passed on unchanged, for validation to report as an unknown indicator.

Registers (awards, events, highlights, problems, priorities) cannot be expressed in this
format: one value per row has no room for a register row's several columns. An indicator
cell naming a register is an error finding; registers travel in the xlsx or JSON return.

File-level problems raise :class:`~unionroll.core.errors.SourceError`, listing every bad
line: missing header columns, a row with fewer fields than the header (or non-empty fields
beyond it), an empty unit or period. Such a row cannot be assigned to a return with
certainty, so the whole file is refused rather than guessed at.

Per-return findings: an empty indicator, a register named, an unreadable or inconsistent
form version, and the same indicator twice with different values (errors; the first row
is read); the same indicator twice with the same value, and text in columns this format
does not know (warnings; that text is not read).

The package: ``adapter`` (:class:`CsvLongAdapter`), ``reader`` (one file, line by line),
``values`` (one value line), ``grouping`` (returns and label lookups), ``header``,
``text`` (bytes to text).
"""

from __future__ import annotations

from unionroll.adapters.csv_long.adapter import CsvLongAdapter, register_adapters
from unionroll.adapters.csv_long.header import choose_delimiter
from unionroll.adapters.csv_long.reader import NAME
from unionroll.adapters.csv_long.text import MAX_BYTES

__all__ = ["MAX_BYTES", "NAME", "CsvLongAdapter", "choose_delimiter", "register_adapters"]
