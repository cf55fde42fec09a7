"""Every failure answers in the format of the door it came through, and never as a bare 500 page.

OpenRosa clients get an OpenRosaResponse, the API gets JSON problem details,
people get a readable page.
"""
import logging

from flask import Flask, Response, render_template_string, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .api.views import render_problem as api_problem
from .openrosa.views import render_problem as openrosa_problem
from .problems import Problem

log = logging.getLogger(__name__)

_OPENROSA_ENDINGS = ("/formList", "/submission", "/manifest")

_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{{ status }}</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>{{ status }} {{ zh }}</h1><p>{{ message }}</p><p lang="en">{{ en }}</p></body></html>"""
_ZH = {400: "请求有误", 401: "需要登录", 403: "无权访问", 404: "未找到", 405: "不支持此方法",
       409: "冲突", 413: "内容过大", 500: "服务器内部错误"}


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

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        code = float(e.code or 500)
        return render(Problem(code, e.description or e.name))

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        # Logged without the request body: submissions carry personal data.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render(Problem(500.1, "An internal error occurred; nothing was stored. Please try again."))
