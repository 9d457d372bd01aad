"""Tables: column widths that fit the type area, and the table frame (fixed widths, centred,
single borders)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips
from docx.table import Table as DocxTable

from unionroll.plugins import docx_styles as styles
from unionroll.plugins.docx_writer.blocks import Table
from unionroll.plugins.docx_writer.text import clean_text, display_width


def _el(tag: str, **attrs: str | int) -> OxmlElement:
    return OxmlElement(tag, attrs={qn(f"w:{k}"): str(v) for k, v in attrs.items()})


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _cell_text(value: object) -> str:
    return "" if value is None else str(value)


_CELL_PADDING_MM = 4.0  # Word's default cell margins, 1.9 mm a side, plus a little air
_MIN_COLUMN_MM = 12.0


def _cell_width(text: str) -> float:
    """Like :func:`display_width`, but half-width characters count 0.6: the digits of the
    CJK fonts Word and LibreOffice fall back to are wider than half a character, and a
    figure such as 400人次 must not wrap in a column sized for it."""
    full = display_width(text)
    half = sum(1 for c in text if unicodedata.east_asian_width(c) not in ("W", "F", "A"))
    return full + 0.1 * half


def column_widths_mm(table: Table, available_mm: float) -> list[float]:
    """Column widths that fill ``available_mm`` (the type area).

    Each column wants the width of its longest line. When they all fit, they grow in
    proportion to fill the line; when they do not, the widest columns are cut back to a
    common limit and wrap, so short columns (numbers) never wrap.
    """
    if table.widths_mm is not None:
        widths = [float(w) for w in table.widths_mm]
        total = sum(widths)
        return widths if total <= available_mm else [w * available_mm / total for w in widths]
    char_mm = styles.TABLE_PT / 72 * 25.4
    wanted = []
    for col, header in enumerate(table.headers):
        texts = [clean_text(header)] + [clean_text(_cell_text(r[col])) for r in table.rows]
        longest = max(_cell_width(line) for t in texts for line in t.split("\n"))
        wanted.append(max(longest * char_mm + _CELL_PADDING_MM, _MIN_COLUMN_MM))
    total = sum(wanted)
    if total <= available_mm:
        return [w * available_mm / total for w in wanted]
    # Water-filling: find the limit L with sum(min(w, L)) == available_mm.
    remaining, open_cols = available_mm, sorted(wanted)
    limit = available_mm / len(wanted)
    while open_cols and open_cols[0] <= remaining / len(open_cols):
        remaining -= open_cols.pop(0)
    if open_cols:
        limit = remaining / len(open_cols)
    return [min(w, limit) for w in wanted]


def _table_frame(table: DocxTable, widths_mm: list[float]) -> None:
    """Fixed column widths, centred, with single ½ pt borders on every edge."""
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    twips = [styles.mm_to_twips(w) for w in widths_mm]
    twips[-1] = styles.mm_to_twips(sum(widths_mm)) - sum(twips[:-1])  # no rounding overflow
    for tag in ("w:tblW", "w:tblBorders", "w:tblLayout"):
        old = tbl_pr.find(qn(tag))
        if old is not None:
            tbl_pr.remove(old)
    borders = _el("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(f"w:{edge}", val="single", sz=4, space=0, color="000000"))
    # Schema order inside tblPr: tblStyle, ..., tblW, jc, ..., tblBorders, ..., tblLayout.
    jc = tbl_pr.find(qn("w:jc"))
    tbl_w = _el("w:tblW", w=sum(twips), type="dxa")
    if jc is not None:
        jc.addprevious(tbl_w)
        jc.addnext(borders)
    else:
        tbl_pr.append(tbl_w)
        tbl_pr.append(borders)
    borders.addnext(_el("w:tblLayout", type="fixed"))
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
        col.set(qn("w:w"), str(width))
    for row in table.rows:
        for cell, width in zip(row.cells, twips, strict=True):
            cell.width = Twips(width)
