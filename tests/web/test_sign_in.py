"""Signing in to the console: a session in an HttpOnly, SameSite=Lax cookie, CSRF tokens on every form,
signing out, expiry, the limit on wrong passwords, Chinese first and English on request."""
import re

import requests
from sqlalchemy import text

from app.services.accounts import sign_in_limits


def _sign_in(page, live_server, email, password, path="/console"):
    page.goto(f"{live_server}{path}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_a_supervisor_signs_in_sees_the_console_and_signs_out(page, live_server, supervisor, project):
    page.goto(f"{live_server}/console")
    assert re.search(r"/login\?next=/console$", page.url)          # sent to sign in, and back after
    assert page.title().startswith("登录")
    _sign_in(page, live_server, *supervisor)
    assert page.url == f"{live_server}/console"
    assert "测试项目 Test project" in page.inner_text("main")
    # A viewer's links: the map, and not users and roles, which their role does not open.
    assert page.query_selector("a:text('排查覆盖地图')") and not page.query_selector("a:text('用户与权限')")
    [cookie] = [c for c in page.context.cookies() if c["name"] == "dixian_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]     # http here
    assert page.evaluate("document.cookie").find("dixian_session") == -1                 # no script reads it

    page.click("text=退出")
    page.wait_for_url(f"{live_server}/login**")
    assert page.url.startswith(f"{live_server}/login")
    assert not [c for c in page.context.cookies() if c["name"] == "dixian_session"]
    page.goto(f"{live_server}/console")
    assert "/login" in page.url
    # The session itself is gone, not just the cookie.
    assert requests.get(f"{live_server}/console", cookies={"dixian_session": cookie["value"]},
                        allow_redirects=False, timeout=10).status_code == 302


def test_wrong_passwords_are_told_and_then_locked_out(page, live_server, supervisor):
    for _ in range(sign_in_limits.PAIR_LIMIT):
        _sign_in(page, live_server, supervisor[0], "wrong password", path="/login")
        assert page.inner_text("[role=alert]") == "邮箱或密码错误。"
    _sign_in(page, live_server, *supervisor, path="/login")
    assert re.fullmatch(r"密码错误次数过多,请 \d+ 秒后再试。", page.inner_text("[role=alert]"))
    assert "/login" in page.url


def test_english_on_request_and_remembered(page, live_server, supervisor):
    page.goto(f"{live_server}/login?lang=en")
    assert page.title().startswith("Sign in")
    page.goto(f"{live_server}/login")
    assert page.title().startswith("Sign in")
    page.click("text=中文")
    page.wait_for_url("**/login?lang=zh")
    page.wait_for_load_state()
    assert page.title().startswith("登录")


def _session_cookie(live_server, supervisor) -> requests.Session:
    """A requests session signed in through the form, as a browser would (login CSRF cookie and field)."""
    http = requests.Session()
    form = http.get(f"{live_server}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    answer = http.post(f"{live_server}/login", data={"csrf_token": token, "email": supervisor[0],
                                                     "password": supervisor[1]}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return http


def test_a_post_without_the_csrf_token_is_400_and_changes_nothing(live_server, supervisor):
    http = _session_cookie(live_server, supervisor)
    refused = http.post(f"{live_server}/logout", allow_redirects=False, timeout=10)
    assert refused.status_code == 400 and "lang=\"zh-CN\"" in refused.text
    assert http.get(f"{live_server}/console", allow_redirects=False, timeout=10).status_code == 200   # still in
    wrong = http.post(f"{live_server}/logout", data={"csrf_token": "x" * 43}, allow_redirects=False, timeout=10)
    assert wrong.status_code == 400
    # The API takes the console's cookie for reads; for a change it wants the token too.
    assert http.get(f"{live_server}/v1/projects", timeout=10).status_code == 200
    changed = http.delete(f"{live_server}/v1/sessions/current", timeout=10)
    assert changed.status_code == 400 and changed.json()["code"] == 400.93
    # A sign-in form posted from elsewhere (no login cookie) signs no one in.
    forged = requests.post(f"{live_server}/login", data={"csrf_token": "x", "email": supervisor[0],
                                                         "password": supervisor[1]}, allow_redirects=False,
                           timeout=10)
    assert forged.status_code == 400 and "dixian_session" not in forged.cookies


def test_a_forged_expired_or_orphaned_session_goes_back_to_sign_in(app, live_server, supervisor):
    from app.extensions import db
    forged = requests.get(f"{live_server}/console", cookies={"dixian_session": "A" * 64}, allow_redirects=False,
                          timeout=10)
    assert forged.status_code == 302 and "/login" in forged.headers["Location"]
    http = _session_cookie(live_server, supervisor)
    with app.app_context():
        db.session.execute(text("UPDATE api_session SET expires_at = now() - interval '1 second'"))
        db.session.commit()
    expired = http.get(f"{live_server}/console", allow_redirects=False, timeout=10)
    assert expired.status_code == 302 and "/login" in expired.headers["Location"]
    http = _session_cookie(live_server, supervisor)
    with app.app_context():
        db.session.execute(text("UPDATE actor SET deleted_at = now() WHERE display_name = :email"),
                           {"email": supervisor[0]})
        db.session.commit()
    assert http.get(f"{live_server}/console", allow_redirects=False, timeout=10).status_code == 302


def test_after_signing_in_only_paths_of_this_server_are_followed(live_server, supervisor):
    http = requests.Session()
    form = http.get(f"{live_server}/login?next=//evil.example/x", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    answer = http.post(f"{live_server}/login?next=//evil.example/x", allow_redirects=False, timeout=10,
                       data={"csrf_token": token, "email": supervisor[0], "password": supervisor[1]})
    assert answer.headers["Location"].endswith("/console")


def test_every_page_has_the_sites_icon(page, live_server):
    page.goto(f"{live_server}/login")
    icon = page.get_attribute("link[rel=icon]", "href")
    answer = page.request.get(f"{live_server}{icon}")
    assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in answer.body()
    asked = page.request.get(f"{live_server}/favicon.ico")            # redirects followed, as browsers do
    assert asked.status == 200 and asked.body() == answer.body()
