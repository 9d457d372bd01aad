"""Logging in and out, the account behind each request, and who may see what.

A session cookie (signed by Flask with the workspace's key) holds the account id and
its password stamp; a password reset or a disabled account ends it. Every page but the
login page needs a login. A unit's pages are for its own account and the accounts of
the units above it; anything else is refused with 403.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from unionroll.core.accounts import Account, account_by_id, authenticate
from unionroll.core.review import area_codes
from unionroll.web.app import workspace

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])

MAX_FAILURES = 5  # wrong passwords for one login …
FAILURE_WINDOW = 15 * 60  # … within this many seconds, then that login waits this long


class _Throttle:
    """Slows down password guessing: per login, in this server process."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, login: str) -> bool:
        with self._lock:
            recent = self._recent(login)
            return len(recent) >= MAX_FAILURES

    def failed(self, login: str) -> None:
        with self._lock:
            self._recent(login).append(time.monotonic())

    def succeeded(self, login: str) -> None:
        with self._lock:
            self._failures.pop(login, None)

    def _recent(self, login: str) -> deque[float]:
        recent = self._failures[login]
        while recent and recent[0] < time.monotonic() - FAILURE_WINDOW:
            recent.popleft()
        return recent


def _throttle() -> _Throttle:
    return current_app.extensions["unionroll_throttle"]


def install(app: Flask) -> None:
    app.extensions["unionroll_throttle"] = _Throttle()

    @app.before_request
    def load_account() -> Any:
        g.account = None
        user_id, stamp = session.get("uid"), session.get("stamp")
        if isinstance(user_id, int) and isinstance(stamp, str):
            g.account = account_by_id(workspace(), user_id, stamp)
            if g.account is None:
                session.clear()
        if g.account is None and request.endpoint not in ("auth.login", "static"):
            return redirect(url_for("auth.login", next=request.full_path))
        return None

    @app.context_processor
    def common() -> dict[str, Any]:
        account = g.get("account")
        return {
            "account": account,
            "county_name": workspace().config.name,
            "is_reviewer": account is not None and is_reviewer(account),
            "level_name": workspace().config.level_name,
        }


def is_reviewer(account: Account) -> bool:
    """Whether the account's unit has units under it to review."""
    return account.is_top or len(area(account)) > 1


def area(account: Account) -> set[str]:
    """The unit codes the account may see: its unit and everything under it."""
    cached = g.get("area")
    if cached is None:
        cached = g.area = area_codes(workspace(), account.unit_code)
    return cached


def current() -> Account:
    account = g.get("account")
    if account is None:
        abort(403)
    return account


def require_area(code: str) -> Account:
    """The account, when it may see unit ``code``; 403 otherwise."""
    account = current()
    if code not in area(account):
        abort(403)
    return account


def reviewers_only(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not is_reviewer(current()):
            abort(403)
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never an address elsewhere (an open redirect).
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("units.periods")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    login_name = ""
    if request.method == "POST":
        login_name = (request.form.get("login") or "").strip()[:64]
        password = request.form.get("password") or ""
        if _throttle().blocked(login_name):
            error = "密码错误次数太多，请 15 分钟后再试，或请县教育工会重设密码。"
        else:
            account = authenticate(workspace(), login_name, password) if login_name else None
            if account is None:
                _throttle().failed(login_name)
                error = "登录名或密码不对。"
            else:
                _throttle().succeeded(login_name)
                session.clear()
                session.permanent = True
                session["uid"] = account.id
                session["stamp"] = account.stamp
                return redirect(_safe_next(request.args.get("next")))
    elif g.get("account") is not None:
        return redirect(url_for("units.periods"))
    status = 401 if error else 200
    return render_template("login.html", error=error, login_name=login_name), status


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    session.clear()
    return redirect(url_for("auth.login"))
