"""Shared pieces of the command line: the context object, error handling, output helpers."""

from __future__ import annotations

import functools
import json
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from unionroll.core.errors import UnionrollError
from unionroll.core.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])


class AppContext:
    """What every command can reach through ``click.get_current_context().obj``."""

    def __init__(self, workspace_dir: str | None, db_url: str | None) -> None:
        self.workspace_dir = workspace_dir
        self.db_url = db_url
        self._workspace: Workspace | None = None

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = Workspace.open(self.workspace_dir, db_url=self.db_url)
        return self._workspace

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()


pass_app = click.make_pass_decorator(AppContext)


class UserFacingError(click.ClickException):
    """A domain error shown as a plain message (no traceback), with its exit code."""

    def __init__(self, error: UnionrollError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True)


def handle_errors(func: F) -> F:
    """Turn domain and database errors into one clear message and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UnionrollError as exc:
            raise UserFacingError(exc) from None
        except SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None) or exc
            msg = str(orig).strip().splitlines()[0] if str(orig).strip() else repr(orig)
            if "database is locked" in msg:
                raise UserFacingError(
                    UnionrollError(
                        "数据库正被另一个 unionroll 命令占用，这一步没有写入任何内容。"
                        "请等那个命令结束后重新运行。"
                    )
                ) from None
            raise UserFacingError(UnionrollError(f"数据库操作失败：{msg}")) from None
        except KeyboardInterrupt:
            click.echo("已中断：当前这一步未写入任何内容。", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def existing_file(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise UserFacingError(UnionrollError(f"找不到文件 {path}"))
    return p


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(headers: list[str], rows: list[list[Any]]) -> str:
    """A plain text table that lines up Chinese (double-width) and Latin text."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


class _NoBar:
    """Stands in for a progress bar when nobody is watching (output piped or captured)."""

    def __init__(self, iterable: Any = None) -> None:
        self._iterable = iterable

    def __enter__(self) -> Any:
        return self._iterable if self._iterable is not None else self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, _n: int) -> None:
        return None


def progress(iterable: Any = None, *, length: int | None = None, label: str) -> Any:
    """A progress bar on a terminal's stderr; nothing at all when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return _NoBar(iterable)
    return click.progressbar(iterable, length=length, label=label, show_pos=True, file=sys.stderr)
