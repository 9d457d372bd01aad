"""The Flask application: settings, sessions, CSRF protection and error pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from unionroll.core.accounts import signing_key
from unionroll.core.workspace import Workspace

DEFAULT_MAX_UPLOAD_MB = 10
ERROR_TEXT = {
    400: ("请求无效", "这个请求无法处理。请回到上一页重试。"),
    403: ("无权访问", "你的账号不能查看或操作这个单位的报表。"),
    404: ("页面不存在", "找不到这个页面。请从页面顶部的菜单进入。"),
    405: ("请求无效", "这个页面不能这样打开。请从页面上的按钮进入。"),
    413: ("文件太大", "上传的文件太大。一份报表通常不到 1 MB，请检查是否选错了文件。"),
    500: ("出错了", "处理时出错，没有写入任何内容。请稍后重试；如果一再出现，请联系县教育工会。"),
}


CSRF_TEXT = "页面上的表单已过期或不是从本站提交的，未做任何改动。请刷新页面后重试。"


def create_app(workspace: Workspace, *, testing: bool = False) -> Flask:
    """The application for one workspace. Settings come from ``[web]`` in
    unionroll.toml: ``max_upload_mb`` (default 10), ``session_hours`` (default 8) and
    ``secure_cookies`` (true when served over HTTPS)."""
    settings = workspace.config.raw.get("web", {})
    if not isinstance(settings, dict):
        settings = {}
    app = Flask(__name__)
    max_mb = float(settings.get("max_upload_mb", DEFAULT_MAX_UPLOAD_MB))
    app.config.update(
        SECRET_KEY=signing_key(workspace),
        MAX_CONTENT_LENGTH=int(max_mb * 1024 * 1024),
        MAX_UPLOAD_MB=max_mb,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=float(settings.get("session_hours", 8))),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.get("secure_cookies", False)),
        SESSION_COOKIE_NAME="unionroll_session",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_SSL_STRICT=bool(settings.get("secure_cookies", False)),
        TESTING=testing,
    )
    app.extensions["unionroll_workspace"] = workspace
    CSRFProtect(app)

    from unionroll.web import auth, review_pages, unit_pages

    app.register_blueprint(auth.bp)
    app.register_blueprint(unit_pages.bp)
    app.register_blueprint(review_pages.bp)
    auth.install(app)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[str, int]:
        return _error_page(
            400,
            "表单已失效",
            "页面上的表单已过期或不是从本站提交的，未做任何改动。请刷新页面后重试。",
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int]:
        code = exc.code or 500
        title, text = ERROR_TEXT.get(code, ERROR_TEXT[400])
        if code == 413:
            text = (
                f"上传的文件超过 {app.config['MAX_UPLOAD_MB']:g} MB，未收录。"
                "一份报表通常不到 1 MB，请检查是否选错了文件。"
            )
        return _error_page(code, title, text)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[str, int]:
        app.logger.exception("unexpected error on %s", request.path)
        return _error_page(500, *ERROR_TEXT[500])

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'",
        )
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


def _error_page(code: int, title: str, text: str) -> tuple[str, int]:
    return render_template(
        "error.html", code=code, title=title, text=text, account=g.get("account")
    ), code


def workspace() -> Workspace:
    from flask import current_app

    return current_app.extensions["unionroll_workspace"]
