"""The residents' pages besides the form: a link that does not open, a report refused, thanks.

Each says in plain Chinese what happened and what the resident can do (send again later, call the
hotline); the page names the reason in data-reason for whoever helps them. Nothing on them comes from
anybody's report.
"""
import secrets

from flask import Response, current_app, g, render_template

from ..problems import Problem

# (title, what to do) by the problem's reason (a link's or an abuse control's), else by its status.
_BY_REASON = {
    "revoked": ("此申报链接已停用", "请联系村委会或拨打热线获取新的申报二维码。"),
    "expired": ("此申报链接已过期", "请联系村委会或拨打热线获取新的申报二维码。"),
    "quota": ("此申报链接已达到申报数量上限", "请联系村委会或拨打热线反映情况。"),
    "address_minute": ("提交过于频繁", "请等待一分钟后再提交。"),
    "address_day": ("今天的提交次数已达上限", "请明天再提交，或拨打热线反映情况。"),
    "link_minute": ("本村申报人数较多", "请等待一分钟后再提交。"),
    "link_day": ("本村今天的申报已达上限", "请明天再提交，或拨打热线反映情况。"),
    "honeypot": ("提交未被接受", "请在手机浏览器中重新打开二维码链接，亲自填写后提交。"),
    "no_stamp": ("页面已失效", "请重新扫描二维码打开申报页面后填写。"),
    "too_fast": ("提交过快", "请仔细阅读并填写各项内容后再提交。"),
    "stamp_used": ("此页面已提交过申报", "如需再次申报,请重新扫描二维码打开申报页面。"),
    "cross_site": ("提交未被接受", "请直接扫描村里张贴的二维码打开申报页面后填写。"),
    "attachment_count": ("照片太多", "请减少照片数量后再提交。"),
    "closed": ("此申报表已停止接收", "请联系村委会或拨打热线反映情况。"),
    "challenge": ("安全验证未通过", "请等待页面上的“我不是机器人”验证完成后再提交。"),
    "attachment_size": ("照片太大", "请少传几张照片，或换用较小的照片后再提交。"),
    "attachment_type": ("附件不是照片", "只能上传照片（JPEG、PNG 或 WebP 格式）。"),
    "attachment_pixels": ("照片尺寸太大", "请用手机直接拍照上传，或把照片缩小后再提交。"),
}
_BY_STATUS = {
    400: ("提交的内容无法识别", "请重新扫描二维码打开申报页面后填写。"),
    403: ("无权进行此操作", "此链接只能提交新的申报。"),
    404: ("未找到此申报链接", "请检查网址是否完整，或重新扫描村里张贴的二维码。"),
    405: ("不支持此操作", "请重新扫描二维码打开申报页面。"),
    409: ("此申报已提交过", "无需重复提交。"),
    410: ("此申报链接已停用", "请联系村委会或拨打热线获取新的申报二维码。"),
    413: ("提交的内容太大", "请少传几张照片后再提交。"),
    429: ("提交过于频繁", "请稍后再提交。"),
    503: ("服务暂时不可用", "请稍后再试。"),
}
_DEFAULT = ("服务器出现问题", "请稍后再试，或拨打热线反映情况。")


def render_problem(problem: Problem) -> Response:
    """The problem as a resident's page, with its status (and headers, e.g. Retry-After)."""
    title, advice = (_BY_REASON.get(problem.details.get("reason"))
                     or _BY_STATUS.get(problem.status, _DEFAULT))
    body = render_template("self_report/notice.html", title=title, advice=advice,
                           hotline=current_app.config["SELF_REPORT_HOTLINE"], reason=problem.details.get("reason"))
    response = Response(body, status=problem.status, mimetype="text/html")
    for name, value in problem.headers:
        response.headers.add(name, value)
    return with_policy(response)


def page_nonce() -> str:
    """The nonce of this response's scripts (one per request)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def with_policy(response: Response) -> Response:
    """The content security policy of a resident's page: scripts only from here (and the page's own, by nonce),
    no foreign request of any kind. Web Forms needs 'wasm-unsafe-eval' (its XPath parser is WebAssembly), inline
    styles, data: fonts and blob: images (photos before sending); ALTCHA runs its workers from blob: URLs."""
    nonce = page_nonce()
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data: blob:; "
        "connect-src 'self' data: blob:; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'; object-src 'none'")
    response.headers["Referrer-Policy"] = "no-referrer"     # the token is in the URL
    return response
