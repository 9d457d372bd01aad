"""Word (.docx) documents in the format of GB/T 9704-2012 《党政机关公文格式》.

A report builds a :class:`Doc` from plain blocks (headings, paragraphs, lists, tables) and
calls :func:`write_docx`. All formatting comes from the styles of a reference template
(``report_templates/docx/reference.docx``) or of a county's own template, so the county can
restyle its documents in Word without touching code; see docs/docx-format.md.

User text is always written as literal text: nothing in it becomes a field, a formula or
markup, and characters XML cannot hold are dropped.

The package: ``blocks`` (:class:`Doc` and its blocks), ``text`` (cleaning, dates, widths,
heading marks, signature indents), ``tables`` (column widths and the table frame),
``render`` (blocks into a python-docx document), ``output`` (:func:`write_docx`,
:class:`DocxWriter`, the atomic save).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unionroll.core.lazy import lazy_names
from unionroll.plugins.docx_writer.blocks import (
    Align,
    Block,
    BulletList,
    Content,
    Doc,
    Heading,
    Inline,
    NumberedList,
    PageBreak,
    Paragraph,
    Run,
    Table,
)
from unionroll.plugins.docx_writer.text import (
    clean_text,
    display_width,
    format_date,
    heading_number,
    signature_indents,
)

if TYPE_CHECKING:
    from unionroll.plugins.docx_writer.output import (
        DocxWriter,
        reference_template_path,
        write_docx,
    )
    from unionroll.plugins.docx_writer.tables import column_widths_mm

# What needs python-docx is imported when first used: a command that writes no Word
# document (ingest, for one) does not pay for loading it.
_LAZY = {
    "DocxWriter": "output",
    "reference_template_path": "output",
    "write_docx": "output",
    "column_widths_mm": "tables",
}

__all__ = [
    "Align",
    "Block",
    "BulletList",
    "Content",
    "Doc",
    "DocxWriter",
    "Heading",
    "Inline",
    "NumberedList",
    "PageBreak",
    "Paragraph",
    "Run",
    "Table",
    "clean_text",
    "column_widths_mm",
    "display_width",
    "format_date",
    "heading_number",
    "reference_template_path",
    "signature_indents",
    "write_docx",
]


__getattr__ = lazy_names(__name__, _LAZY)
