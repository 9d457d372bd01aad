"""Names a package exports but imports only when first asked for (PEP 562).

A package whose heavy half (python-docx, xlsxwriter) most commands never use lists those
names and the submodule each lives in; ``from package import name`` then imports that
submodule at that moment, and the name is kept on the package from then on.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``names`` maps each name to the module
    that defines it, a submodule of ``package`` by its own name or any module by its full
    dotted name."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        full = module if "." in module else f"{package}.{module}"
        value = getattr(importlib.import_module(full), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
