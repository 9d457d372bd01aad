"""Templates for the .docx writer: the shipped reference template and a county's own.

A county's template supplies the styles and page setup; what it lacks (styles, page
numbers) is filled in from ours. Rebuild the shipped template after changing
:mod:`unionroll.plugins.docx_styles` with ``python -m unionroll.plugins.docx_template``.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Twips
from docx.text.paragraph import Paragraph
from lxml import etree

from unionroll.core.errors import ConfigError
from unionroll.plugins.docx_styles import (
    FOOTER_MM,
    HEADER_MM,
    LINE_TWIPS,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOP_MM,
    PAGE_H_MM,
    PAGE_W_MM,
    SONGTI,
    el,
    ensure_font_table,
    ensure_styles,
    fonts,
    mm_to_twips,
    set_doc_defaults,
    style_name,
)

REFERENCE_TEMPLATE = Path(__file__).resolve().parent.parent / "report_templates/docx/reference.docx"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def apply_page_setup(section: Section) -> None:
    """A4, GB/T 9704 margins, and a grid of 22 lines per page."""
    section.page_width = Twips(mm_to_twips(PAGE_W_MM))
    section.page_height = Twips(mm_to_twips(PAGE_H_MM))
    section.top_margin = Twips(mm_to_twips(MARGIN_TOP_MM))
    section.bottom_margin = Twips(mm_to_twips(MARGIN_BOTTOM_MM))
    section.left_margin = Twips(mm_to_twips(MARGIN_LEFT_MM))
    section.right_margin = Twips(mm_to_twips(MARGIN_RIGHT_MM))
    section.header_distance = Twips(mm_to_twips(HEADER_MM))
    section.footer_distance = Twips(mm_to_twips(FOOTER_MM))
    section.gutter = Twips(0)
    sect_pr = section._sectPr  # python-docx has no API for docGrid
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = el("w:docGrid")
        # docGrid comes after everything but printerSettings and sectPrChange.
        tail = [sect_pr.find(qn(t)) for t in ("w:printerSettings", "w:sectPrChange")]
        tail = [t for t in tail if t is not None]
        if tail:
            tail[0].addprevious(grid)
        else:
            sect_pr.append(grid)
    grid.attrib.clear()
    # A line grid only; see body_char_spacing() for why there is no character grid.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_TWIPS))


def _has_page_field(section: Section) -> bool:
    """Whether any footer of ``section`` already holds a PAGE field (the county's own)."""
    for footer in (section.footer, section.even_page_footer, section.first_page_footer):
        if footer.is_linked_to_previous:
            continue
        root = footer._element
        instructions = [t.text or "" for t in root.iter(qn("w:instrText"))]
        instructions += [f.get(qn("w:instr")) or "" for f in root.iter(qn("w:fldSimple"))]
        if any(re.match(r"\s*PAGE\b", i) for i in instructions):
            return True
    return False


def _footer_run(paragraph: Paragraph, *children: etree._Element, hint: bool = False) -> None:
    r = el("w:r")
    r_pr = el("w:rPr")
    # 4号 half-width 宋体 digits; the eastAsia hint sets the em dash full width (一字线).
    r_pr.append(fonts(SONGTI, SONGTI, hint=hint))
    r_pr.append(el("w:sz", val=28))
    r_pr.append(el("w:szCs", val=28))
    r.append(r_pr)
    r.extend(children)
    paragraph._p.append(r)


def _literal(tag: str, value: str) -> etree._Element:
    node = el(tag)
    node.text = value
    node.set(_XML_SPACE, "preserve")
    return node


def _page_number_paragraph(paragraph: Paragraph, *, odd: bool, footer_style: str) -> None:
    """ "— 1 —": one character (4号, 280 twips) in from the outer edge, as GB/T 9704 says
    单页码居右空一字，双页码居左空一字."""
    paragraph.style = footer_style
    p_pr = paragraph._p.get_or_add_pPr()
    if odd:
        p_pr.append(el("w:ind", right=280, rightChars=100))
        p_pr.append(el("w:jc", val="right"))
    else:
        p_pr.append(el("w:ind", left=280, leftChars=100))
        p_pr.append(el("w:jc", val="left"))
    _footer_run(paragraph, _literal("w:t", "— "), hint=True)
    _footer_run(paragraph, el("w:fldChar", fldCharType="begin"))
    _footer_run(paragraph, _literal("w:instrText", " PAGE "))
    _footer_run(paragraph, el("w:fldChar", fldCharType="separate"))
    _footer_run(paragraph, _literal("w:t", "1"))
    _footer_run(paragraph, el("w:fldChar", fldCharType="end"))
    _footer_run(paragraph, _literal("w:t", " —"), hint=True)


def install_page_numbers(document: Document) -> None:
    """Page numbers on odd (right) and even (left) pages of every section, unless the
    template already numbers its pages itself."""
    footer_style = style_name(document, "footer")
    for section in document.sections:
        if _has_page_field(section):
            continue
        document.settings.odd_and_even_pages_header_footer = True
        for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
            footer.is_linked_to_previous = False
            for p in footer.paragraphs[1:]:
                p._p.getparent().remove(p._p)
            first = footer.paragraphs[0]
            for child in list(first._p):
                first._p.remove(child)
            _page_number_paragraph(first, odd=odd, footer_style=footer_style)


def _drop_parts(document: Document) -> None:
    """Parts of python-docx's stock template that only add noise to our reference."""
    unwanted = {
        RT.THUMBNAIL,
        "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    }
    package_rels = document.part.package.rels
    for r_id, rel in list(package_rels.items()):
        if rel.reltype in unwanted:
            del package_rels[r_id]
    for r_id, rel in list(document.part.rels.items()):
        if rel.reltype in unwanted:
            del document.part.rels[r_id]


def _drop_linked_char_styles(document: Document) -> None:
    """Remove "Heading 1 Char" and friends: their Word-blue theme fonts would show
    whenever a heading style is applied to part of a paragraph."""
    styles = document.styles.element
    for style in list(styles.findall(qn("w:style"))):
        link = style.find(qn("w:link"))
        if link is not None:
            style.remove(link)
        if style.get(qn("w:type")) == "character" and (style.get(qn("w:styleId")) or "").endswith(
            "Char"
        ):
            styles.remove(style)


def build_reference_template(dest: Path) -> Path:
    """Write the reference template (styles, page setup, page numbers, empty body)."""
    document = docx.Document()
    _drop_parts(document)
    _drop_linked_char_styles(document)
    set_doc_defaults(document)
    ensure_styles(document, replace=True)
    ensure_font_table(document)
    apply_page_setup(document.sections[0])
    install_page_numbers(document)
    lang = document.settings.element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    props = document.core_properties
    props.title = "公文格式参考模板"
    props.author = ""
    props.last_modified_by = ""
    props.comments = "unionroll: GB/T 9704-2012 公文格式参考模板"
    props.revision = 1
    dest.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(dest))
    return dest


_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DOTX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"


def open_template(path: Path) -> Document:
    """Open a county's Word template (.docx, or a .dotx saved by Word as a template)."""
    if not path.is_file():
        raise ConfigError(f"Word 模板 {path} 不存在。")
    try:
        data = path.read_bytes()
        if zipfile.is_zipfile(io.BytesIO(data)):
            data = _dotx_as_docx(data)
        return docx.Document(io.BytesIO(data))
    except (
        ValueError,
        KeyError,
        zipfile.BadZipFile,
        etree.XMLSyntaxError,
        OSError,
        PackageNotFoundError,
    ):
        raise ConfigError(
            f"Word 模板 {path} 不是有效的 Word 文档，无法读取。"
            "请在 Word 或 WPS 中打开它，另存为“Word 文档（*.docx）”后再试。"
        ) from None


def _dotx_as_docx(data: bytes) -> bytes:
    """A .dotx differs from a .docx only in its main part's content type."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        types = src.read("[Content_Types].xml")
        if _DOTX_MAIN.encode() not in types:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                content = src.read(item.filename)
                if item.filename == "[Content_Types].xml":
                    content = content.replace(_DOTX_MAIN.encode(), _DOCX_MAIN.encode())
                dst.writestr(item, content)
        return out.getvalue()


def prepare_document(template: Path | None, reference: Path) -> Document:
    """The document to write into: the county's template completed with our styles,
    or our reference template; its body emptied, its last section's page setup kept."""
    if template is None:
        document = docx.Document(str(reference))
    else:
        document = open_template(template)
        ensure_styles(document, replace=False)
        ensure_font_table(document)
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    if template is not None:
        install_page_numbers(document)
    return document


if __name__ == "__main__":
    import argparse

    argparse.ArgumentParser(
        description=f"Rebuild the shipped reference template ({REFERENCE_TEMPLATE}) "
        "from the style specifications, and print its path."
    ).parse_args()
    print(build_reference_template(REFERENCE_TEMPLATE))
