"""The .docx writer: GB/T 9704 layout, real headings, literal user text, county templates.

Every test writes a real .docx and reads it back with python-docx (or unzips it); the last
ones convert it to PDF with LibreOffice when it is installed.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt

from unionroll.core.errors import ConfigError, UnionrollError
from unionroll.plugins import docx_styles
from unionroll.plugins.docx_template import REFERENCE_TEMPLATE, build_reference_template
from unionroll.plugins.docx_writer import (
    BulletList,
    Doc,
    Heading,
    NumberedList,
    PageBreak,
    Paragraph,
    Run,
    Table,
    clean_text,
    column_widths_mm,
    format_date,
    heading_number,
    signature_indents,
    write_docx,
)

TITLE = "某某县教育工会2025年上半年工作总结"
HOSTILE = "<b>不是粗体</b> & 符号 =SUM(A1) 响铃\x07字符 {PAGE} MERGEFIELD x"


def sample_doc(**overrides: object) -> Doc:
    fields: dict[str, object] = {
        "title": TITLE,
        "subtitle": "（2025年7月）",
        "blocks": [
            Paragraph("上半年，全县教育工会工作紧紧围绕全县教育工作重点，完成了如下几方面的工作："),
            Heading(1, "大力开展送温暖帮扶活动"),
            Paragraph(["走访慰问了", Run("61名", bold=True), "特困教职工。"]),
            Heading(2, "节日慰问"),
            Heading(2, "无偿献血"),
            Heading(3, "城区学校"),
            Heading(4, "县一中"),
            Heading(4, "县二中"),
            Heading(3, "乡镇学校"),
            Heading(1, "积极开展建功立业活动"),
            Heading(2, "征文活动"),
            Paragraph(HOSTILE),
            Paragraph("不缩进的段落", indent=False),
            Paragraph(Run("整段加粗", bold=True), align="center"),
            Table(
                headers=["学区", "应报单位", "慰问金（元）"],
                rows=[["城关学区", 12, 8500], ["高泽学区", 9, 6200.5], ["合计", 21, None]],
                caption="表1　送温暖情况",
            ),
            BulletList(["乒乓球女团第一。", "篮球男团第三。"]),
            PageBreak(),
            Heading(1, "下半年主要工作思路", numbered=False),
            Heading(2, "教代会"),
            NumberedList(["落实教代会制度。", "加强干部培训。"]),
            NumberedList(["第一项", "第二项"], format="（{n}）"),
            NumberedList(["是加强", "是落实"], format="{cn}"),
        ],
        "signature": "某某县教育工会",
        "date": datetime.date(2025, 7, 10),
    }
    fields.update(overrides)
    return Doc(**fields)  # type: ignore[arg-type]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    return write_docx(sample_doc(), tmp_path / "out" / "总结.docx")


def open_doc(path: Path) -> Document:
    return docx.Document(str(path))


def style_rpr(document: Document, name: str) -> dict[str, str | None]:
    element = document.styles[name].element
    rpr = element.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    bold = rpr.find(qn("w:b"))
    return {
        "eastAsia": fonts.get(qn("w:eastAsia")),
        "ascii": fonts.get(qn("w:ascii")),
        "asciiTheme": fonts.get(qn("w:asciiTheme")),
        "eastAsiaTheme": fonts.get(qn("w:eastAsiaTheme")),
        "sz": rpr.find(qn("w:sz")).get(qn("w:val")),
        "b": None if bold is None else bold.get(qn("w:val"), "1"),
        "color": rpr.find(qn("w:color")).get(qn("w:val")),
    }


def style_ppr(document: Document, name: str) -> dict[str, str | None]:
    ppr = document.styles[name].element.find(qn("w:pPr"))
    ind = ppr.find(qn("w:ind"))
    spacing = ppr.find(qn("w:spacing"))
    outline = ppr.find(qn("w:outlineLvl"))
    jc = ppr.find(qn("w:jc"))
    return {
        "firstLineChars": ind.get(qn("w:firstLineChars")),
        "firstLine": ind.get(qn("w:firstLine")),
        "line": spacing.get(qn("w:line")),
        "lineRule": spacing.get(qn("w:lineRule")),
        "before": spacing.get(qn("w:before")),
        "after": spacing.get(qn("w:after")),
        "outlineLvl": None if outline is None else outline.get(qn("w:val")),
        "jc": None if jc is None else jc.get(qn("w:val")),
    }


def body_paragraphs(document: Document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs]


# -- layout --------------------------------------------------------------------------------


def test_page_is_a4_with_gb9704_margins_and_line_grid(written: Path) -> None:
    section = open_doc(written).sections[0]
    assert abs(section.page_width.mm - 210) < 0.1
    assert abs(section.page_height.mm - 297) < 0.1
    assert abs(section.top_margin.mm - 37) < 0.1
    assert abs(section.left_margin.mm - 28) < 0.1
    assert abs(section.bottom_margin.mm - 35) < 0.1
    assert abs(section.right_margin.mm - 26) < 0.1
    type_w = Length(section.page_width - section.left_margin - section.right_margin)
    type_h = Length(section.page_height - section.top_margin - section.bottom_margin)
    assert abs(type_w.mm - 156) < 0.1 and abs(type_h.mm - 225) < 0.1
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"
    # 22 lines of 579 twips fill the 225 mm type area without overflowing it.
    assert 22 * 579 <= type_h.twips < 23 * 579


def test_body_styles_are_3hao_fangsong_with_fixed_lines_and_28_characters(written: Path) -> None:
    document = open_doc(written)
    for name in ("Normal", "Body Text"):
        rpr = style_rpr(document, name)
        assert rpr["eastAsia"] == "仿宋_GB2312"
        assert rpr["ascii"] == "Times New Roman"
        assert rpr["asciiTheme"] is None and rpr["eastAsiaTheme"] is None
        assert rpr["sz"] == "32"
        ppr = style_ppr(document, name)
        assert (ppr["line"], ppr["lineRule"]) == ("579", "exact")
        assert ppr["before"] == ppr["after"] == "0"
    assert style_ppr(document, "Body Text")["firstLineChars"] == "200"
    assert style_ppr(document, "Body Text")["firstLine"] == "640"
    # 28 characters of 16 pt, condensed by the spacing, fit the 156 mm line.
    spacing = int(
        document.styles["Body Text"]
        .element.find(qn("w:rPr"))
        .find(qn("w:spacing"))
        .get(qn("w:val"))
    )
    assert 28 * (16 + spacing / 20) <= Mm(156).pt < 29 * (16 + spacing / 20)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"


def test_title_is_centred_2hao_xiaobiaosong(written: Path) -> None:
    document = open_doc(written)
    first, second, third = document.paragraphs[:3]
    assert (first.style.name, first.text) == ("Title", TITLE)
    assert (second.style.name, second.text) == ("Subtitle", "（2025年7月）")
    assert third.text == ""  # the empty line between title and text
    rpr = style_rpr(document, "Title")
    assert rpr["eastAsia"] == "方正小标宋简体"
    assert rpr["sz"] == "44"
    assert rpr["color"] == "000000"
    assert style_ppr(document, "Title")["jc"] == "center"
    # python-docx's stock Title has a blue rule under it; ours must not.
    assert document.styles["Title"].element.find(qn("w:pPr")).find(qn("w:pBdr")) is None
    assert document.core_properties.title == TITLE


@pytest.mark.parametrize(
    ("name", "font", "bold", "level"),
    [
        ("Heading 1", "黑体", "0", "0"),
        ("Heading 2", "楷体_GB2312", "0", "1"),
        ("Heading 3", "仿宋_GB2312", "1", "2"),
        ("Heading 4", "仿宋_GB2312", "0", "3"),
    ],
)
def test_headings_are_real_word_headings_styled_as_gb9704(
    written: Path, name: str, font: str, bold: str, level: str
) -> None:
    document = open_doc(written)
    style = document.styles[name]
    # The built-in style (w:name "heading N"), so Word's navigation pane and TOC see it.
    assert style.element.find(qn("w:name")).get(qn("w:val")) == name.lower()
    assert style.type == docx.enum.style.WD_STYLE_TYPE.PARAGRAPH
    rpr = style_rpr(document, name)
    assert (rpr["eastAsia"], rpr["sz"], rpr["b"], rpr["color"]) == (font, "32", bold, "000000")
    assert rpr["asciiTheme"] is None
    ppr = style_ppr(document, name)
    assert ppr["outlineLvl"] == level
    assert (ppr["before"], ppr["after"], ppr["line"]) == ("0", "0", "579")
    assert ppr["firstLineChars"] == "200"
    assert any(p.style.name == name for p in document.paragraphs)


def test_headings_are_numbered_by_position_and_restart_under_each_parent(written: Path) -> None:
    headings = [
        (p.style.name[-1], p.text)
        for p in open_doc(written).paragraphs
        if p.style.name.startswith("Heading")
    ]
    assert headings == [
        ("1", "一、大力开展送温暖帮扶活动"),
        ("2", "（一）节日慰问"),
        ("2", "（二）无偿献血"),
        ("3", "1.城区学校"),
        ("4", "（1）县一中"),
        ("4", "（2）县二中"),
        ("3", "2.乡镇学校"),
        ("1", "二、积极开展建功立业活动"),
        ("2", "（一）征文活动"),
        ("1", "下半年主要工作思路"),
        ("2", "（一）教代会"),
    ]


def test_heading_numbering_can_be_left_to_the_caller(tmp_path: Path) -> None:
    doc = Doc(
        "标题",
        blocks=[Heading(1, "一、已编号"), Heading(2, "（一）也已编号")],
        number_headings=False,
    )
    texts = [p.text for p in open_doc(write_docx(doc, tmp_path / "a.docx")).paragraphs]
    assert "一、已编号" in texts and "（一）也已编号" in texts


def test_heading_number_marks() -> None:
    assert [heading_number(1, n) for n in (1, 10, 12)] == ["一、", "十、", "十二、"]
    assert heading_number(2, 3) == "（三）"
    assert heading_number(3, 11) == "11."
    assert heading_number(4, 2) == "（2）"


def test_body_paragraphs_indent_two_characters_unless_told_not_to(written: Path) -> None:
    document = open_doc(written)
    first_body = next(p for p in document.paragraphs if p.text.startswith("上半年"))
    assert first_body.style.name == "Body Text"
    assert first_body._p.pPr.find(qn("w:ind")) is None  # indent comes from the style
    flush = next(p for p in document.paragraphs if p.text == "不缩进的段落")
    ind = flush._p.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "0" and ind.get(qn("w:firstLine")) == "0"


def test_bold_runs(written: Path) -> None:
    paragraph = next(
        p for p in open_doc(written).paragraphs if p.text == "走访慰问了61名特困教职工。"
    )
    assert [(r.text, bool(r.bold)) for r in paragraph.runs] == [
        ("走访慰问了", False),
        ("61名", True),
        ("特困教职工。", False),
    ]


def test_a_single_run_paragraph_with_its_own_alignment(written: Path) -> None:
    paragraph = next(p for p in open_doc(written).paragraphs if p.text == "整段加粗")
    assert [bool(r.bold) for r in paragraph.runs] == [True]
    assert paragraph.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER


def test_lists_are_body_paragraphs_with_text_marks(written: Path) -> None:
    texts = [t for s, t in body_paragraphs(open_doc(written)) if s == "Body Text"]
    for expected in (
        "●乒乓球女团第一。",
        "1.落实教代会制度。",
        "2.加强干部培训。",
        "（1）第一项",
        "（2）第二项",
        "一是加强",
        "二是落实",
    ):
        assert expected in texts


# -- page numbers -----------------------------------------------------------------------


def footer_fields(footer: object) -> list[str]:
    element = footer._element  # type: ignore[attr-defined]
    return [t.text for t in element.iter(qn("w:instrText"))]


def test_page_numbers_dash_page_dash_odd_right_even_left(written: Path) -> None:
    document = open_doc(written)
    assert document.settings.odd_and_even_pages_header_footer is True
    section = document.sections[0]
    odd, even = section.footer, section.even_page_footer
    assert not odd.is_linked_to_previous and not even.is_linked_to_previous
    for footer, align in ((odd, "right"), (even, "left")):
        assert [f.strip() for f in footer_fields(footer)] == ["PAGE"]
        paragraph = footer.paragraphs[0]
        # The field's cached result is "1"; Word and LibreOffice recompute it per page.
        assert paragraph.text == "— 1 —"
        assert paragraph._p.pPr.find(qn("w:jc")).get(qn("w:val")) == align
        sizes = {r.font.size for r in paragraph.runs}
        assert sizes == {Pt(14)}
        assert {r.font.name for r in paragraph.runs} == {"宋体"}
    odd_ind = odd.paragraphs[0]._p.pPr.find(qn("w:ind"))
    even_ind = even.paragraphs[0]._p.pPr.find(qn("w:ind"))
    assert odd_ind.get(qn("w:rightChars")) == "100"
    assert even_ind.get(qn("w:leftChars")) == "100"


# -- signature and date --------------------------------------------------------------------


def test_signature_and_date_close_the_document(written: Path) -> None:
    document = open_doc(written)
    *_, blank, sig, date = document.paragraphs
    assert blank.text == ""
    assert (sig.style.name, sig.text) == ("Signature", "某某县教育工会")
    assert (date.style.name, date.text) == ("Date", "2025年7月10日")
    assert style_ppr(document, "Signature")["jc"] == "right"
    assert style_ppr(document, "Date")["jc"] == "right"
    sig_right, date_right = signature_indents("某某县教育工会", "2025年7月10日")
    ind = sig._p.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:rightChars")) == str(round(sig_right * 100))
    assert date._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == str(round(date_right * 100))


def test_signature_indents_follow_gb9704() -> None:
    # Date (6.5 characters) longer than "县教育工会" (5): date two in from the right, the
    # signature starting two characters left of the date.
    assert signature_indents("县教育工会", "2025年7月10日") == (5.5, 2.0)
    # A long signature sits two in from the right; the date starts two to its right.
    sig, date = signature_indents("某某省某某市某某县教育工会委员会", "2025年7月10日")
    assert sig == 2.0
    assert date == 16 - 6.5
    assert signature_indents("", "2025年7月10日") == (0.0, 2.0)


def test_dates_are_written_in_full_without_leading_zeros() -> None:
    assert format_date(datetime.date(2025, 7, 10)) == "2025年7月10日"
    assert format_date(datetime.date(2025, 1, 5)) == "2025年1月5日"
    assert format_date("二〇二五年七月") == "二〇二五年七月"


def test_no_signature_no_closing(tmp_path: Path) -> None:
    document = open_doc(write_docx(Doc("标题", blocks=[Paragraph("正文")]), tmp_path / "a.docx"))
    assert [p.text for p in document.paragraphs] == ["标题", "", "正文"]


# -- user text is text ---------------------------------------------------------------------


def test_user_text_is_never_interpreted(tmp_path: Path) -> None:
    doc = Doc(
        title=HOSTILE,
        blocks=[
            Heading(1, HOSTILE),
            Paragraph(HOSTILE),
            Paragraph([Run(HOSTILE, bold=True)]),
            Table(headers=[HOSTILE], rows=[[HOSTILE], ["=1+1"]]),
            NumberedList([HOSTILE]),
        ],
        signature=HOSTILE,
        date="2025年7月\x0c10日",
    )
    path = write_docx(doc, tmp_path / "hostile.docx")
    cleaned = HOSTILE.replace("\x07", "")
    document = open_doc(path)  # re-opens: no XML-illegal character got in
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == cleaned
    assert "一、" + cleaned in texts
    assert texts.count(cleaned) >= 3  # title, paragraph, bold paragraph, signature
    assert "1." + cleaned in texts
    assert texts[-1] == "2025年7月10日"
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert cells == [cleaned, cleaned, "=1+1"]
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml").decode("utf-8")
    # No field anywhere in the body, and the markup is escaped text, not elements.
    assert "fldChar" not in body and "fldSimple" not in body and "instrText" not in body
    assert "&lt;b&gt;" in body and "&amp;" in body and "<b>" not in body


def test_clean_text_drops_what_xml_cannot_hold() -> None:
    assert clean_text("a\x00b\x07c\x1fd\ufffee\x85f") == "abcdef"
    assert clean_text("tab\tline\r\nnext\rlast") == "tab\tline\nnext\nlast"
    assert clean_text("𠮷野家") == "𠮷野家"  # characters beyond the BMP are kept


def test_newlines_become_line_breaks_and_long_text_stays_one_paragraph(tmp_path: Path) -> None:
    long_text = "很长的段落" * 400 + "A" * 300
    doc = Doc("第一行\n第二行", blocks=[Paragraph(long_text)])
    document = open_doc(write_docx(doc, tmp_path / "a.docx"))
    title = document.paragraphs[0]
    assert title._p.findall(f".//{qn('w:br')}") and title.text == "第一行\n第二行"
    assert document.paragraphs[2].text == long_text


# -- tables and page breaks ----------------------------------------------------------------


def test_tables_have_borders_repeated_header_and_smaller_fangsong(written: Path) -> None:
    document = open_doc(written)
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["学区", "应报单位", "慰问金（元）"]
    assert [c.text for c in table.rows[2].cells] == ["高泽学区", "9", "6200.5"]
    assert [c.text for c in table.rows[3].cells] == ["合计", "21", ""]
    tbl_pr = table._tbl.tblPr
    borders = tbl_pr.find(qn("w:tblBorders"))
    edges = {child.tag.split("}")[1]: child.get(qn("w:val")) for child in borders}
    assert edges == dict.fromkeys(
        ("top", "left", "bottom", "right", "insideH", "insideV"), "single"
    )
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[0].cells[0].paragraphs[0].style.name == "表格表头"
    body_cell = table.rows[1].cells[0].paragraphs[0]
    assert body_cell.style.name == "表格文字"
    rpr = style_rpr(document, "表格文字")
    assert (rpr["eastAsia"], rpr["sz"]) == ("仿宋_GB2312", "24")
    # Numbers centred, text left.
    assert (
        table.rows[1].cells[1].paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    )
    assert body_cell.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.LEFT
    widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(widths) <= Mm(156).twips + 3
    caption = next(p for p in document.paragraphs if p.text == "表1　送温暖情况")
    assert caption.style.name == "表格标题"


def test_column_widths_keep_short_columns_whole_and_fill_the_line() -> None:
    table = Table(["学区", "人数"], [["汪湖学区（含中心校及下属各村小教学点）" * 3, 5]])
    wide, narrow = column_widths_mm(table, 156)
    assert wide + narrow == pytest.approx(156)
    assert narrow >= 12
    short = Table(["甲", "乙", "丙"], [["1", "2", "3"]])
    assert sum(column_widths_mm(short, 156)) == pytest.approx(156)
    given = Table(["甲", "乙"], [], widths_mm=[100, 100])
    assert column_widths_mm(given, 156) == pytest.approx([78, 78])


def test_page_break_starts_the_next_block_on_a_new_page(tmp_path: Path) -> None:
    doc = Doc(
        "标题",
        blocks=[
            Paragraph("第一页"),
            PageBreak(),
            PageBreak(),
            Heading(1, "第二页"),
            PageBreak(),
            Table(["甲"], [["1"]]),
            PageBreak(),
        ],
    )
    document = open_doc(write_docx(doc, tmp_path / "a.docx"))
    heading = next(p for p in document.paragraphs if p.text == "一、第二页")
    assert heading.paragraph_format.page_break_before is True
    body = document.element.body
    page_breaks = body.findall(f".//{qn('w:br')}[@{qn('w:type')}='page']")
    assert len(page_breaks) == 2  # before the table, and the trailing one


def test_bad_blocks_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="heading level must be 1-4"):
        Heading(5, "x")
    with pytest.raises(ValueError, match="table row 0 has 1 cells, the header has 2"):
        Table(["a", "b"], [["1"]])
    with pytest.raises(ValueError, match="table widths_mm has 1 entries for 2 columns"):
        Table(["a", "b"], [], widths_mm=[10])


# -- templates ----------------------------------------------------------------------------


def test_shipped_reference_template_matches_the_style_specs(tmp_path: Path) -> None:
    fresh = build_reference_template(tmp_path / "reference.docx")
    parts = ("word/styles.xml", "word/document.xml", "word/footer1.xml", "word/footer2.xml")
    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(REFERENCE_TEMPLATE) as b:
        for part in (*parts, "word/settings.xml", "word/fontTable.xml"):
            assert a.read(part) == b.read(part), (
                f"{part} differs: run python -m unionroll.plugins.docx_template"
            )
    document = open_doc(REFERENCE_TEMPLATE)
    assert document.paragraphs == []


def test_font_table_names_fallbacks(written: Path) -> None:
    with zipfile.ZipFile(written) as z:
        fonts = z.read("word/fontTable.xml").decode("utf-8")
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>', fonts)
    assert re.search(r'w:name="方正小标宋简体"><w:altName w:val="宋体"/>', fonts)


def county_template(tmp_path: Path) -> Path:
    """A county's template: ours with Heading 1 changed to 宋体 18 pt bold, and a style
    the writer does not use."""
    document = open_doc(REFERENCE_TEMPLATE)
    heading = document.styles["Heading 1"]
    fonts = heading.element.find(qn("w:rPr")).find(qn("w:rFonts"))
    fonts.set(qn("w:eastAsia"), "宋体")
    heading.font.size = Pt(18)
    heading.font.bold = True
    document.sections[0].top_margin = Mm(30)
    path = tmp_path / "县模板.docx"
    document.add_paragraph("模板里的示例文字，不应出现在报告里。")
    document.save(str(path))
    return path


def test_county_template_overrides_a_style_and_the_page_setup(tmp_path: Path) -> None:
    path = write_docx(sample_doc(), tmp_path / "a.docx", template=county_template(tmp_path))
    document = open_doc(path)
    rpr = style_rpr(document, "Heading 1")
    assert (rpr["eastAsia"], rpr["sz"], rpr["b"]) == ("宋体", "36", "1")
    assert style_rpr(document, "Heading 2")["eastAsia"] == "楷体_GB2312"
    assert abs(document.sections[0].top_margin.mm - 30) < 0.1
    assert "模板里的示例文字，不应出现在报告里。" not in [p.text for p in document.paragraphs]
    assert document.paragraphs[0].text == TITLE


def test_a_plain_word_template_gets_the_styles_and_page_numbers_it_lacks(tmp_path: Path) -> None:
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))  # Letter paper, Word-blue headings, no custom styles
    path = write_docx(sample_doc(), tmp_path / "a.docx", template=plain)
    document = open_doc(path)
    # Its own page setup and styles are kept ...
    assert abs(document.sections[0].page_width.inches - 8.5) < 0.01
    assert style_rpr(document, "Heading 1")["color"] == "365F91"
    # ... and what it lacks comes from ours.
    assert style_rpr(document, "表格文字")["eastAsia"] == "仿宋_GB2312"
    assert document.styles["表格文字"].base_style.name == "Normal"
    assert document.settings.odd_and_even_pages_header_footer is True
    assert [f.strip() for f in footer_fields(document.sections[0].footer)] == ["PAGE"]


def test_a_template_with_its_own_page_numbers_keeps_them(tmp_path: Path) -> None:
    document = docx.Document()
    footer = document.sections[0].footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    field = docx.oxml.OxmlElement("w:fldSimple", attrs={qn("w:instr"): " PAGE "})
    paragraph._p.append(field)
    path = tmp_path / "own.docx"
    document.save(str(path))
    result = open_doc(write_docx(sample_doc(), tmp_path / "a.docx", template=path))
    assert result.settings.odd_and_even_pages_header_footer is False
    assert result.sections[0].footer._element.find(f".//{qn('w:fldSimple')}") is not None
    assert footer_fields(result.sections[0].footer) == []


def test_headings_numbered_by_the_template_get_no_second_number(tmp_path: Path) -> None:
    document = open_doc(REFERENCE_TEMPLATE)
    ppr = document.styles["Heading 1"].element.find(qn("w:pPr"))
    num_pr = docx.oxml.OxmlElement("w:numPr")
    num_pr.append(docx.oxml.OxmlElement("w:ilvl", attrs={qn("w:val"): "0"}))
    num_pr.append(docx.oxml.OxmlElement("w:numId", attrs={qn("w:val"): "1"}))
    ppr.find(qn("w:keepNext")).addnext(num_pr)
    template = tmp_path / "numbered.docx"
    document.save(str(template))
    result = open_doc(write_docx(sample_doc(), tmp_path / "a.docx", template=template))
    headings = [p.text for p in result.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["大力开展送温暖帮扶活动", "（一）节日慰问", "（二）无偿献血"]


def test_a_dotx_template_is_accepted(tmp_path: Path) -> None:
    dotx = tmp_path / "模板.dotx"
    with zipfile.ZipFile(REFERENCE_TEMPLATE) as src, zipfile.ZipFile(dotx, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            dst.writestr(item, data)
    document = open_doc(write_docx(sample_doc(), tmp_path / "a.docx", template=dotx))
    assert document.paragraphs[0].text == TITLE


def test_missing_template_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "无此模板.docx"
    with pytest.raises(ConfigError) as err:
        write_docx(sample_doc(), tmp_path / "a.docx", template=missing)
    assert str(err.value) == f"Word 模板 {missing} 不存在。"


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04broken zip"])
def test_a_template_that_is_not_a_word_file_is_a_clear_error(
    tmp_path: Path, content: bytes
) -> None:
    bad = tmp_path / "模板.docx"
    bad.write_bytes(content)
    with pytest.raises(ConfigError) as err:
        write_docx(sample_doc(), tmp_path / "a.docx", template=bad)
    assert str(err.value) == (
        f"Word 模板 {bad} 不是有效的 Word 文档，无法读取。"
        "请在 Word 或 WPS 中打开它，另存为“Word 文档（*.docx）”后再试。"
    )


def test_an_unwritable_output_is_a_clear_error_and_leaves_no_debris(tmp_path: Path) -> None:
    target = tmp_path / "已存在的文件夹.docx"
    target.mkdir()
    with pytest.raises(UnionrollError) as err:
        write_docx(sample_doc(), target)
    assert str(err.value).startswith(f"无法保存 Word 文件 {target}：")
    assert str(err.value).endswith("如果该文件正在 Word 或 WPS 中打开，请先关闭再重试。")
    assert [p.name for p in tmp_path.iterdir()] == ["已存在的文件夹.docx"]


def test_style_specs_use_the_gb9704_sizes() -> None:
    specs = docx_styles.STYLE_SPECS
    assert specs["title"].size_pt == 22 and specs["footer"].size_pt == 14
    assert {specs[f"heading{n}"].size_pt for n in (1, 2, 3, 4)} == {16}


# -- LibreOffice: what a user sees --------------------------------------------------------


def long_doc() -> Doc:
    text = (
        "全县教育工会按照年初工作计划，深入开展各种形式的岗位练兵、技能竞赛、业务培训活动"
        "和创新活动，引导教职工积极推动教育事业的改革发展，大力提高教职工的业务素质。"
    )
    blocks: list[object] = []
    for n in range(1, 5):
        blocks.append(Heading(1, f"第{n}部分工作"))
        blocks.extend(Paragraph(text * 2) for _ in range(3))
    return sample_doc(blocks=[*blocks, *sample_doc().blocks])


@pytest.fixture(scope="module")
def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip(
            "LibreOffice is not installed (apt-get install libreoffice-writer-nogui), "
            "so the PDF rendering check cannot run"
        )
    return exe


def to_pdf(soffice: str, source: Path, workdir: Path) -> Path:
    profile = workdir / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = workdir / (source.stem + ".pdf")
    assert pdf.exists()
    return pdf


def pdf_text(pdf: Path, *pages: int) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed, so the PDF text cannot be read")
    args = ["pdftotext", "-raw"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run([*args, str(pdf), "-"], check=True, capture_output=True).stdout.decode()


def test_libreoffice_renders_pages_with_title_and_page_numbers(
    soffice: str, tmp_path: Path
) -> None:
    source = write_docx(long_doc(), tmp_path / "summary.docx")
    pdf = to_pdf(soffice, source, tmp_path)
    text = pdf_text(pdf)
    pages = text.count("\f")
    assert pages >= 3
    # LibreOffice sets a little space between Chinese and digits; pdftotext shows it.
    assert TITLE in text.replace(" ", "")
    for n in range(1, pages + 1):
        assert f"— {n} —" in text
    flat = text.replace(" ", "").replace("\n", "")
    assert HOSTILE.replace("\x07", "").replace(" ", "") in flat
    assert "2025年7月10日" in text.replace(" ", "")


def test_libreoffice_page_of_plain_text_has_22_lines(soffice: str, tmp_path: Path) -> None:
    paragraph = "全县教育工会深入开展岗位练兵和技能竞赛活动，引导教职工积极推动教育事业发展。" * 12
    doc = Doc("满页测试", blocks=[Paragraph(paragraph) for _ in range(6)])
    pdf = to_pdf(soffice, write_docx(doc, tmp_path / "full.docx"), tmp_path)
    lines = [line for line in pdf_text(pdf, 2).splitlines() if line.strip()]
    assert lines[-1].strip() == "— 2 —"
    assert len(lines) - 1 == 22
    # 28 characters per full line (26 after the two-character indent); paragraph ends
    # are shorter.
    lengths = [len(line) for line in lines[:-1]]
    assert max(lengths) == 28
    assert sum(n in (26, 28) for n in lengths) >= 18
