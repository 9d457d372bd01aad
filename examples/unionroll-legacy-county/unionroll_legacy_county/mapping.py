"""The column mapping: which header of the legacy sheet is which indicator.

The defaults are in ``mapping.toml`` next to this module. A county adds its own headers
and unit names in its workspace config, under ``[adapters.legacy-summary]``; unionroll
passes that section to the adapter as ``ReadContext.settings``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from importlib import resources
from typing import Any

from unionroll.core.errors import ConfigError

_SPACE = re.compile(r"\s+")


def normalize(text: object) -> str:
    """A header or name as compared: full-width folded to half-width, no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text)))


@dataclass(frozen=True)
class Column:
    indicator: str
    scale: float = 1.0


@dataclass(frozen=True)
class ColumnMapping:
    columns: dict[str, Column]  # normalized header -> indicator
    unit_code_headers: frozenset[str]
    unit_name_headers: frozenset[str]
    ignore_headers: frozenset[str]
    total_rows: frozenset[str]
    min_columns: int
    units: dict[str, str]  # normalized unit name -> unit code


def _default() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("mapping.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _column(header: str, value: Any, where: str) -> Column:
    if isinstance(value, str) and value.strip():
        return Column(value.strip())
    if isinstance(value, MappingABC) and isinstance(value.get("indicator"), str):
        scale = value.get("scale", 1)
        if isinstance(scale, bool) or not isinstance(scale, int | float) or scale <= 0:
            raise ConfigError(f"{where} 中“{header}”的 scale 应为正数，实际是 {scale!r}")
        return Column(value["indicator"].strip(), float(scale))
    raise ConfigError(
        f'{where} 中“{header}”应写成指标代码（如 "needy_staff_visited"），'
        f'或 {{ indicator = "指标代码", scale = 倍数 }}，实际是 {value!r}'
    )


def _table(settings: MappingABC[str, Any], key: str, where: str) -> MappingABC[str, Any]:
    value = settings.get(key, {})
    if not isinstance(value, MappingABC):
        raise ConfigError(f"{where}.{key} 应为一个表（表头 = 值），实际是 {value!r}")
    return value


def load_mapping(settings: MappingABC[str, Any] | None = None) -> ColumnMapping:
    """The default mapping with the workspace's additions (``settings``) on top."""
    data = _default()
    settings = settings or {}
    where = "unionroll.toml 的 [adapters.legacy-summary]"
    sheet = data["sheet"]
    columns = {
        normalize(h): _column(h, v, "mapping.toml [columns]") for h, v in data["columns"].items()
    }
    for header, value in _table(settings, "columns", where).items():
        columns[normalize(header)] = _column(header, value, f"{where}.columns")
    units = {}
    for name, code in _table(settings, "units", where).items():
        if not isinstance(code, str | int) or isinstance(code, bool):
            raise ConfigError(f"{where}.units 中“{name}”应写成单位代码，实际是 {code!r}")
        units[normalize(name)] = str(code).strip()
    return ColumnMapping(
        columns=columns,
        unit_code_headers=frozenset(map(normalize, sheet["unit_code_headers"])),
        unit_name_headers=frozenset(map(normalize, sheet["unit_name_headers"])),
        ignore_headers=frozenset(map(normalize, sheet["ignore_headers"])),
        total_rows=frozenset(map(normalize, sheet["total_rows"])),
        min_columns=int(sheet["min_columns"]),
        units=units,
    )
