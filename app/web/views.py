"""Pages for people: the landing page, signing in and out, and the console's home.

The console signs in with a session kept in a cookie (app.http.identify.SESSION_COOKIE): HttpOnly
(no script reads it), SameSite=Lax (other sites' forms do not carry it), Secure over https. Every
state-changing request made with it carries the session's CSRF token (checked in app.http.identify),
and the sign-in form carries one of its own, from a cookie it sets (double submit), so that another
site cannot sign a browser in as someone else.
"""
import hmac
import secrets

from flask import current_app, g, jsonify, redirect, render_template, request, url_for

from ..core.access import Permission, Principal
from ..http.identify import CSRF_FIELD, SESSION_COOKIE, console_session
from ..http.identify import sign_in as check_credentials
from ..http.permissions import public, signed_in
from ..problems import Problem
from ..services.accounts import grants, sessions
from . import bp
from .i18n import flag_name, t, term

LOGIN_CSRF_COOKIE = "dixian_login_csrf"


def page(template: str, status: int = 200, **context):
    """A console page in the request's language, with who is signed in and their CSRF token."""
    live = console_session()
    return render_template(template, t=t, flag_name=flag_name, term=term, lang=g.lang,
                           principal=live.principal if live else None,
                           csrf_token=live.csrf if live else "", **context), status


@bp.get("/")
@public("the landing page, which shows no data")
def home():
    if console_session():
        return redirect(url_for("web.console"))
    return page("landing.html", public_url=current_app.config["PUBLIC_URL"])


@bp.get("/favicon.ico")
@public("the site's icon, for browsers that ask for it where no page names it (an API answer opened in a tab)")
def favicon():
    return redirect(url_for("web.static", filename="favicon.svg"), 301)


@bp.get("/console")
@signed_in
def console(principal: Principal):
    """The caller's projects, each with the links their role opens (the map, users and roles)."""
    listed = []
    for project in grants.readable_projects(principal):
        access = grants.access_in(principal, project.id)
        listed.append({"id": project.id, "name": project.name,
                       "map": bool(access and access.can(Permission.COVERAGE_READ)),
                       "people": bool(access and access.can(Permission.USER_MANAGE)),
                       "links": bool(access and access.can(Permission.PUBLIC_LINK_MANAGE)),
                       "leads": bool(access and access.can(Permission.LEAD_READ)),
                       "submissions": bool(access and access.can(Permission.SUBMISSION_READ))})
    return page("console.html", projects=listed)


@bp.get("/login")
@public("the sign-in form")
def sign_in():
    if console_session():
        return redirect(_next_page())
    return _sign_in_page()


@bp.post("/login")
@public("signing in: the email and password are the credentials")
def sign_in_submit():
    sent = request.form.get(CSRF_FIELD, "")
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        return _sign_in_page(t("form_expired"), 400)
    email = request.form.get("email", "")
    try:
        user = check_credentials(email, request.form.get("password", ""))
    except Problem as problem:
        return _refused(problem, email)
    token, _ = sessions.open_session(user, current_app.config["SESSION_HOURS"])
    response = redirect(_next_page())
    response.set_cookie(SESSION_COOKIE, token, max_age=current_app.config["SESSION_HOURS"] * 3600, path="/",
                        httponly=True, samesite="Lax", secure=request.is_secure)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@bp.post("/logout")
@signed_in
def sign_out(principal: Principal):
    sessions.close_session(request.cookies.get(SESSION_COOKIE, ""))
    response = redirect(url_for("web.sign_in"))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=request.is_secure)
    return response


@bp.get("/healthz")
@public("a liveness check for the front door and monitoring; it shows no data")
def health():
    return jsonify({"ok": True})


def _sign_in_page(error: str | None = None, status: int = 200, email: str = ""):
    token = secrets.token_urlsafe(32)
    body, status = page("sign_in.html", status, error=error, email=email, login_csrf=token,
                        next=request.args.get("next", ""))
    response = current_app.make_response((body, status))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, path="/login", httponly=True, samesite="Strict",
                        secure=request.is_secure)
    return response


def _refused(problem: Problem, email: str):
    """The sign-in form again, saying why, with the problem's status (401, 429 or 503) and headers."""
    if problem.status == 429:
        wait = next((value for name, value in problem.headers if name == "Retry-After"), "30")
        error = t("locked_out", seconds=wait)
    elif problem.status == 503:
        error = t("hashing_busy")
    else:
        error = t("wrong_password")
    response = _sign_in_page(error, problem.status, email)
    for name, value in problem.headers:
        if name == "Retry-After":
            response.headers[name] = value
    return response


def _next_page() -> str:
    """Where to go after signing in: ?next= if it is a path on this server, else the console."""
    target = request.args.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("web.console")
