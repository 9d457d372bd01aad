"""The plugin manager: built-in plugins, entry-point loading and registrations.

Built-in forms, adapters and reports are plugins registered through the same hooks a
third party uses. Third-party plugins are found through the ``unionroll`` entry-point
group; the ``UNIONROLL_LOAD_PLUGINS`` environment variable, when set, limits which of
them load (a comma-separated list of entry-point or distribution names; empty loads none).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

import pluggy

from unionroll.core import hookspecs
from unionroll.core.contracts import Adapter, Report, Validator
from unionroll.core.errors import PluginError

ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME
LOAD_PLUGINS_ENV = "UNIONROLL_LOAD_PLUGINS"

DEFAULT_PLUGINS: tuple[str, ...] = (
    "unionroll.forms.builtin",
    "unionroll.adapters.json_return",
    "unionroll.adapters.csv_long",
    "unionroll.adapters.xlsx_return",
    "unionroll.plugins.documents",
    "unionroll.plugins.workbook",
)


@dataclass
class PluginInfo:
    name: str
    version: str | None
    hooks: list[str]
    builtin: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "builtin": self.builtin,
            "hooks": self.hooks,
        }


@dataclass
class _State:
    versions: dict[str, str | None] = field(default_factory=dict)
    builtins: set[str] = field(default_factory=set)


def _allowed_entry_points() -> set[str] | None:
    raw = os.environ.get(LOAD_PLUGINS_ENV)
    if raw is None:
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


def _check_pending(pm: pluggy.PluginManager) -> None:
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) if exc.plugin is not None else "?"
        raise PluginError(
            f"插件 {name} 实现了 unionroll 不认识的钩子：{exc}。"
            f"请更新或卸载该插件，或用环境变量 {LOAD_PLUGINS_ENV} 只加载需要的插件。"
        ) from None


def create_plugin_manager(*, load_entry_points: bool = True) -> pluggy.PluginManager:
    """A new plugin manager with the built-in plugins and, optionally, installed ones."""
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    state = _State()
    pm._unionroll_state = state  # type: ignore[attr-defined]
    from unionroll import __version__

    for module_name in DEFAULT_PLUGINS:
        module = importlib.import_module(module_name)
        pm.register(module, name=module_name)
        state.versions[module_name] = __version__
        state.builtins.add(module_name)
    if load_entry_points:
        _load_entry_points(pm, state)
    _check_pending(pm)
    return pm


def _load_entry_points(pm: pluggy.PluginManager, state: _State) -> None:
    allowed = _allowed_entry_points()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist_name = ep.dist.name if ep.dist else None
        if allowed is not None and ep.name not in allowed and dist_name not in allowed:
            continue
        if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            raise PluginError(
                f"插件 {ep.name}（{dist_name or '未知发行包'}）加载失败：{exc!r}。"
                f"可用环境变量 {LOAD_PLUGINS_ENV} 暂时不加载它。"
            ) from None
        pm.register(plugin, name=ep.name)
        state.versions[ep.name] = ep.dist.version if ep.dist else None


_pm: pluggy.PluginManager | None = None


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, created on first use."""
    global _pm
    if _pm is None:
        _pm = create_plugin_manager()
    return _pm


def reset_plugin_manager() -> None:
    """Forget the process-wide plugin manager (tests use this after changing the env)."""
    global _pm
    _pm = None


def plugin_infos(pm: pluggy.PluginManager, *, include_builtin: bool = False) -> list[PluginInfo]:
    state: _State = getattr(pm, "_unionroll_state", _State())
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        builtin = name in state.builtins
        if builtin and not include_builtin:
            continue
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        version = state.versions.get(name)
        infos.append(PluginInfo(name=name, version=version, hooks=hooks, builtin=builtin))
    infos.sort(key=lambda info: (not info.builtin, info.name))
    return infos


# --- registrations -------------------------------------------------------------------


def _collect(
    pm: pluggy.PluginManager,
    hook_name: str,
    kind_zh: str,
    expected: type | tuple[type, ...],
    key: Any = lambda item: item.name,
) -> dict[str, Any]:
    """Call a register_* hook on every plugin and index the results by name.

    Each plugin is called separately so that a duplicate or a wrong type can be blamed on
    the plugin that returned it.
    """
    found: dict[str, Any] = {}
    owners: dict[str, str] = {}
    hook = getattr(pm.hook, hook_name)
    for impl in reversed(hook.get_hookimpls()):  # tryfirst/ordinary/trylast order
        plugin_name = pm.get_name(impl.plugin) or repr(impl.plugin)
        try:
            items = impl.function()
        except Exception as exc:
            raise PluginError(f"插件 {plugin_name} 的 {hook_name} 出错：{exc!r}") from None
        if items is None:
            continue
        if not isinstance(items, Iterable) or isinstance(items, str | bytes):
            raise PluginError(f"插件 {plugin_name} 的 {hook_name} 应返回列表，实际返回 {items!r}")
        for item in items:
            if not isinstance(item, expected):
                raise PluginError(
                    f"插件 {plugin_name} 的 {hook_name} 返回了不是{kind_zh}的对象：{item!r}"
                )
            name = key(item)
            if not name:
                raise PluginError(f"插件 {plugin_name} 注册的{kind_zh}没有名称：{item!r}")
            if name in found:
                raise PluginError(
                    f"{kind_zh}名称“{name}”重复：插件 {owners[name]} 和插件 {plugin_name} "
                    "都注册了它。请卸载其中一个，或用环境变量 "
                    f"{LOAD_PLUGINS_ENV} 只加载需要的插件。"
                )
            found[name] = item
            owners[name] = plugin_name
    return found


def registered_forms(pm: pluggy.PluginManager) -> dict[str, Any]:
    from unionroll.core.forms import FormDefinition

    return _collect(pm, "register_forms", "报表定义", FormDefinition)


def registered_adapters(pm: pluggy.PluginManager) -> dict[str, Adapter]:
    return _collect(pm, "register_adapters", "读取器", Adapter)


def registered_reports(pm: pluggy.PluginManager) -> dict[str, Report]:
    return _collect(pm, "register_reports", "报告", Report)


def registered_validators(pm: pluggy.PluginManager) -> dict[str, Validator]:
    return _collect(pm, "register_validators", "校验规则", Validator)
