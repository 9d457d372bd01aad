"""The workspace: a folder with a config file and, by default, a SQLite database.

``unionroll init DIR`` creates one. Commands find it by the ``--workspace`` option, the
``UNIONROLL_WORKSPACE`` environment variable, or by looking in the current folder and
its parents for ``unionroll.toml``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
from jinja2 import Environment, PackageLoader
from sqlalchemy.engine import Connection, Engine

from unionroll.core import engine as engines
from unionroll.core import migrate
from unionroll.core.errors import ConfigError, WorkspaceError
from unionroll.core.forms import FormDefinition, load_form_file

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

CONFIG_NAME = "unionroll.toml"
DB_NAME = "unionroll.db"
WORKSPACE_ENV = "UNIONROLL_WORKSPACE"
DB_ENV = "UNIONROLL_DB"


@dataclass(frozen=True)
class Level:
    """One level of the hierarchy, highest first: county, township, school by default."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        text = text.strip()
        return text == self.id or text == self.name or text in self.aliases


DEFAULT_LEVELS = (
    Level("county", "县", ("县级", "县教育工会", "county")),
    Level("township", "学区", ("乡镇", "学区/乡镇", "中心校", "总支")),
    Level("school", "学校", ("学校工会", "基层")),
)


@dataclass
class Config:
    name: str = "县教育工会"
    database_url: str | None = None
    levels: tuple[Level, ...] = DEFAULT_LEVELS
    form_id: str = "edu-union-quarterly"
    form_file: str | None = None
    templates_dir: str | None = None
    plugins: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    def level(self, text: str) -> Level | None:
        for level in self.levels:
            if level.matches(str(text)):
                return level
        return None

    def level_index(self, level_id: str) -> int:
        for i, level in enumerate(self.levels):
            if level.id == level_id:
                return i
        raise KeyError(level_id)

    def level_name(self, level_id: str) -> str:
        for level in self.levels:
            if level.id == level_id:
                return level.name
        return level_id

    @property
    def level_ids(self) -> list[str]:
        return [level.id for level in self.levels]

    def plugin_settings(self, section: str, name: str) -> dict[str, Any]:
        """A plugin's settings: ``[SECTION.NAME]`` (``[reports.NAME]``,
        ``[adapters.NAME]``) over ``[plugins.NAME]``, for a plugin that keeps all its
        settings in one place."""
        table = self.raw.get(section, {})
        own = table.get(name) if isinstance(table, dict) else None
        shared = self.plugins.get(name)
        return {
            **(shared if isinstance(shared, dict) else {}),
            **(own if isinstance(own, dict) else {}),
        }


def parse_config(data: dict[str, Any], source: str) -> Config:
    problems: list[str] = []
    ws = data.get("workspace", {})
    db = data.get("database", {})
    form = data.get("form", {})
    reports = data.get("reports", {})
    for key, value in (("workspace", ws), ("database", db), ("form", form), ("reports", reports)):
        if not isinstance(value, dict):
            problems.append(f"[{key}] 应为一个表")
    if problems:
        raise ConfigError(f"配置文件 {source} 有错误：", details=problems)
    levels: list[Level] = []
    raw_levels = data.get("levels")
    if raw_levels is None:
        levels = list(DEFAULT_LEVELS)
    elif not isinstance(raw_levels, list) or not raw_levels:
        problems.append("[[levels]] 至少需要一个层级")
    else:
        for i, item in enumerate(raw_levels, start=1):
            if not isinstance(item, dict) or not item.get("id") or not item.get("name"):
                problems.append(f"第 {i} 个层级需要 id 和 name")
                continue
            aliases = item.get("aliases", [])
            if not isinstance(aliases, list):
                problems.append(f"层级 {item['id']} 的 aliases 应为列表")
                aliases = []
            levels.append(Level(str(item["id"]), str(item["name"]), tuple(map(str, aliases))))
        ids = [lv.id for lv in levels]
        names = [lv.name for lv in levels]
        for dup in {x for x in ids + names if (ids + names).count(x) > 1}:
            problems.append(f"层级 id 或名称“{dup}”重复")
    plugins = data.get("plugins", {})
    if not isinstance(plugins, dict):
        problems.append("[plugins] 应为一个表")
        plugins = {}
    if problems:
        raise ConfigError(f"配置文件 {source} 有错误：", details=problems)
    return Config(
        name=str(ws.get("name", "县教育工会")),
        database_url=db.get("url"),
        levels=tuple(levels),
        form_id=str(form.get("id", "edu-union-quarterly")),
        form_file=form.get("file"),
        templates_dir=reports.get("templates"),
        plugins=plugins,
        raw=data,
    )


def load_config(path: Path) -> Config:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise WorkspaceError(f"找不到配置文件 {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 格式错误：{exc}") from None
    return parse_config(data, str(path))


def render_config(name: str) -> str:
    env = Environment(loader=PackageLoader("unionroll", "data"), keep_trailing_newline=True)
    return env.get_template("unionroll.toml.j2").render(name=name)


class Workspace:
    """An open workspace: its folder, config, database and plugins."""

    def __init__(
        self,
        root: Path,
        config: Config,
        *,
        db_url: str | None = None,
        pm: pluggy.PluginManager | None = None,
    ) -> None:
        self.root = root
        self.config = config
        self._db_url_override = db_url
        self._pm = pm
        self._schema_checked = False

    # --- opening ------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        root: str | Path | None = None,
        *,
        db_url: str | None = None,
        pm: pluggy.PluginManager | None = None,
    ) -> Workspace:
        if root is None:
            root = os.environ.get(WORKSPACE_ENV) or find_workspace_root(Path.cwd())
        root = Path(root)
        config_path = root / CONFIG_NAME
        if not config_path.is_file():
            raise WorkspaceError(
                f"{root} 不是 unionroll 工作区（没有 {CONFIG_NAME}）。"
                "请先运行 unionroll init 目录名，或用 --workspace 指定工作区。"
            )
        return cls(root.resolve(), load_config(config_path), db_url=db_url, pm=pm)

    @classmethod
    def create(
        cls,
        root: str | Path,
        *,
        name: str | None = None,
        db_url: str | None = None,
        pm: pluggy.PluginManager | None = None,
    ) -> Workspace:
        """Create a workspace folder with a config file and an up-to-date database."""
        root = Path(root)
        config_path = root / CONFIG_NAME
        if config_path.exists():
            raise WorkspaceError(f"{root} 已经是一个工作区（{CONFIG_NAME} 已存在），未做任何改动。")
        if root.exists() and not root.is_dir():
            raise WorkspaceError(f"{root} 已存在且不是文件夹。")
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("sources", "receipts", "reports", "templates"):
            (root / sub).mkdir(exist_ok=True)
        config_path.write_text(render_config(name or "县教育工会"), encoding="utf-8")
        ws = cls.open(root, db_url=db_url, pm=pm)
        try:
            migrate.upgrade(ws.engine)
        except Exception:
            config_path.unlink()
            raise
        return ws

    # --- parts --------------------------------------------------------------------

    @property
    def pm(self) -> pluggy.PluginManager:
        if self._pm is None:
            from unionroll.core.plugins import get_plugin_manager

            self._pm = get_plugin_manager()
        return self._pm

    @property
    def db_url(self) -> str:
        url = self._db_url_override or os.environ.get(DB_ENV) or self.config.database_url
        if not url:
            return engines.sqlite_url(self.root / DB_NAME)
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            relative = url[len("sqlite:///") :]
            if relative and relative != ":memory:":
                return engines.sqlite_url(self.root / relative)
        return url

    @cached_property
    def engine(self) -> Engine:
        return engines.make_engine(self.db_url)

    @cached_property
    def _sessions(self) -> sessionmaker[Session]:
        # The ORM only for the commands that ask for a session: storing returns and the
        # rollup work with Core connections and do not load it.
        from unionroll.core.store import session_factory

        return session_factory(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on error."""
        if not self._schema_checked:
            migrate.ensure_current(self.engine)
            self._schema_checked = True
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A Core connection in one transaction, for bulk work where the ORM costs more
        than the SQL: committed when the block ends, rolled back on error."""
        if not self._schema_checked:
            migrate.ensure_current(self.engine)
            self._schema_checked = True
        with self.engine.begin() as conn:
            yield conn

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    @cached_property
    def form(self) -> FormDefinition:
        """The form this workspace collects: the config's file, or a registered form by id."""
        known = self.config.level_ids
        if self.config.form_file:
            path = Path(self.config.form_file)
            if not path.is_absolute():
                path = self.root / path
            return load_form_file(path, known_levels=known)
        from unionroll.core.plugins import registered_forms

        forms = registered_forms(self.pm)
        matching = [f for f in forms.values() if f.id == self.config.form_id]
        if not matching:
            available = "、".join(sorted(forms)) or "无"
            raise ConfigError(f"配置的报表 {self.config.form_id} 没有注册（已注册：{available}）。")
        form = max(matching, key=lambda f: f.version)
        unknown = [lv for lv in form.levels if lv not in known]
        if unknown:
            raise ConfigError(
                f"报表 {form.name} 的层级 {', '.join(unknown)} 未在工作区配置中定义"
                f"（已定义：{', '.join(known)}）。"
            )
        return form

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()


def find_workspace_root(start: Path) -> Path:
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return start
