"""Fonts and measures of the GB/T 9704 page: font names and their fallbacks, page size,
margins, line pitch, type sizes, and the character spacing of 28 characters a line."""

from __future__ import annotations

import math

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
