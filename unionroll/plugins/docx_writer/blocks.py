"""The blocks a document is made of: :class:`Doc` and its headings, paragraphs, lists,
tables and page breaks."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Align = Literal["left", "center", "right", "justify"]


@dataclass(frozen=True)
class Run:
    """A piece of paragraph text, optionally bold."""

    text: str
    bold: bool = False


Inline = str | Run
Content = str | Run | Sequence[Inline]


@dataclass(frozen=True)
class Heading:
    """A real Word heading (Heading 1-4, with outline levels).

    With ``Doc.number_headings`` on, pass the bare text: the writer prefixes 一、 (level 1),
    （一） (2), 1. (3) or （1） (4), restarting the lower levels under each parent.
    ``numbered=False`` leaves this heading unnumbered (it still restarts lower levels).
    """

    level: int
    text: str
    numbered: bool = True

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3, 4):
            raise ValueError(f"heading level must be 1-4, got {self.level!r}")


@dataclass(frozen=True)
class Paragraph:
    """Body text: a string, or a sequence of strings and :class:`Run` for bold spans."""

    content: Content
    indent: bool = True  # first-line indent of two characters
    align: Align = "justify"


@dataclass(frozen=True)
class BulletList:
    """Items written as body paragraphs, each starting with ``bullet``."""

    items: Sequence[Content]
    bullet: str = "●"


@dataclass(frozen=True)
class NumberedList:
    """Items written as body paragraphs numbered 1., 2., ...

    ``format`` takes ``{n}`` (1, 2, 3) and ``{cn}`` (一, 二, 三): "（{n}）", "{cn}是".
    The numbers are text, not Word list numbering, so they survive WPS and copying.
    """

    items: Sequence[Content]
    format: str = "{n}."


@dataclass(frozen=True)
class Table:
    """A bordered table with a repeated header row.

    ``widths_mm``: one width per column (scaled down to fit the 156 mm type area); by
    default widths follow the length of each column's text. ``align``: one per column;
    by default numbers are centred and text is left-aligned.
    """

    headers: Sequence[str]
    rows: Sequence[Sequence[object]]
    widths_mm: Sequence[float] | None = None
    caption: str | None = None
    align: Sequence[Align] | None = None

    def __post_init__(self) -> None:
        n = len(self.headers)
        if n == 0:
            raise ValueError("a table needs at least one column")
        for i, row in enumerate(self.rows):
            if len(row) != n:
                raise ValueError(f"table row {i} has {len(row)} cells, the header has {n}")
        for name, value in (("widths_mm", self.widths_mm), ("align", self.align)):
            if value is not None and len(value) != n:
                raise ValueError(f"table {name} has {len(value)} entries for {n} columns")
        if self.widths_mm is not None and any(w <= 0 for w in self.widths_mm):
            raise ValueError("table column widths must be positive")


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page. Consecutive breaks count as one."""


Block = Heading | Paragraph | BulletList | NumberedList | Table | PageBreak


@dataclass(frozen=True)
class Doc:
    """A whole document: centred title, optional subtitle, blocks, then the signature
    (发文单位) and date right-aligned at the end as GB/T 9704 places them."""

    title: str
    subtitle: str | None = None
    blocks: Sequence[Block] = ()
    signature: str | None = None
    date: datetime.date | str | None = None
    number_headings: bool = True
