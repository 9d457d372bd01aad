"""Building blocks of the rollup workbook: safe text, cell formats and a table writer.

Text that came from returns (holder names, titles, plan texts) is always written as a
string: a value such as ``=HYPERLINK(...)`` or ``+1`` stays text, never a formula, and
control characters that XML cannot carry are removed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet


# Characters XML 1.0 cannot carry (a workbook with one of them does not open) and lone
# surrogates (which cannot be encoded as UTF-8 at all).
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
# Excel and WPS treat text beginning with these as a formula when the cell is edited, so
# such cells also get the quote prefix (the leading apostrophe) that keeps them text.
_FORMULA_START = ("=", "+", "-", "@")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")

NUMBER_FORMATS = {
    "int": "#,##0",
    "money": "#,##0.00",
    "decimal": "#,##0.00",
    "pct": "0.0%",
    "points": '0.0"%"',  # a percentage already in points (95 means 95%)
    "month": '0"月"',
    "general": "General",
}


def clean_text(value: Any) -> str:
    """Text safe for a cell: illegal control characters removed, within Excel's limit."""
    text = _ILLEGAL_XML.sub("", "" if value is None else str(value))
    return text[:_MAX_CELL_TEXT]


def display_width(text: str) -> int:
    """Columns a text takes on screen: CJK and full-width characters count twice.

    Estimated from the UTF-8 length (a CJK character is three bytes, ASCII one), which is
    far cheaper than looking up every character and close enough for a column width.
    """
    n = len(text)
    return n + (len(text.encode("utf-8", "replace")) - n) // 2


def sheet_name(text: str) -> str:
    """A legal worksheet name (no []:*?/\\, at most 31 characters)."""
    name = _SHEET_NAME_BAD.sub("_", clean_text(text)).strip("'") or "Sheet"
    return name[:31]


class Styles:
    """The workbook's cell formats, made once and shared by every sheet."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.note = wb.add_format({"font_color": "#404040"})
        self.heading = wb.add_format({"bold": True, "font_size": 11})
        self.header = wb.add_format(
            {
                "bold": True,
                "bg_color": "#D9E1F2",
                "border": 1,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
            }
        )
        self._cells: dict[tuple[str, bool, bool], Any] = {}

    def cell(self, kind: str, *, total: bool = False, quote: bool = False) -> Any:
        key = (kind, total, quote)
        fmt = self._cells.get(key)
        if fmt is None:
            props: dict[str, Any] = {"border": 1, "valign": "top"}
            if kind == "text":
                props["text_wrap"] = True
            else:
                props["num_format"] = NUMBER_FORMATS[kind]
            if total:
                props.update(bold=True, bg_color="#F2F2F2")
            if quote:
                props["quote_prefix"] = True
            fmt = self._cells[key] = self.wb.add_format(props)
        return fmt


class Table:
    """Writes one sheet: a title, notes, a header row and data rows, top to bottom.

    Rows are written strictly in order (so the workbook can be written in constant-memory
    mode), column widths follow the content, and :meth:`finish` freezes the header and
    puts an autofilter on it.
    """

    MAX_WIDTH = 60
    MIN_WIDTH = 6
    HEADER_WRAP = 16  # a header wider than this wraps instead of widening its column
    FIT_COLUMNS = 12  # a sheet this narrow is printed one page wide; wider ones would be unreadable

    def __init__(self, wb: Workbook, styles: Styles, name: str, title: str) -> None:
        self.ws: Worksheet = wb.add_worksheet(sheet_name(name))
        self.name = self.ws.get_name()
        self.styles = styles
        self.row = 0
        self.header_row: int | None = None
        self.headers: list[str] = []
        self.widths: dict[int, int] = {}
        self.fixed: dict[int, int] = {}
        self.last_row: int | None = None
        self.ws.write_string(0, 0, clean_text(title), styles.title)
        self.ws.set_row(0, 22)
        self.row = 1

    # --- above the table -------------------------------------------------------------

    def note(self, text: str, *, heading: bool = False) -> None:
        fmt = self.styles.heading if heading else self.styles.note
        self.ws.write_string(self.row, 0, clean_text(text), fmt)
        self.row += 1

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def header(self, labels: Iterable[str], *, widths: dict[int, int] | None = None) -> None:
        self.headers = [clean_text(label) for label in labels]
        self.fixed.update(widths or {})
        for col, label in enumerate(self.headers):
            self.ws.write_string(self.row, col, label, self.styles.header)
            self._grow(col, min(display_width(label), self.HEADER_WRAP))
        # Sized now, not in finish(): in constant-memory mode a row is gone once passed.
        lines = max(
            (
                math.ceil(display_width(label) / max(self.column_width(col) - 2, 1))
                for col, label in enumerate(self.headers)
            ),
            default=1,
        )
        self.ws.set_row(self.row, 15 * max(lines, 1) + 4)
        self.header_row = self.row
        self.row += 1

    # --- rows ------------------------------------------------------------------------

    def write_row(self, cells: Iterable[tuple[Any, str]], *, total: bool = False) -> None:
        """Write one row of ``(value, kind)`` pairs; kind is ``text`` or a number kind."""
        lines = 1
        for col, (value, kind) in enumerate(cells):
            lines = max(lines, self.put(col, value, kind, total=total))
        if lines > 1:
            # Neither Excel nor LibreOffice grows a row for wrapped text in a file written
            # by a program, so the height is set here (capped: 409 pt is Excel's limit).
            self.ws.set_row(self.row, min(15 * lines + 3, 409))
        self.last_row = self.row
        self.row += 1

    def put(self, col: int, value: Any, kind: str, *, total: bool = False) -> int:
        """Write one cell of the current row; returns the lines its text wraps to."""
        row = self.row
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            self.ws.write_blank(row, col, None, self.styles.cell(kind, total=total))
            return 1
        if kind == "text":
            text = clean_text(value)
            quote = text.startswith(_FORMULA_START)
            self.ws.write_string(row, col, text, self.styles.cell(kind, total=total, quote=quote))
            room = self.fixed.get(col, self.MAX_WIDTH) - 2  # what fits on one line
            # 2 columns per character at most: a short text can neither widen nor wrap
            if "\n" not in text and 2 * len(text) <= min(self.widths.get(col, 0), room):
                return 1
            widths = [display_width(x) for x in text.splitlines()] or [0]
            self._grow(col, max(widths))
            return sum(max(1, math.ceil(w / room)) for w in widths)
        number = float(value)
        self.ws.write_number(row, col, number, self.styles.cell(kind, total=total))
        self._grow(col, _number_width(number, kind))
        return 1

    def _grow(self, col: int, width: int) -> None:
        if width > self.widths.get(col, 0):
            self.widths[col] = width

    # --- done ------------------------------------------------------------------------

    def column_width(self, col: int) -> int:
        if col in self.fixed:
            return self.fixed[col]
        return max(self.MIN_WIDTH, min(self.widths.get(col, 0) + 2, self.MAX_WIDTH))

    def finish(self, *, freeze_cols: int = 0, autofilter: bool = True) -> None:
        """Set column widths, freeze the header row and filter on it."""
        for col in sorted(set(self.widths) | set(self.fixed)):
            self.ws.set_column(col, col, self.column_width(col))
        fit = len(self.headers) <= self.FIT_COLUMNS
        print_setup(self.ws, fit_width=fit)
        if not fit and freeze_cols:
            self.ws.repeat_columns(0, freeze_cols - 1)  # each printed page names its units
        if self.header_row is None:
            return
        self.ws.repeat_rows(self.header_row)
        self.ws.freeze_panes(self.header_row + 1, freeze_cols)
        if autofilter and self.headers:
            last = self.last_row if self.last_row is not None else self.header_row
            self.ws.autofilter(self.header_row, 0, last, len(self.headers) - 1)


def print_setup(ws: Worksheet, *, fit_width: bool) -> None:
    """A4 landscape with narrow margins, the way a county office prints a table."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_footer("&C第 &P 页，共 &N 页")
    if fit_width:
        ws.fit_to_pages(1, 0)


def _number_width(number: float, kind: str) -> int:
    if kind == "pct":
        return len(f"{number * 100:.1f}%")
    if kind in ("money", "decimal"):
        return len(f"{number:,.2f}")
    if kind == "month":
        return 4
    return len(f"{number:,.0f}")
