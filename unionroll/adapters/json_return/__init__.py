"""Built-in adapter ``json-return``: one return per JSON file.

The file is one UTF-8 JSON object (a BOM is accepted)::

    {"form": "edu-union-quarterly", "form_version": 1, "unit": "CODE", "period": "2025Q1",
     "consolidated": false,
     "values": {"staff_total": 85, "care_funds": "2.5万元", ...},
     "awards": [{"holder_type": "单位", "holder": "...", "level": "县", ...}],
     "events": [...], "highlights": [...], "problems": [...], "priorities": [...]}

Values and register cells are passed on raw (numbers, strings, true/false, null); parsing
them is validation's job, so a string such as ``"=SUM(A1)"`` stays a string. Locations are
JSON paths: ``values.staff_total``, ``awards[2].level`` (array indexes are 0-based as in
JSON; ``RawRegisterRow.row_no`` is 1-based).

Data is never dropped silently:

- a top-level key that is an indicator id or label is an error (it belongs in ``values``);
- a top-level key that looks like a misspelled known key or register (``award``,
  ``Values``) or is a register's Chinese name (``获奖情况``) is an error;
- any other unknown top-level key is an error when its value is a non-empty list or
  object (data that would be lost) and a warning otherwise (``"unit_name": "城关一小"``);
- an unknown column key in a register row is an error;
- a key given twice in one object is an error when the two values differ (the first is
  read), a warning when they are equal.

A file that cannot be read as a return at all (too large, not UTF-8, not JSON, not an
object, a wrong type where an object or list must be) raises
:class:`~unionroll.core.errors.SourceError`.

The package: ``decoding`` (bytes to text, the size limit), ``parsing`` (guarded JSON
parsing and the top-level keys of a file's head), ``common`` (the adapter's name, its keys,
how values are shown in messages), ``forms`` (the form a file names), ``reader`` (the
document into ReturnData) and ``adapter`` (:class:`JsonReturnAdapter` and its registration).
"""

from __future__ import annotations

from unionroll.adapters.json_return.adapter import JsonReturnAdapter, register_adapters
from unionroll.adapters.json_return.common import META_KEYS, NAME, SNIFF_KEYS
from unionroll.adapters.json_return.decoding import MAX_BYTES
from unionroll.adapters.json_return.forms import resolve_form
from unionroll.adapters.json_return.parsing import MAX_DEPTH_MESSAGE, top_level_keys

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH_MESSAGE",
    "META_KEYS",
    "NAME",
    "SNIFF_KEYS",
    "JsonReturnAdapter",
    "register_adapters",
    "resolve_form",
    "top_level_keys",
]
