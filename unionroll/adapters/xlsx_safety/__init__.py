"""Checks an .xlsx file before any native reader touches it.

A spreadsheet reader written in a fast native language can be crashed, or made to
allocate gigabytes, by a hostile file: a zip bomb, an XML entity bomb, or a sheet that
claims a cell at XFD1048576 (the reader then allocates the whole grid). Everything here
uses the standard library: the zip directory is checked before it is parsed, each member
is inflated at most to its declared size, and the first limit crossed stops the check,
so a hostile file is refused in milliseconds and in bounded memory.

It also tells the old and foreign formats people send instead of .xlsx (.xls, WPS .et,
password-protected workbooks, .xlsb, .ods, PDFs and text files named .xlsx) from each
other, so the user is told what to do.

The package: ``limits`` (:class:`Limits`, :class:`ArchiveInfo`, the shared refusals),
``kinds`` (what a file is when it is not a workbook), ``archive`` (the zip directory,
inflating members, DTDs), ``sheets`` (each worksheet's extent and formulas), ``check``
(:func:`check_file`, :func:`check_bytes`).
"""

from __future__ import annotations

from unionroll.adapters.xlsx_safety.check import check_bytes, check_file
from unionroll.adapters.xlsx_safety.kinds import EMPTY_ZIP_MAGIC, OLE_MAGIC, ZIP_MAGIC
from unionroll.adapters.xlsx_safety.limits import DEFAULT_LIMITS, ArchiveInfo, Limits
from unionroll.adapters.xlsx_safety.sheets import col_number

__all__ = [
    "DEFAULT_LIMITS",
    "EMPTY_ZIP_MAGIC",
    "OLE_MAGIC",
    "ZIP_MAGIC",
    "ArchiveInfo",
    "Limits",
    "check_bytes",
    "check_file",
    "col_number",
]
