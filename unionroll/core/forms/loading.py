"""Loading a form definition from a YAML or JSON file or from plain data, and where the
built-in standard form lives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from unionroll.core.errors import DefinitionProblem, FormDefinitionError
from unionroll.core.forms.checker import _Checker
from unionroll.core.forms.definition import FormDefinition

# libyaml's parser, where PyYAML was built with it: the same data, ten times as fast.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_form_file(path: str | Path, *, known_levels: list[str] | None = None) -> FormDefinition:
    """Read and check a form definition file (YAML or JSON)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormDefinitionError(str(path), [DefinitionProblem("文件", "找不到该文件")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FormDefinitionError(
            str(path), [DefinitionProblem("文件", f"无法读取（{exc}）")]
        ) from None
    try:
        try:
            data = yaml.load(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            data = yaml.safe_load(text)  # again, for the pure parser's wording of the error
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else "文件"
        raise FormDefinitionError(
            str(path), [DefinitionProblem(where, f"YAML 格式错误：{exc}")]
        ) from None
    return parse_form(data, source=str(path), known_levels=known_levels)


def parse_form(
    data: Any, *, source: str = "<memory>", known_levels: list[str] | None = None
) -> FormDefinition:
    """Build a FormDefinition from plain data, collecting every problem before failing."""
    checker = _Checker(source)
    form = checker.form(data, known_levels)
    if checker.problems:
        raise FormDefinitionError(source, checker.problems)
    assert form is not None
    return form


BUILTIN_FORMS_DIR = Path(__file__).resolve().parent.parent.parent / "forms"
STANDARD_FORM_FILE = BUILTIN_FORMS_DIR / "edu-union-quarterly.yaml"
