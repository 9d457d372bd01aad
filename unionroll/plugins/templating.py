"""The Jinja2 environment every report and receipt is rendered with.

Templates come from ``unionroll/report_templates``; a county's own folder (``--templates``
or ``[reports] templates`` in the config) is searched first, so any template found there
replaces the built-in one of the same name and missing ones fall back.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pluggy
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from unionroll.core.errors import ConfigError
from unionroll.core.hookcalls import prepare_environment
from unionroll.core.zh import cn_number


def make_environment(
    pm: pluggy.PluginManager | None = None,
    *,
    override_dir: str | Path | None = None,
    autoescape: bool = False,
) -> Environment:
    loaders: list[Any] = []
    if override_dir:
        folder = Path(override_dir)
        if not folder.is_dir():
            raise ConfigError(f"模板文件夹 {folder} 不存在。")
        loaders.append(FileSystemLoader(str(folder)))
    loaders.append(PackageLoader("unionroll", "report_templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cn_number"] = cn_number
    env.filters["md_cell"] = md_cell
    env.filters["md"] = md_text
    env.filters["t"] = escape_text
    env.filters["clause"] = clause
    prepare_environment(pm, env)  # a plugin that raises is named in the error
    return env


# The marks that make Markdown (or the HTML it may hold) out of text anywhere in a line,
# and those that do at its start; CommonMark lets a backslash make any of them literal.
# An underscore is left alone: ids such as values.staff_total stay readable as plain
# text, and at most it could make a word italic.
_MD_MARKUP = re.compile(r"([\\`*\[\]<>|!&])")
_MD_AT_START = re.compile(r"^(\s*)([#+\-=]|\d+[.)])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def md_text(value: object) -> str:
    """The ``md`` filter: text from a return made literal in Markdown, on one line: no
    link, image, HTML tag, emphasis or heading a school typed survives as markup."""
    text = _CONTROL.sub("", "" if value is None else str(value))
    text = text.replace("\r", " ").replace("\n", " ")
    return _MD_AT_START.sub(r"\1\\\2", _MD_MARKUP.sub(r"\\\1", text))


def md_cell(value: object) -> str:
    """Text made safe for one Markdown table cell: no pipes or line breaks that split it,
    and no markup (see :func:`md_text`)."""
    return md_text(value)


_SPECIAL = set("\\*|")
_LEADING = set("#-@|+>0123456789")
_WS = re.compile(r"\s+")


def escape_text(value: object) -> str:
    """The ``t`` filter: text from a return made literal inside the document markup
    (see unionroll.plugins.document), and kept on one line."""
    text = _WS.sub(" ", _CONTROL.sub("", "" if value is None else str(value))).strip()
    out = "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)
    if out and out[0] in _LEADING:
        out = "\\" + out
    return out


def clause(value: object) -> str:
    """A sentence without its closing punctuation, so a template can add to it:
    “……有待加大。” → “……有待加大”, then “（3个单位反映）。”."""
    return str(value or "").strip().rstrip("。；;.，,")
