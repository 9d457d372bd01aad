"""Paragraph styles of GB/T 9704-2012 official documents, for the .docx writer.

The look of a generated document lives in Word styles, not in direct formatting, so that a
county can change it by editing a template in Word. ``STYLE_SPECS`` is the single source of
truth: the shipped ``report_templates/docx/reference.docx`` is built from it (see
:mod:`unionroll.plugins.docx_template`), and the same specs are added to a county's
template for every style that template lacks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

# Font names as Chinese Word/WPS installations spell them. The *_GB2312 faces are the ones
# GB/T 9704 names; newer Windows ships only 仿宋/楷体, hence the altName in the font table.
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
LATIN = "Times New Roman"

# Font table entries: name -> alternative a word processor may use when the font is missing.
FONT_FALLBACKS: dict[str, str] = {
    FANGSONG: "仿宋",
    KAITI: "楷体",
    XIAOBIAOSONG: "宋体",
    "仿宋": "FangSong",
    "楷体": "KaiTi",
    HEITI: "SimHei",
    SONGTI: "SimSun",
}

TWIPS_PER_MM = 1440 / 25.4
BODY_PT = 16  # 3号
# GB/T 9704: 22 lines in a 225 mm type area. 579 twips = 28.95 pt, 22 lines = 224.7 mm.
LINE_TWIPS = 579
PAGE_W_MM, PAGE_H_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM = 37, 35
MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 28, 26
HEADER_MM = 15
# Puts the top of the "— 1 —" line about 7 mm below the type area, as GB/T 9704 asks.
FOOTER_MM = 25
CHARS_PER_LINE = 28
TABLE_PT = 12  # 小四
TABLE_LINE_TWIPS = 400  # 20 pt: 小四 tables read cramped at single spacing


def mm_to_twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def body_char_spacing() -> int:
    """Character spacing, in twentieths of a point, that fits 28 characters of 3号 into
    the 156 mm line (28 × 16 pt is 448 pt, the line is 442.2 pt).

    Word's own way is a character grid (docGrid linesAndChars with a negative charSpace),
    but LibreOffice gives every character wider than the grid pitch two grid cells, which
    halves the characters per line; condensing the text by a quarter point works the same
    in Word, WPS and LibreOffice.
    """
    width_pt = (PAGE_W_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM) / 25.4 * 72
    pitch = width_pt / CHARS_PER_LINE
    return math.floor((pitch - BODY_PT) * 20)


@dataclass(frozen=True)
class StyleSpec:
    """What one paragraph style looks like. ``None`` means inherit from the base style."""

    name: str
    east_asia: str
    size_pt: float
    ascii_font: str = LATIN
    bold: bool = False
    align: str | None = None  # w:jc value: both, center, right, left
    first_line_chars: int = 0  # hundredths of a character
    line_twips: int | None = LINE_TWIPS  # line height; None = single, auto
    line_rule: str = "exact"  # or "atLeast"
    outline_level: int | None = None  # 0-based, as in w:outlineLvl
    keep_next: bool = False
    snap_to_grid: bool = True
    widow_control: bool = False
    next_style: str | None = None
    condensed: bool = False  # apply body_char_spacing(): 28 characters per line
    auto_space: bool = True  # Word's extra space between Chinese and digits or Latin


# role -> spec. The first name is what we create; lookups also accept ``STYLE_ALIASES``.
STYLE_SPECS: dict[str, StyleSpec] = {
    "normal": StyleSpec("Normal", FANGSONG, BODY_PT, align="both", condensed=True),
    # Widow control on (孤行控制): a paragraph's last line alone at the top of a page
    # ("篇。") is what a clerk fixes by hand; a page then has 21 lines instead of 22.
    "body": StyleSpec(
        "Body Text",
        FANGSONG,
        BODY_PT,
        align="both",
        first_line_chars=200,
        condensed=True,
        widow_control=True,
    ),
    # Off the grid: a 22 pt line would otherwise take two grid lines in LibreOffice.
    "title": StyleSpec(
        "Title",
        XIAOBIAOSONG,
        22,
        ascii_font=XIAOBIAOSONG,
        align="center",
        next_style="Normal",
        snap_to_grid=False,
    ),
    "subtitle": StyleSpec(
        "Subtitle", KAITI, BODY_PT, align="center", next_style="Normal", condensed=True
    ),
    "heading1": StyleSpec(
        "Heading 1",
        HEITI,
        BODY_PT,
        align="both",
        first_line_chars=200,
        outline_level=0,
        keep_next=True,
        next_style="Body Text",
        condensed=True,
    ),
    "heading2": StyleSpec(
        "Heading 2",
        KAITI,
        BODY_PT,
        align="both",
        first_line_chars=200,
        outline_level=1,
        keep_next=True,
        next_style="Body Text",
        condensed=True,
    ),
    "heading3": StyleSpec(
        "Heading 3",
        FANGSONG,
        BODY_PT,
        bold=True,
        align="both",
        first_line_chars=200,
        outline_level=2,
        keep_next=True,
        next_style="Body Text",
        condensed=True,
    ),
    "heading4": StyleSpec(
        "Heading 4",
        FANGSONG,
        BODY_PT,
        align="both",
        first_line_chars=200,
        outline_level=3,
        keep_next=True,
        next_style="Body Text",
        condensed=True,
    ),
    # No extra space around digits, so the signature lines up over the date as computed.
    "signature": StyleSpec(
        "Signature", FANGSONG, BODY_PT, align="right", condensed=True, auto_space=False
    ),
    "date": StyleSpec("Date", FANGSONG, BODY_PT, align="right", condensed=True, auto_space=False),
    "footer": StyleSpec(
        "Footer", SONGTI, 14, ascii_font=SONGTI, line_twips=None, snap_to_grid=False
    ),
    "table_caption": StyleSpec(
        "表格标题",
        HEITI,
        14,
        align="center",
        line_twips=None,
        keep_next=True,
        snap_to_grid=False,
    ),
    "table_text": StyleSpec(
        "表格文字",
        FANGSONG,
        TABLE_PT,
        line_twips=TABLE_LINE_TWIPS,
        line_rule="atLeast",
        snap_to_grid=False,
    ),
    "table_header": StyleSpec(
        "表格表头",
        FANGSONG,
        TABLE_PT,
        bold=True,
        align="center",
        line_twips=TABLE_LINE_TWIPS,
        line_rule="atLeast",
        snap_to_grid=False,
    ),
}

# Names other word processors give the same built-in styles.
STYLE_ALIASES: dict[str, tuple[str, ...]] = {
    "heading1": ("标题 1",),
    "heading2": ("标题 2",),
    "heading3": ("标题 3",),
    "heading4": ("标题 4",),
    "title": ("标题",),
    "subtitle": ("副标题",),
    "body": ("正文文本",),
    "normal": ("正文",),
    "footer": ("页脚",),
    "signature": ("签名",),
    "date": ("日期",),
}


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
