"""Calling hooks so that a broken plugin is named and, where that is safe, passed over.

pluggy stops at the first implementation that raises and its error names no plugin. So:

- the notification hooks (``after_ingest``, ``after_rollup``, ``register_commands``) are
  called one implementation at a time with :func:`notify`; a failure comes back as a
  :class:`HookFailure` naming the plugin and the others still run, because what they
  follow (stored returns, a computed rollup, the built-in commands) is already complete;
- the hooks a report depends on (``prepare_jinja2_environment``, ``extra_report_context``)
  raise :class:`~unionroll.core.errors.PluginError` naming the plugin, so the one report
  that needed them fails with a clear message and the other reports go on.

Report plugins of third parties use :func:`report_context` and :func:`prepare_environment`
so that their templates get what other plugins contribute, exactly as the built-in ones do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pluggy

from unionroll.core.errors import PluginError


@dataclass(frozen=True)
class HookFailure:
    """One plugin's hook implementation raised; the run went on without it."""

    plugin: str
    hook: str
    error: str  # "RuntimeError: message"

    def __str__(self) -> str:
        return f"插件 {self.plugin} 的 {self.hook} 出错，已跳过：{self.error}"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _in_call_order(pm: pluggy.PluginManager, hook_name: str) -> list[Any]:
    return list(reversed(getattr(pm.hook, hook_name).get_hookimpls()))


def _wrapped(impls: list[Any]) -> bool:
    """True when a plugin wraps the hook: then only pluggy can call it faithfully."""
    return any(impl.hookwrapper or impl.wrapper for impl in impls)


def _whole(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[Any]:
    impls = _in_call_order(pm, hook_name)
    try:
        return getattr(pm.hook, hook_name)(**kwargs)
    except Exception as exc:
        names = "、".join(impl.plugin_name for impl in impls)
        raise PluginError(f"插件 {names} 的 {hook_name} 出错：{_describe(exc)}") from exc


def _call(impl: Any, kwargs: Mapping[str, Any]) -> Any:
    # Like pluggy: an implementation receives only the arguments it names.
    return impl.function(**{name: kwargs[name] for name in impl.argnames})


def notify(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[HookFailure]:
    """Call every implementation of a hook that returns nothing; return the failures.

    A plugin that wraps the hook (``wrapper=True``) changes how the others are called, so
    then the hook is called through pluggy as a whole and a failure names the plugins
    that implement it.
    """
    impls = _in_call_order(pm, hook_name)
    if _wrapped(impls):
        try:
            getattr(pm.hook, hook_name)(**kwargs)
        except Exception as exc:
            names = "、".join(impl.plugin_name for impl in impls)
            return [HookFailure(names, hook_name, _describe(exc))]
        return []
    failures = []
    for impl in impls:
        try:
            _call(impl, kwargs)
        except Exception as exc:  # one broken plugin must not stop the others
            failures.append(HookFailure(impl.plugin_name, hook_name, _describe(exc)))
    return failures


def report_context(
    pm: pluggy.PluginManager | None, report_name: str, context: Mapping[str, Any]
) -> dict[str, Any]:
    """The variables that ``extra_report_context`` implementations add for a report.

    Each implementation gets a copy of ``context``. Returns the merged additions (a later
    plugin's value wins); raises PluginError naming a plugin that raises or returns
    something other than a dict or None.
    """
    extra: dict[str, Any] = {}
    if pm is None:
        return extra
    impls = _in_call_order(pm, "extra_report_context")
    if _wrapped(impls):
        results = [
            ("、".join(i.plugin_name for i in impls), r)
            for r in _whole(
                pm, "extra_report_context", report_name=report_name, context=dict(context)
            )
        ]
    else:
        results = []
        for impl in impls:
            try:
                value = _call(impl, {"report_name": report_name, "context": dict(context)})
            except Exception as exc:
                raise PluginError(
                    f"插件 {impl.plugin_name} 的 extra_report_context 出错"
                    f"（报告 {report_name}）：{_describe(exc)}"
                ) from exc
            results.append((impl.plugin_name, value))
    for plugin, value in results:
        if value is None:
            continue
        if not isinstance(value, Mapping):
            raise PluginError(
                f"插件 {plugin} 的 extra_report_context 应返回 dict 或 None，"
                f"实际返回了 {type(value).__name__}：{value!r:.80}"
            )
        extra.update(value)
    return extra


def prepare_environment(pm: pluggy.PluginManager | None, env: Any) -> None:
    """Let every ``prepare_jinja2_environment`` implementation adjust ``env``; raise
    PluginError naming a plugin that raises."""
    if pm is None:
        return
    impls = _in_call_order(pm, "prepare_jinja2_environment")
    if _wrapped(impls):
        _whole(pm, "prepare_jinja2_environment", env=env)
        return
    for impl in impls:
        try:
            _call(impl, {"env": env})
        except Exception as exc:
            raise PluginError(
                f"插件 {impl.plugin_name} 的 prepare_jinja2_environment 出错：{_describe(exc)}"
            ) from exc
