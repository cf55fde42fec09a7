"""A Problem as a page for people: Chinese first, the server's English message below."""
from flask import Response, redirect, render_template_string, request, url_for

from ..problems import Problem

_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{{ status }}</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>{{ status }} {{ zh }}</h1><p lang="en">{{ message }}</p></body></html>"""
_ZH = {400: "请求有误", 401: "需要登录", 403: "无权访问", 404: "未找到", 405: "不支持此方法",
       409: "冲突", 413: "内容过大", 429: "尝试次数过多，请稍后再试", 500: "服务器内部错误",
       503: "服务暂时不可用，请稍后再试"}


# What a console form's error says first, in Chinese, by Central's problem code (the server's English
# message follows it: it names the field or value).
_ZH_CODES = {400.2: "缺少必填项", 400.8: "填写的内容有误", 400.13: "内容过长", 400.21: "密码太短",
             400.22: "数值超出范围", 400.93: "表单已过期或并非本服务器发出，请刷新页面后重试",
             403.1: "无权执行此操作", 404.1: "未找到", 409.3: "已经存在", 409.90: "名称不唯一，请写得更具体",
             409.91: "线索状态已经改变，请刷新页面"}


def console_error(problem: Problem) -> str:
    """A problem as a console form shows it beside the form: Chinese first, then the server's message."""
    zh = _ZH_CODES.get(problem.code) or _ZH.get(problem.status) or "操作未完成"
    return f"{zh}。{problem.message}"


def render_problem(problem: Problem) -> Response:
    """The page for a problem; a page that needs signing in (401 on GET) sends the browser to the sign-in
    form instead, which comes back to it (a forged, expired or deleted session comes here too)."""
    if problem.status == 401 and request.method in ("GET", "HEAD"):
        return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))
    body = render_template_string(_PAGE, status=problem.status, zh=_ZH.get(problem.status, ""),
                                  message=problem.message)
    response = Response(body, status=problem.status, mimetype="text/html")
    for name, value in problem.headers:
        response.headers.add(name, value)
    return response
