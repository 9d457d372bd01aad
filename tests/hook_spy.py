"""Marks which test exercises which hook, and checks that it really does.

``@exercises_hook("after_ingest")`` on a test says the test drives that hook through the
real pipeline. The test registers its implementation made with :func:`spy`, which counts
calls; the decorator fails the test if the count did not grow, so a test cannot claim a
hook it never reaches. tests/test_plugin_docs.py checks that every hookspec has at least
one test so marked.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, TypeVar

from unionroll.core.hookspecs import hookimpl

CALLS: Counter[str] = Counter()
F = TypeVar("F", bound=Callable[..., Any])


def spy(hook_name: str, func: Callable[..., Any], **opts: Any) -> SimpleNamespace:
    """A plugin object implementing ``hook_name`` with ``func`` (its parameters are the
    hook arguments it asks for), counting each call."""

    @functools.wraps(func)
    def impl(*args: Any, **kwargs: Any) -> Any:
        CALLS[hook_name] += 1
        return func(*args, **kwargs)

    return SimpleNamespace(**{hook_name: hookimpl(**opts)(impl)})


def exercises_hook(hook_name: str) -> Callable[[F], F]:
    def decorate(test: F) -> F:
        @functools.wraps(test)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            before = CALLS[hook_name]
            result = test(*args, **kwargs)
            assert CALLS[hook_name] > before, (
                f"{test.__name__} is marked as exercising {hook_name}, "
                "but no spy implementation of it was called"
            )
            return result

        wrapper.exercised_hook = hook_name  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
