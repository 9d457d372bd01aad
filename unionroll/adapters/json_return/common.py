"""The shape of a JSON return (name, top-level keys, scalars) and how it is shown in messages."""

from __future__ import annotations

import json
from typing import Any

NAME = "json-return"
META_KEYS = ("form", "form_version", "unit", "period", "consolidated", "template_id")
SNIFF_KEYS = frozenset({"values", "unit"})
_SCALARS = (str, int, float, bool, type(None))


def _key_path(prefix: str, key: str) -> str:
    """``values.staff_total``, or ``values["a b"]`` for a key that is not a plain name."""
    part = key if key.isidentifier() else "[" + json.dumps(key, ensure_ascii=False) + "]"
    if not prefix:
        return part
    return f"{prefix}{part}" if part.startswith("[") else f"{prefix}.{part}"


def _show(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _type_zh(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "数字"
    if isinstance(value, str):
        return "文本"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "对象"
    return "null"
