"""Text to JSON, guarded (repeated keys, non-finite numbers, depth), and a head's top-level keys."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from unionroll.core.errors import SourceError
from unionroll.core.model import Location

MAX_DEPTH_MESSAGE = "JSON 嵌套层数过深，不是报表文件"

# json's English messages, in the order they are tried (prefix match).
_JSON_MESSAGES = (
    ("Expecting property name enclosed in double quotes", "键名应当用英文双引号括起来"),
    ("Expecting ',' delimiter", "缺少英文逗号“,”"),
    ("Expecting ':' delimiter", "缺少英文冒号“:”"),
    ("Expecting value", "此处应当是一个值（数字、带引号的文本、true/false、null、[ ] 或 { }）"),
    ("Unterminated string", "文本缺少结束的双引号"),
    ("Invalid control character", "文本中有未转义的控制字符（如直接换行），请写成 \\n"),
    ("Invalid \\escape", "文本中有无效的反斜杠转义"),
    ("Invalid \\uXXXX escape", "文本中有无效的 \\u 转义"),
    ("Extra data", "JSON 对象结束后还有多余内容"),
)

# A string token or a bracket; used to find the top-level keys in a file's head.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]', re.DOTALL)
_COLON = re.compile(r"\s*:")


class _Obj(dict):
    """A JSON object that remembers the keys given more than once."""

    duplicates: list[tuple[str, Any, Any]]


class _BadNumber(ValueError):
    pass


def _object_pairs(pairs: list[tuple[str, Any]]) -> _Obj:
    obj = _Obj()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj:
            obj.duplicates.append((key, obj[key], value))  # keep the first, like csv-long
        else:
            obj[key] = value
    return obj


def _reject_constant(name: str) -> Any:
    raise _BadNumber(name)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 would silently become infinity
        raise _BadNumber(text)
    return value


def top_level_keys(text: str) -> set[str]:
    """The keys of the outermost JSON object found in ``text``, which may be cut short."""
    keys: set[str] = set()
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("{", "["):
            depth += 1
        elif token in ("}", "]"):
            depth -= 1
            if depth <= 0:
                break
        elif depth == 1 and _COLON.match(text, match.end()):
            try:
                keys.add(json.loads(token))
            except ValueError:
                continue
    return keys


def _json_message(msg: str) -> str:
    for english, chinese in _JSON_MESSAGES:
        if msg.startswith(english):
            return chinese
    return msg


def _parse(text: str, display: str) -> Any:
    try:
        return json.loads(
            text,
            object_pairs_hook=_object_pairs,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
        )
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{_json_message(exc.msg)}",
            location=Location(file=display, line=exc.lineno),
            code="bad_json",
        ) from None
    except _BadNumber as exc:
        raise SourceError(
            f"不是有效的 JSON：数值 {exc} 不是有限的数字"
            "（JSON 不允许 NaN、Infinity 或超出范围的数）",
            location=Location(file=display),
            code="bad_json",
        ) from None
    except RecursionError:
        raise SourceError(
            MAX_DEPTH_MESSAGE, location=Location(file=display), code="bad_json"
        ) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python will convert
        raise SourceError(
            f"不是有效的 JSON：{exc}", location=Location(file=display), code="bad_json"
        ) from None
