"""One document, three formats: the wording templates' markup read into blocks, and the
blocks written as Word, Markdown or HTML.

A report's wording lives in a Jinja2 template (``*.txt.j2`` in report_templates) that
writes a light markup, one block per paragraph (blocks are separated by blank lines)::

    @title 青山县教育工会2025年上半年工作总结
    @signature 青山县教育工会
    @date 2025年7月10日
    @numbering off            headings without 一、（一） (a one-page receipt, say)
    ## 送温暖帮扶              a level-1 heading (numbered 一、 by the writers)
    ### 走访慰问              a level-2 heading (（一）); #### level 3 (1.)
    a paragraph, with **bold** spans
    - a bullet item           consecutive items form one list
    1. a numbered item        numbered 1. 2. 3. by the writers
    | 列 | 列 |               table rows; the first is the header
    @pagebreak

Text from returns must pass through the ``t`` filter, which escapes every character the
markup gives a meaning to, so nothing a school typed can become a heading or a table.
A backslash makes the next character literal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from jinja2 import Environment

from unionroll.plugins.docx_writer import (
    BulletList,
    Doc,
    Heading,
    NumberedList,
    PageBreak,
    Paragraph,
    Run,
    Table,
    heading_number,
)

_NUMBERED = re.compile(r"^\d+\.\s+")


def _inline(text: str) -> list[str | Run]:
    """Split a markup line into plain and bold runs, resolving escapes."""
    parts: list[str | Run] = []
    buf: list[str] = []
    bold = False
    i = 0

    def flush() -> None:
        if buf:
            chunk = "".join(buf)
            parts.append(Run(chunk, bold=True) if bold else chunk)
            buf.clear()

    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i + 1])
            i += 2
            continue
        if text.startswith("**", i):
            flush()
            bold = not bold
            i += 2
            continue
        buf.append(ch)
        i += 1
    flush()
    return parts


def _plain(parts: Sequence[str | Run]) -> str:
    return "".join(p.text if isinstance(p, Run) else p for p in parts)


def _content(parts: list[str | Run]) -> str | list[str | Run]:
    if all(isinstance(p, str) for p in parts):
        return "".join(p for p in parts if isinstance(p, str))
    return parts


def _cells(line: str) -> list[str]:
    """Split a table row on unescaped pipes."""
    cells: list[str] = []
    buf: list[str] = []
    i = 0
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            buf.append(body[i : i + 2])
            i += 2
            continue
        if ch == "|":
            cells.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
        i += 1
    cells.append("".join(buf).strip())
    return [_plain(_inline(c)) for c in cells]


def parse_markup(text: str) -> Doc:
    """Read the markup a wording template wrote into a :class:`Doc`."""
    meta: dict[str, str] = {}
    blocks: list[object] = []
    pending_list: list[tuple[str, list[str | Run]]] = []  # (kind, content)
    pending_table: list[list[str]] = []

    def flush_list() -> None:
        if not pending_list:
            return
        items = [_content(c) for _, c in pending_list]
        if pending_list[0][0] == "-":
            blocks.append(BulletList(items))
        else:
            blocks.append(NumberedList(items))
        pending_list.clear()

    def flush_table() -> None:
        if not pending_table:
            return
        width = max(len(r) for r in pending_table)
        rows = [r + [""] * (width - len(r)) for r in pending_table]
        blocks.append(Table(headers=rows[0], rows=rows[1:]))
        pending_table.clear()

    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [ln.strip() for ln in chunk.strip().split("\n") if ln.strip()]
        if not lines:
            continue
        paragraph: list[str] = []
        for line in lines:
            kind = None
            if line.startswith("@") and not line.startswith("\\"):
                key, _, value = line[1:].partition(" ")
                if key == "pagebreak":
                    kind = "break"
                else:
                    meta[key] = _plain(_inline(value.strip()))
                    continue
            elif line.startswith("#"):
                kind = "heading"
            elif line.startswith("- "):
                kind = "-"
            elif _NUMBERED.match(line):
                kind = "1"
            elif line.startswith("|"):
                kind = "table"
            if kind is None:
                paragraph.append(line)
                continue
            if paragraph:
                flush_list()
                flush_table()
                blocks.append(Paragraph(_content(_inline("".join(paragraph)))))
                paragraph = []
            if kind != "table":
                flush_table()
            if kind not in ("-", "1"):
                flush_list()
            if kind == "break":
                blocks.append(PageBreak())
            elif kind == "heading":
                hashes = len(line) - len(line.lstrip("#"))
                level = min(max(hashes - 1, 1), 4)
                blocks.append(Heading(level, _plain(_inline(line[hashes:].strip()))))
            elif kind == "-":
                if pending_list and pending_list[0][0] != "-":
                    flush_list()
                pending_list.append(("-", _inline(line[2:].strip())))
            elif kind == "1":
                if pending_list and pending_list[0][0] != "1":
                    flush_list()
                pending_list.append(("1", _inline(_NUMBERED.sub("", line, count=1))))
            elif kind == "table":
                pending_table.append(_cells(line))
        if paragraph:
            flush_list()
            flush_table()
            blocks.append(Paragraph(_content(_inline("".join(paragraph)))))
        # A list or table runs on across blank lines only while its items keep coming.
    flush_list()
    flush_table()
    return Doc(
        title=meta.get("title", ""),
        subtitle=meta.get("subtitle") or None,
        blocks=tuple(blocks),
        signature=meta.get("signature") or None,
        date=meta.get("date") or None,
        number_headings=meta.get("numbering", "on") != "off",
    )


# --- numbering shared by the Markdown and HTML writers ---------------------------------


def numbered_headings(doc: Doc) -> list[tuple[object, str]]:
    """Each block with the text a reader sees, headings carrying their 一、（一） numbers."""
    counters = [0, 0, 0, 0]
    out: list[tuple[object, str]] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            counters[block.level - 1] += 1
            for deeper in range(block.level, 4):
                counters[deeper] = 0
            prefix = heading_number(block.level, counters[block.level - 1])
            numbered = block.numbered and doc.number_headings
            out.append((block, f"{prefix}{block.text}" if numbered else block.text))
        else:
            out.append((block, ""))
    return out


# --- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_MD_LEADING = re.compile(r"^([#+\-]|\d+\.)")


def md_escape(text: str) -> str:
    out = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LEADING.sub(r"\\\1", out)


def _md_inline(content: object) -> str:
    if isinstance(content, str):
        return md_escape(content)
    if isinstance(content, Run):
        return f"**{md_escape(content.text)}**" if content.bold else md_escape(content.text)
    return "".join(_md_inline(c) for c in content)  # type: ignore[union-attr]


def to_markdown(doc: Doc) -> str:
    lines: list[str] = []
    if doc.title:
        lines += [f"# {md_escape(doc.title)}", ""]
    if doc.subtitle:
        lines += [md_escape(doc.subtitle), ""]
    for block, shown in numbered_headings(doc):
        if isinstance(block, Heading):
            lines += [f"{'#' * (block.level + 1)} {md_escape(shown)}", ""]
        elif isinstance(block, Paragraph):
            lines += [_md_inline(block.content), ""]
        elif isinstance(block, BulletList):
            lines += [f"- {_md_inline(item)}" for item in block.items] + [""]
        elif isinstance(block, NumberedList):
            lines += [f"{n}. {_md_inline(item)}" for n, item in enumerate(block.items, 1)] + [""]
        elif isinstance(block, Table):
            lines.append("| " + " | ".join(md_escape(str(h)) for h in block.headers) + " |")
            lines.append("|" + "---|" * len(block.headers))
            for row in block.rows:
                lines.append("| " + " | ".join(md_escape(str(c)) for c in row) + " |")
            lines.append("")
        elif isinstance(block, PageBreak):
            lines += ["---", ""]
    if doc.signature or doc.date:
        lines += [f"{md_escape(doc.signature or '')}  ", md_escape(str(doc.date or "")), ""]
    return "\n".join(lines).rstrip() + "\n"


# --- HTML ----------------------------------------------------------------------------------


def to_html(doc: Doc, env: Environment, template: str = "document.html.j2") -> str:
    """HTML through an autoescaping template: no text from a return can become markup."""
    items = []
    for block, shown in numbered_headings(doc):
        if isinstance(block, Heading):
            items.append({"kind": "heading", "level": block.level + 1, "text": shown})
        elif isinstance(block, Paragraph):
            items.append({"kind": "paragraph", "runs": _runs(block.content)})
        elif isinstance(block, BulletList | NumberedList):
            items.append(
                {
                    "kind": "ul" if isinstance(block, BulletList) else "ol",
                    "items": [_runs(item) for item in block.items],
                }
            )
        elif isinstance(block, Table):
            items.append(
                {
                    "kind": "table",
                    "headers": [str(h) for h in block.headers],
                    "rows": [[str(c) for c in row] for row in block.rows],
                }
            )
    html_env = env.overlay(autoescape=True)
    return html_env.get_template(template).render(doc=doc, blocks=items)


def _runs(content: object) -> list[dict[str, object]]:
    if isinstance(content, str):
        return [{"text": content, "bold": False}]
    if isinstance(content, Run):
        return [{"text": content.text, "bold": content.bold}]
    out: list[dict[str, object]] = []
    for c in content:  # type: ignore[union-attr]
        out.extend(_runs(c))
    return out
