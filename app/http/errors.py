"""Every failure answers in the format of the door it came through, and never as a bare 500 page.

OpenRosa clients get an OpenRosaResponse, the API gets JSON problem details,
people get a readable page.
"""
import logging

from flask import Flask, Response, render_template_string, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge

from ..api.views import render_problem as api_problem
from .database_unavailable import RETRY_AFTER_S, is_transient
from ..openrosa.views import render_problem as openrosa_problem
from ..problems import Problem, service_unavailable, unreadable_body

log = logging.getLogger(__name__)

_OPENROSA_ENDINGS = ("/formList", "/submission", "/manifest")

_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{{ status }}</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>{{ status }} {{ zh }}</h1><p>{{ message }}</p><p lang="en">{{ en }}</p></body></html>"""
_ZH = {400: "请求有误", 401: "需要登录", 403: "无权访问", 404: "未找到", 405: "不支持此方法",
       409: "冲突", 413: "内容过大", 429: "尝试次数过多，请稍后再试", 500: "服务器内部错误", 503: "服务暂时不可用，请稍后再试"}


def _door() -> str:
    if request.blueprint in ("openrosa", "api"):
        return request.blueprint
    path = request.path
    if path.startswith("/v1/"):
        return "openrosa" if path.endswith(_OPENROSA_ENDINGS) else "api"
    return "web"


def render(problem: Problem) -> Response:
    door = _door()
    if door == "openrosa":
        return openrosa_problem(problem)
    if door == "api":
        return api_problem(problem)
    body = render_template_string(_PAGE, status=problem.status, zh=_ZH.get(problem.status, ""),
                                  message=problem.message, en="")
    response = Response(body, status=problem.status, mimetype="text/html")
    for name, value in problem.headers:
        response.headers.add(name, value)
    return response


def register(app: Flask) -> None:
    app.register_error_handler(Problem, render)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(e):
        limit = app.config["OPENROSA_ACCEPT_CONTENT_LENGTH"]
        return render(Problem(413.1, f"The request is larger than the {limit} bytes this server accepts."))

    @app.errorhandler(ClientDisconnected)
    def body_cut_short(e):
        # werkzeug's name for a body shorter than its Content-Length; other ways a body cannot be read
        # are raised as this same Problem by app/http/request_body.py.
        return render(unreadable_body())

    @app.errorhandler(SQLAlchemyError)
    def database_error(e: SQLAlchemyError):
        if not is_transient(e):
            return unexpected(e)
        # One line, no traceback: an outage would otherwise fill the log with identical ones.
        log.warning("database unavailable on %s %s: %s", request.method, request.path,
                    type(getattr(e, "orig", None) or e).__name__)
        return render(service_unavailable(
            "The database is not answering just now; nothing was stored. Please try again in a moment.",
            RETRY_AFTER_S))

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        code = float(e.code or 500)
        return render(Problem(code, e.description or e.name))

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        # Logged without the request body: submissions carry personal data.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render(Problem(500.1, "An internal error occurred; nothing was stored. Please try again."))
