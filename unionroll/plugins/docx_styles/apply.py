"""Writing the specs into a document: the styles (created, or rewritten to our specs), the
document defaults and the font table with its fallbacks."""

from __future__ import annotations

import re

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from unionroll.plugins.docx_styles.lookup import _find_style_element, _style_id
from unionroll.plugins.docx_styles.measures import (
    BODY_PT,
    FANGSONG,
    FONT_FALLBACKS,
    LATIN,
    SONGTI,
    XIAOBIAOSONG,
    body_char_spacing,
)
from unionroll.plugins.docx_styles.specs import STYLE_SPECS, StyleSpec


def el(tag: str, **attrs: str | int) -> etree._Element:
    return OxmlElement(tag, attrs={qn(f"w:{k}"): str(v) for k, v in attrs.items()})


def fonts(east_asia: str, ascii_font: str, *, hint: bool = False) -> etree._Element:
    # Explicit names and no *Theme attributes: theme fonts would override the names.
    attrs: dict[str, str] = {"ascii": ascii_font, "hAnsi": ascii_font, "eastAsia": east_asia}
    attrs["cs"] = ascii_font
    if hint:
        attrs["hint"] = "eastAsia"
    return el("w:rFonts", **attrs)


def _spec_ppr(spec: StyleSpec) -> etree._Element:
    ppr = el("w:pPr")
    if spec.keep_next:
        ppr.append(el("w:keepNext"))
    # Said either way: a style based on Normal would otherwise inherit Normal's "off".
    ppr.append(el("w:widowControl") if spec.widow_control else el("w:widowControl", val=0))
    # Children in schema order (Word rejects a document whose pPr is out of order).
    if not spec.auto_space:
        ppr.append(el("w:autoSpaceDE", val=0))
        ppr.append(el("w:autoSpaceDN", val=0))
    if not spec.snap_to_grid:
        ppr.append(el("w:snapToGrid", val=0))
    if spec.line_twips is not None:
        ppr.append(
            el("w:spacing", before=0, after=0, line=spec.line_twips, lineRule=spec.line_rule)
        )
    else:
        ppr.append(el("w:spacing", before=0, after=0, line=240, lineRule="auto"))
    # firstLine in twips is the fallback for programs that ignore firstLineChars.
    first_line = round(spec.first_line_chars / 100 * spec.size_pt * 20)
    ppr.append(
        el(
            "w:ind",
            left=0,
            leftChars=0,
            right=0,
            rightChars=0,
            firstLine=first_line,
            firstLineChars=spec.first_line_chars,
        )
    )
    if spec.align:
        ppr.append(el("w:jc", val=spec.align))
    if spec.outline_level is not None:
        ppr.append(el("w:outlineLvl", val=spec.outline_level))
    return ppr


def _spec_rpr(spec: StyleSpec) -> etree._Element:
    rpr = el("w:rPr")
    rpr.append(fonts(spec.east_asia, spec.ascii_font))
    # Explicit "off" so a template's Heading 1 bold or italic never leaks through.
    rpr.append(el("w:b", val=int(spec.bold)))
    rpr.append(el("w:bCs", val=int(spec.bold)))
    rpr.append(el("w:i", val=0))
    rpr.append(el("w:iCs", val=0))
    rpr.append(el("w:color", val="000000"))
    rpr.append(el("w:spacing", val=body_char_spacing() if spec.condensed else 0))
    half_points = round(spec.size_pt * 2)
    rpr.append(el("w:sz", val=half_points))
    rpr.append(el("w:szCs", val=half_points))
    return rpr


def _new_style_id(document: Document, wanted: str) -> str:
    taken = {s.get(qn("w:styleId")) for s in document.styles.element.findall(qn("w:style"))}
    base = re.sub(r"\s+", "", wanted) or "Style"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _write_spec(document: Document, role: str, spec: StyleSpec) -> None:
    """Create the style for ``role``, or replace the formatting of the existing one."""
    style = _find_style_element(document, role)
    if style is None:
        style = el("w:style", type="paragraph", styleId=_new_style_id(document, spec.name))
        style.append(el("w:name", val=docx.styles.BabelFish.ui2internal(spec.name)))
        document.styles.element.append(style)
    # Rebuild everything below the name: no Word-blue, theme fonts or spacing survive.
    for child in list(style):
        if child.tag != qn("w:name"):
            style.remove(child)
    if role != "normal":
        normal_id = _style_id(document, "normal")
        if normal_id:
            style.append(el("w:basedOn", val=normal_id))
    next_id = _next_style_id(document, spec)
    if next_id:
        style.append(el("w:next", val=next_id))
    style.append(el("w:qFormat"))
    style.append(_spec_ppr(spec))
    style.append(_spec_rpr(spec))


def _next_style_id(document: Document, spec: StyleSpec) -> str | None:
    if spec.next_style is None:
        return None
    for role, other in STYLE_SPECS.items():
        if other.name == spec.next_style:
            return _style_id(document, role)
    return None


def ensure_styles(document: Document, *, replace: bool) -> None:
    """Give ``document`` every style the writer uses.

    ``replace=True`` rewrites existing styles to our specs (building the reference
    template); ``replace=False`` only adds the styles a county's template lacks.
    """
    # Normal first: the other styles name it as their base.
    for role, spec in STYLE_SPECS.items():
        if replace or _find_style_element(document, role) is None:
            _write_spec(document, role, spec)


def set_doc_defaults(document: Document) -> None:
    """Document-wide defaults: 3号仿宋, Chinese language, no paragraph spacing."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        styles.remove(defaults)
    defaults = el("w:docDefaults")
    rpr_default = el("w:rPrDefault")
    rpr = el("w:rPr")
    rpr.append(fonts(FANGSONG, LATIN))
    rpr.append(el("w:kern", val=2))
    rpr.append(el("w:sz", val=BODY_PT * 2))
    rpr.append(el("w:szCs", val=BODY_PT * 2))
    rpr.append(el("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"))
    rpr_default.append(rpr)
    ppr_default = el("w:pPrDefault")
    ppr = el("w:pPr")
    ppr.append(el("w:spacing", before=0, after=0, line=240, lineRule="auto"))
    ppr_default.append(ppr)
    defaults.append(rpr_default)
    defaults.append(ppr_default)
    styles.insert(0, defaults)


def ensure_font_table(document: Document) -> None:
    """List the GB/T 9704 fonts with their fallbacks in word/fontTable.xml.

    Word and WPS use ``w:altName`` when a font is missing, so a PC without 仿宋_GB2312
    shows 仿宋 rather than an arbitrary default.
    """
    part = next(
        (rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE),
        None,
    )
    if part is None:
        return
    root = etree.fromstring(part.blob)
    present = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    changed = False
    for name, alt in FONT_FALLBACKS.items():
        if name in present:
            continue
        font = el("w:font", name=name)
        font.append(el("w:altName", val=alt))
        font.append(el("w:charset", val="86"))
        proportional = name in (XIAOBIAOSONG, SONGTI)  # 宋体 has proportional Latin
        font.append(el("w:family", val="auto" if proportional else "modern"))
        font.append(el("w:pitch", val="variable" if proportional else "fixed"))
        root.append(font)
        changed = True
    if changed:
        # A generic python-docx Part keeps its bytes in _blob; there is no public setter.
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
