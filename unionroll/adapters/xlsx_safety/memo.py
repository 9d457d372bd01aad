"""Members of workbooks already checked in this process, by their compressed bytes.

Returns made from one template share most of their parts byte for byte: the styles, the
theme, the workbook, the sheets a school left empty. Identical compressed bytes inflate to
identical parts, which pass the same checks with the same findings, so each is inflated
and checked once per process. Only what passed is remembered: a refusal is found again,
and worded for the file it is in."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import NamedTuple

# Enough for every shared part of a few templates; parts unique to one file (the data
# sheet, the shared strings) pass through without crowding those out, since a shared part
# is used again by every file and so is always among the most recent.
SIZE = 256
# Parts larger than this unpacked are checked every time: the memory stays small (a
# template's parts are a few KiB) whatever files come.
MAX_REMEMBERED_BYTES = 128 * 1024


class Passed(NamedTuple):
    """What checking one member learned: the part itself, for the workbook's own parts
    (parsed next, for the sheets), or a worksheet's extent and formulas."""

    part: bytes = b""
    extent: tuple[int, int] | None = None
    formulas: dict[str, str] | None = None


class Checked:
    """A bounded map of member key → what its check learned, the least recently used
    dropped first."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Passed] = OrderedDict()

    def get(self, key: Hashable) -> Passed | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: Hashable, value: Passed) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


CHECKED = Checked()
# Worksheet cell tables (their values left out: see sheets._check_sheet) → their extent and
# formulas. A return's data sheet is unique by its values, its shape is the template's.
SCANNED = Checked()
