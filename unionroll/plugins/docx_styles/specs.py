"""The paragraph styles as data: :class:`StyleSpec`, ``STYLE_SPECS`` (role -> spec, the
single source of truth for the look of a document) and ``STYLE_ALIASES``."""

from __future__ import annotations

from dataclasses import dataclass

from unionroll.plugins.docx_styles.measures import (
    BODY_PT,
    FANGSONG,
    HEITI,
    KAITI,
    LATIN,
    LINE_TWIPS,
    SONGTI,
    TABLE_LINE_TWIPS,
    TABLE_PT,
    XIAOBIAOSONG,
)


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
