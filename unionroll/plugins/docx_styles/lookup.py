"""Finding a document's style for a role (by name or alias): its name, its id, and whether
it carries Word list numbering."""

from __future__ import annotations

import docx
from docx.document import Document
from docx.oxml.ns import qn
from lxml import etree

from unionroll.plugins.docx_styles.specs import STYLE_ALIASES, STYLE_SPECS


def _find_style_element(document: Document, role: str) -> etree._Element | None:
    names = {STYLE_SPECS[role].name.lower(), *(n.lower() for n in STYLE_ALIASES.get(role, ()))}
    for style in document.styles.element.findall(qn("w:style")):
        if style.get(qn("w:type")) != "paragraph":
            continue
        name = style.find(qn("w:name"))
        if name is not None and (name.get(qn("w:val")) or "").lower() in names:
            return style
    return None


def style_name(document: Document, role: str) -> str:
    """The name python-docx knows the document's style for ``role`` by."""
    element = _find_style_element(document, role)
    if element is None:
        raise KeyError(role)
    raw = element.find(qn("w:name")).get(qn("w:val"))
    return docx.styles.BabelFish.internal2ui(raw)


def has_list_numbering(document: Document, role: str) -> bool:
    """Whether the style for ``role`` (or a style it is based on) has Word list numbering."""
    element = _find_style_element(document, role)
    seen: set[str] = set()
    while element is not None:
        ppr = element.find(qn("w:pPr"))
        num = None if ppr is None else ppr.find(qn("w:numPr"))
        if num is not None:
            num_id = num.find(qn("w:numId"))
            # numId 0 explicitly switches numbering off.
            return num_id is None or num_id.get(qn("w:val")) != "0"
        based = element.find(qn("w:basedOn"))
        if based is None:
            return False
        base_id = based.get(qn("w:val"))
        if base_id in seen:
            return False
        seen.add(base_id)
        element = next(
            (
                s
                for s in document.styles.element.findall(qn("w:style"))
                if s.get(qn("w:styleId")) == base_id
            ),
            None,
        )
    return False


def _style_id(document: Document, role: str) -> str | None:
    element = _find_style_element(document, role)
    return None if element is None else element.get(qn("w:styleId"))
