"""Word (.docx) documents in the format of GB/T 9704-2012 《党政机关公文格式》.

A report builds a :class:`Doc` from plain blocks (headings, paragraphs, lists, tables) and
calls :func:`write_docx`. All formatting comes from the styles of a reference template
(``report_templates/docx/reference.docx``) or of a county's own template, so the county can
restyle its documents in Word without touching code; see docs/docx-format.md.

User text is always written as literal text: nothing in it becomes a field, a formula or
markup, and characters XML cannot hold are dropped.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import docx
from docx.document import Document
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from unionroll.core.errors import UnionrollError
from unionroll.core.zh import cn_number
from unionroll.plugins import docx_styles as styles
from unionroll.plugins.docx_template import REFERENCE_TEMPLATE, prepare_document

Align = Literal["left", "center", "right", "justify"]

_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


@dataclass(frozen=True)
class Run:
    """A piece of paragraph text, optionally bold."""

    text: str
    bold: bool = False


Inline = str | Run
Content = str | Run | Sequence[Inline]


@dataclass(frozen=True)
class Heading:
    """A real Word heading (Heading 1-4, with outline levels).

    With ``Doc.number_headings`` on, pass the bare text: the writer prefixes 一、 (level 1),
    （一） (2), 1. (3) or （1） (4), restarting the lower levels under each parent.
    ``numbered=False`` leaves this heading unnumbered (it still restarts lower levels).
    """

    level: int
    text: str
    numbered: bool = True

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3, 4):
            raise ValueError(f"heading level must be 1-4, got {self.level!r}")


@dataclass(frozen=True)
class Paragraph:
    """Body text: a string, or a sequence of strings and :class:`Run` for bold spans."""

    content: Content
    indent: bool = True  # first-line indent of two characters
    align: Align = "justify"


@dataclass(frozen=True)
class BulletList:
    """Items written as body paragraphs, each starting with ``bullet``."""

    items: Sequence[Content]
    bullet: str = "●"


@dataclass(frozen=True)
class NumberedList:
    """Items written as body paragraphs numbered 1., 2., ...

    ``format`` takes ``{n}`` (1, 2, 3) and ``{cn}`` (一, 二, 三): "（{n}）", "{cn}是".
    The numbers are text, not Word list numbering, so they survive WPS and copying.
    """

    items: Sequence[Content]
    format: str = "{n}."


@dataclass(frozen=True)
class Table:
    """A bordered table with a repeated header row.

    ``widths_mm``: one width per column (scaled down to fit the 156 mm type area); by
    default widths follow the length of each column's text. ``align``: one per column;
    by default numbers are centred and text is left-aligned.
    """

    headers: Sequence[str]
    rows: Sequence[Sequence[object]]
    widths_mm: Sequence[float] | None = None
    caption: str | None = None
    align: Sequence[Align] | None = None

    def __post_init__(self) -> None:
        n = len(self.headers)
        if n == 0:
            raise ValueError("a table needs at least one column")
        for i, row in enumerate(self.rows):
            if len(row) != n:
                raise ValueError(f"table row {i} has {len(row)} cells, the header has {n}")
        for name, value in (("widths_mm", self.widths_mm), ("align", self.align)):
            if value is not None and len(value) != n:
                raise ValueError(f"table {name} has {len(value)} entries for {n} columns")
        if self.widths_mm is not None and any(w <= 0 for w in self.widths_mm):
            raise ValueError("table column widths must be positive")


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page. Consecutive breaks count as one."""


Block = Heading | Paragraph | BulletList | NumberedList | Table | PageBreak


@dataclass(frozen=True)
class Doc:
    """A whole document: centred title, optional subtitle, blocks, then the signature
    (发文单位) and date right-aligned at the end as GB/T 9704 places them."""

    title: str
    subtitle: str | None = None
    blocks: Sequence[Block] = ()
    signature: str | None = None
    date: datetime.date | str | None = None
    number_headings: bool = True


# -- text helpers -------------------------------------------------------------------------

# XML 1.0 cannot hold C0 controls (except tab and newline) or these code points; C1
# controls are legal but invisible junk from copy-and-paste.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` with newlines normalised and characters a .docx cannot hold removed."""
    return _ILLEGAL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def format_date(value: datetime.date | str) -> str:
    """A date as official documents write it: 2025年7月10日 (no leading zeros)."""
    if isinstance(value, str):
        return value
    return f"{value.year}年{value.month}月{value.day}日"


def display_width(text: str) -> float:
    """Width in Chinese characters: full-width counts 1, half-width (digits, Latin) 0.5."""
    return sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F", "A") else 0.5 for c in text)


def heading_number(level: int, n: int) -> str:
    """The GB/T 9704 sequence mark for the n-th heading of a level: 一、（一）1.（1）"""
    if level == 1:
        return f"{cn_number(n)}、"
    if level == 2:
        return f"（{cn_number(n)}）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"


def reference_template_path() -> Path:
    """The shipped reference template; copy it to start a county's own template."""
    return REFERENCE_TEMPLATE


# -- rendering ----------------------------------------------------------------------------


def _el(tag: str, **attrs: str | int) -> OxmlElement:
    return OxmlElement(tag, attrs={qn(f"w:{k}"): str(v) for k, v in attrs.items()})


def _set_ind(paragraph: DocxParagraph, **attrs: int) -> None:
    """Direct indentation; *Chars attributes win over twips in Word, so set both."""
    p_pr = paragraph._p.get_or_add_pPr()
    ind = p_pr.find(qn("w:ind"))
    if ind is None:
        ind = p_pr.get_or_add_ind()
    for key, value in attrs.items():
        ind.set(qn(f"w:{key}"), str(value))


def _add_text(paragraph: DocxParagraph, text: str, *, bold: bool = False) -> None:
    text = clean_text(text)
    if not text:
        return
    run = paragraph.add_run(text)  # \t and \n become w:tab and w:br, nothing else is parsed
    if bold:
        run.bold = True


def _add_content(paragraph: DocxParagraph, content: Content) -> None:
    if isinstance(content, str | Run):
        content = [content]
    for part in content:
        if isinstance(part, Run):
            _add_text(paragraph, part.text, bold=part.bold)
        else:
            _add_text(paragraph, str(part))


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


class _Renderer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.style = {role: styles.style_name(document, role) for role in styles.STYLE_SPECS}
        # Style ids, found once: python-docx looks a style up by name by walking every
        # style of the document, for every paragraph.
        self.style_id = {role: document.styles[name].style_id for role, name in self.style.items()}
        self.counters = [0, 0, 0, 0]
        # A template whose heading styles carry Word list numbering numbers them itself;
        # adding our text marks as well would print "一、一、".
        self.auto_numbered = {
            level: styles.has_list_numbering(document, f"heading{level}") for level in (1, 2, 3, 4)
        }
        self.pending_break = False
        section = document.sections[-1]
        try:
            width = section.page_width - section.left_margin - section.right_margin
            self.text_width_mm = width / 36000  # EMU per mm
        except TypeError:  # a template section without page size or margins
            self.text_width_mm = 156.0

    def paragraph(self, role: str) -> DocxParagraph:
        p = self._add(role)
        if self.pending_break:
            p.paragraph_format.page_break_before = True
            self.pending_break = False
        return p

    def _add(self, role: str) -> DocxParagraph:
        p = self.document.add_paragraph()
        p._p.style = self.style_id[role]
        return p

    def render(self, doc: Doc) -> None:
        self.title(doc)
        for block in doc.blocks:
            self.block(block, number=doc.number_headings)
        if self.pending_break:
            p = self._add("normal")
            p.add_run().add_break(WD_BREAK.PAGE)
            self.pending_break = False
        self.closing(doc)
        props = self.document.core_properties
        props.title = clean_text(doc.title).replace("\n", " ")
        props.author = clean_text(doc.signature or "").replace("\n", " ")
        props.last_modified_by = ""
        props.comments = ""
        props.created = props.modified = datetime.datetime.now(datetime.UTC).replace(
            microsecond=0, tzinfo=None
        )

    def title(self, doc: Doc) -> None:
        _add_text(self.paragraph("title"), doc.title)
        if doc.subtitle:
            _add_text(self.paragraph("subtitle"), doc.subtitle)
        self.paragraph("normal")  # GB/T 9704: one empty line between title and text

    def block(self, block: Block, *, number: bool) -> None:
        if isinstance(block, Heading):
            self.heading(block, number=number)
        elif isinstance(block, Paragraph):
            p = self.paragraph("body")
            if not block.indent:
                _set_ind(p, firstLine=0, firstLineChars=0)
            if block.align != "justify":
                p.alignment = _ALIGN[block.align]
            _add_content(p, block.content)
        elif isinstance(block, BulletList):
            for item in block.items:
                p = self.paragraph("body")
                _add_text(p, block.bullet)
                _add_content(p, item)
        elif isinstance(block, NumberedList):
            for i, item in enumerate(block.items, start=1):
                p = self.paragraph("body")
                _add_text(p, block.format.format(n=i, cn=cn_number(i) if i < 100 else i))
                _add_content(p, item)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, PageBreak):
            self.pending_break = True
        else:
            raise TypeError(f"not a document block: {block!r}")

    def heading(self, block: Heading, *, number: bool) -> None:
        level = block.level
        prefix = ""
        if number and block.numbered and not self.auto_numbered[level]:
            self.counters[level - 1] += 1
            prefix = heading_number(level, self.counters[level - 1])
        for deeper in range(level, 4):
            self.counters[deeper] = 0
        p = self.paragraph(f"heading{level}")
        _add_text(p, prefix + block.text)

    def table(self, block: Table) -> None:
        if block.caption:
            _add_text(self.paragraph("table_caption"), block.caption)
        elif self.pending_break:
            p = self._add("normal")
            p.add_run().add_break(WD_BREAK.PAGE)
            self.pending_break = False
        widths = column_widths_mm(block, self.text_width_mm)
        table = self.document.add_table(rows=1 + len(block.rows), cols=len(block.headers))
        _table_frame(table, widths)
        header_row = table.rows[0]
        tr_pr = header_row._tr.get_or_add_trPr()
        tr_pr.append(_el("w:cantSplit"))
        tr_pr.append(_el("w:tblHeader"))  # repeated at the top of every page
        for cell, text in zip(header_row.cells, block.headers, strict=True):
            self.cell(cell, text, "table_header", None)
        for row_cells, values in zip(table.rows[1:], block.rows, strict=True):
            row_cells._tr.get_or_add_trPr().append(_el("w:cantSplit"))
            for col, (cell, value) in enumerate(zip(row_cells.cells, values, strict=True)):
                if block.align is not None:
                    align: Align = block.align[col]
                else:
                    align = "center" if _is_number(value) else "left"
                self.cell(cell, _cell_text(value), "table_text", align)

    def cell(self, cell: object, text: str, role: str, align: Align | None) -> None:
        cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER  # type: ignore[attr-defined]
        p = cell.paragraphs[0]  # type: ignore[attr-defined]
        p._p.style = self.style_id[role]
        if align is not None:
            p.alignment = _ALIGN[align]
        _add_text(p, text)

    def closing(self, doc: Doc) -> None:
        if not doc.signature and not doc.date:
            return
        self.paragraph("normal")  # GB/T 9704: one empty line after the text
        sig = clean_text(doc.signature or "")
        date = clean_text(format_date(doc.date)) if doc.date else ""
        sig_right, date_right = signature_indents(sig, date)
        if sig:
            p = self.paragraph("signature")
            _set_ind(p, right=round(sig_right * 320), rightChars=round(sig_right * 100))
            _add_text(p, sig)
        if date:
            p = self.paragraph("date")
            _set_ind(p, right=round(date_right * 320), rightChars=round(date_right * 100))
            _add_text(p, date)


def signature_indents(signature: str, date: str) -> tuple[float, float]:
    """Right indents, in characters, of the signature and the date lines.

    GB/T 9704 7.3.5.2 (no seal): the signature sits two characters in from the right; the
    date starts two characters to the right of the signature's start; when the date is
    the longer one, it sits two characters in from the right and the signature moves left.
    """
    ws, wd = display_width(signature), display_width(date)
    if not signature:
        return 0.0, 2.0
    if not date:
        return 2.0, 0.0
    date_right = max(2.0, ws - wd)
    return date_right + wd + 2.0 - ws, date_right


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


def write_docx(doc: Doc, path: Path, *, template: Path | None = None) -> Path:
    """Write ``doc`` to ``path`` as a .docx and return the path.

    ``template``: a county's Word template (.docx or .dotx). Its styles and page setup are
    used; styles it lacks, and page numbers if its footers have none, come from ours.
    Raises :class:`~unionroll.core.errors.ConfigError` for a template that is missing or not
    a Word file, :class:`~unionroll.core.errors.UnionrollError` when the file cannot be saved.
    """
    path = Path(path)
    document = prepare_document(
        Path(template) if template is not None else None, reference_template_path()
    )
    _Renderer(document).render(doc)
    _save(document, path)
    return path


class DocxWriter:
    """Writes many small documents with one template, prepared once (a batch of receipts:
    preparing the template is most of the work of writing one)."""

    def __init__(self, template: Path | None = None) -> None:
        document = prepare_document(
            Path(template) if template is not None else None, reference_template_path()
        )
        buffer = io.BytesIO()
        document.save(buffer)
        self._prepared = buffer.getvalue()

    def write(self, doc: Doc, path: Path) -> Path:
        document = docx.Document(io.BytesIO(self._prepared))
        _Renderer(document).render(doc)
        _save(document, Path(path))
        return Path(path)


def _save(document: Document, path: Path) -> None:
    """Save through a temporary file so a failed write never leaves half a document."""
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=".unionroll-", suffix=".docx", delete=False
        ) as tmp:
            tmp_name = tmp.name
            document.save(tmp)
        os.replace(tmp_name, path)
    except OSError as exc:
        if tmp_name and os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise UnionrollError(
            f"无法保存 Word 文件 {path}：{exc.strerror or exc}。"
            "如果该文件正在 Word 或 WPS 中打开，请先关闭再重试。"
        ) from None
