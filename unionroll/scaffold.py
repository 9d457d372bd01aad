"""``unionroll plugin new``: write a ready plugin package from the templates in
``unionroll/data/scaffold``.

A package for ``unionroll-township-ranking`` (kind ``report``)::

    unionroll-township-ranking/
      pyproject.toml                       entry point in the ``unionroll`` group
      README.md
      unionroll_township_ranking/__init__.py   the report and its register_reports hook
      tests/conftest.py                    pytest_plugins = ["unionroll.testing"]
      tests/test_report.py                 renders the report on the sample county
      tests/test_installed.py              unionroll finds the installed entry point
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from unionroll import __version__
from unionroll.core.errors import UsageError

KINDS = ("report", "adapter", "validator", "command")
KIND_ZH = {"report": "报告", "adapter": "读取器", "validator": "校验规则", "command": "命令"}
HOOK = {
    "report": "register_reports",
    "adapter": "register_adapters",
    "validator": "register_validators",
    "command": "register_commands",
}
PREFIX = "unionroll-"
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class PluginNames:
    """``unionroll-township-ranking`` → module ``unionroll_township_ranking``, and
    ``township-ranking``: the name of what it registers (report, adapter, command...)."""

    distribution: str
    module: str
    short: str

    @property
    def class_prefix(self) -> str:
        return "".join(part.capitalize() for part in self.short.split("-"))


def plugin_names(name: str) -> PluginNames:
    """Check a plugin name and derive the others; ``township-ranking`` gets the prefix."""
    text = name.strip()
    if not text.startswith(PREFIX):
        text = PREFIX + text
    short = text[len(PREFIX) :]
    if not short or not _NAME.match(text):
        raise UsageError(
            f"插件名称“{name}”不可用：只能用小写英文字母、数字和连字符（-），以字母开头，"
            "如 unionroll-township-ranking。"
        )
    return PluginNames(text, text.replace("-", "_"), short)


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("unionroll", "data/scaffold"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _files(names: PluginNames, kind: str) -> dict[str, str]:
    """Output path (relative to the package folder) → template name."""
    return {
        "pyproject.toml": "pyproject.toml.j2",
        "README.md": "README.md.j2",
        f"{names.module}/__init__.py": f"{kind}.py.j2",
        "tests/conftest.py": "conftest.py.j2",
        f"tests/test_{kind}.py": f"test_{kind}.py.j2",
        "tests/test_installed.py": "test_installed.py.j2",
    }


def new_plugin(name: str, kind: str = "report", parent: str | Path = ".") -> Path:
    """Write the package ``parent/unionroll-NAME`` and return its folder.

    The folder must not exist (or be empty); the files are written into a temporary
    folder first, so a failure leaves nothing half-written.
    """
    if kind not in KINDS:
        raise UsageError(f"插件类型“{kind}”不可用，可选：{'、'.join(KINDS)}。")
    names = plugin_names(name)
    target = Path(parent) / names.distribution
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} 已存在且不是空文件夹，未写入任何文件。请换一个名称或位置。")
    env = _environment()
    major, minor = __version__.split(".")[:2]
    context = {
        "dist": names.distribution,
        "module": names.module,
        "short": names.short,
        "cls": names.class_prefix + kind.capitalize(),
        "kind": kind,
        "kind_zh": KIND_ZH[kind],
        "hook": HOOK[kind],
        "unionroll_requirement": f"unionroll>={major}.{minor}",
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unionroll-new-", dir=target.parent))
    try:
        for rel, template in _files(names, kind).items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(env.get_template(template).render(**context), encoding="utf-8")
        if target.exists():
            target.rmdir()  # empty, checked above
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def written_files(package: Path) -> list[str]:
    """The files of a package, relative and sorted, for telling the user what was made."""
    return sorted(str(p.relative_to(package)) for p in package.rglob("*") if p.is_file())
