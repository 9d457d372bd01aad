"""Paragraph styles of GB/T 9704-2012 official documents, for the .docx writer.

The look of a generated document lives in Word styles, not in direct formatting, so that a
county can change it by editing a template in Word. ``STYLE_SPECS`` is the single source of
truth: the shipped ``report_templates/docx/reference.docx`` is built from it (see
:mod:`unionroll.plugins.docx_template`), and the same specs are added to a county's
template for every style that template lacks.

The package: ``measures`` (fonts, page size, margins, line pitch, type sizes), ``specs``
(:class:`StyleSpec`, ``STYLE_SPECS``, ``STYLE_ALIASES``), ``lookup`` (a document's style
for a role), ``apply`` (styles, document defaults and font table written into a document).
"""

from __future__ import annotations

from unionroll.plugins.docx_styles.apply import (
    el,
    ensure_font_table,
    ensure_styles,
    fonts,
    set_doc_defaults,
)
from unionroll.plugins.docx_styles.lookup import has_list_numbering, style_name
from unionroll.plugins.docx_styles.measures import (
    BODY_PT,
    CHARS_PER_LINE,
    FANGSONG,
    FONT_FALLBACKS,
    FOOTER_MM,
    HEADER_MM,
    HEITI,
    KAITI,
    LATIN,
    LINE_TWIPS,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOP_MM,
    PAGE_H_MM,
    PAGE_W_MM,
    SONGTI,
    TABLE_LINE_TWIPS,
    TABLE_PT,
    TWIPS_PER_MM,
    XIAOBIAOSONG,
    body_char_spacing,
    mm_to_twips,
)
from unionroll.plugins.docx_styles.specs import STYLE_ALIASES, STYLE_SPECS, StyleSpec

__all__ = [
    "BODY_PT",
    "CHARS_PER_LINE",
    "FANGSONG",
    "FONT_FALLBACKS",
    "FOOTER_MM",
    "HEADER_MM",
    "HEITI",
    "KAITI",
    "LATIN",
    "LINE_TWIPS",
    "MARGIN_BOTTOM_MM",
    "MARGIN_LEFT_MM",
    "MARGIN_RIGHT_MM",
    "MARGIN_TOP_MM",
    "PAGE_H_MM",
    "PAGE_W_MM",
    "SONGTI",
    "STYLE_ALIASES",
    "STYLE_SPECS",
    "TABLE_LINE_TWIPS",
    "TABLE_PT",
    "TWIPS_PER_MM",
    "XIAOBIAOSONG",
    "StyleSpec",
    "body_char_spacing",
    "el",
    "ensure_font_table",
    "ensure_styles",
    "fonts",
    "has_list_numbering",
    "mm_to_twips",
    "set_doc_defaults",
    "style_name",
]
