"""The renderer: a :class:`Doc`'s blocks written into a python-docx document with the
template's styles."""

from __future__ import annotations

import datetime

from docx.document import Document
from docx.enum.table import WD_ALIGN_VERTICAL
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph

from unionroll.core.zh import cn_number
from unionroll.plugins import docx_styles as styles
from unionroll.plugins.docx_writer.blocks import (
    Align,
    Block,
    BulletList,
    Content,
    Doc,
    Heading,
    NumberedList,
    PageBreak,
    Paragraph,
    Run,
    Table,
)
from unionroll.plugins.docx_writer.tables import (
    _cell_text,
    _el,
    _is_number,
    _table_frame,
    column_widths_mm,
)
from unionroll.plugins.docx_writer.text import (
    clean_text,
    format_date,
    heading_number,
    signature_indents,
)

_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


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
