"""The package layout stays readable: small modules, each saying what it holds, and every
package and core module named in docs/architecture.md, where a newcomer looks first."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import unionroll

PACKAGE = Path(unionroll.__file__).parent
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"
MAX_LINES = 420  # "about 400": a module over this is several modules in one

MODULES = sorted(PACKAGE.rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def test_the_modules_are_found() -> None:
    assert len(MODULES) > 100


def test_no_module_is_several_in_one() -> None:
    long = {_rel(p): n for p in MODULES if (n := len(p.read_bytes().splitlines())) > MAX_LINES}
    assert long == {}, f"split these along their seams (at most {MAX_LINES} lines): {long}"


def test_every_module_says_what_it_holds() -> None:
    missing = [
        _rel(p)
        for p in MODULES
        if p.name != "__init__.py" and ast.get_docstring(ast.parse(p.read_text("utf-8"))) is None
    ]
    assert missing == []


@pytest.mark.skipif(not ARCHITECTURE.exists(), reason="docs/ is not beside the installed package")
def test_architecture_names_every_package_and_core_module() -> None:
    text = ARCHITECTURE.read_text("utf-8")
    packages = sorted(p for p in PACKAGE.rglob("*") if p.is_dir() and (p / "__init__.py").exists())
    unnamed = [_rel(p) for p in packages if p != PACKAGE and f"{p.name}/" not in text]
    core = sorted((PACKAGE / "core").glob("*.py"))
    unnamed += [_rel(p) for p in core if p.name != "__init__.py" and f"`{p.name}`" not in text]
    assert unnamed == [], "describe these in docs/architecture.md"
