"""The header line: which column holds the unit, the period, the indicator and the value,
in English or Chinese, and which delimiter the file uses."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

DELIMITERS = (",", "\t", ";")
DELIMITER_NAMES = {",": "逗号", "\t": "制表符", ";": "分号"}

REQUIRED = ("unit", "period", "indicator", "value")
ROLE_NAMES = {
    "unit": "单位代码（unit）",
    "period": "期间（period）",
    "indicator": "指标（indicator）",
    "value": "数值（value）",
    "form_version": "报表版本（form_version）",
}
_ALIASES = {
    "unit": ("unit", "unit_code", "单位代码", "单位"),
    "period": ("period", "期间", "报送期间"),
    "indicator": ("indicator", "指标", "指标代码"),
    "value": ("value", "数值", "填报值"),
    "form_version": ("form_version", "报表版本"),
}


_NOISE = re.compile(r"[\s_\-\ufeff]+")


def _norm(name: str) -> str:
    return _NOISE.sub("", name).casefold()


HEADER_ROLES = {_norm(alias): role for role, aliases in _ALIASES.items() for alias in aliases}


def _norm_label(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")


@dataclass
class Header:
    """Which column holds what: role → column index, plus the columns nobody reads."""

    names: list[str]
    roles: dict[str, int] = field(default_factory=dict)
    unknown: list[int] = field(default_factory=list)
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [role for role in REQUIRED if role not in self.roles]

    @classmethod
    def parse(cls, names: list[str]) -> Header:
        header = cls(names=names)
        for index, name in enumerate(names):
            role = HEADER_ROLES.get(_norm(name))
            if role is None:
                header.unknown.append(index)
            elif role in header.roles:
                header.duplicates.append((role, header.roles[role], index))
            else:
                header.roles[role] = index
        return header


def _split_line(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # e.g. a NUL byte: not a header this adapter can use
        return []


def choose_delimiter(first_line: str) -> tuple[str, Header]:
    """The delimiter under which the header names the most required columns."""
    best: tuple[str, Header] | None = None
    for delimiter in DELIMITERS:
        header = Header.parse(_split_line(first_line, delimiter))
        if not header.missing:
            return delimiter, header
        if best is None or len(header.missing) < len(best[1].missing):
            best = (delimiter, header)
    assert best is not None
    return best
