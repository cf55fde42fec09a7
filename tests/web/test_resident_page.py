"""The resident's page in a phone's browser (Chromium at 360×740, zh-CN): ODK Web Forms renders the
self-report form with the link's village filled in, in Chinese throughout, and the report reaches the
township as a lead; links that do not open, and reports a program sends, get Chinese pages."""
import re

import pytest
from sqlalchemy import text

from tests.support.self_report import PNG, make_link

# Texts of Web Forms 0.22.0's own chrome as app/web/static/web_forms_zh.js puts them.
CHROME_ZH = ["提交", "选择照片", "获取位置"]
_LATIN = """() => { const out = []; const walk = document.createTreeWalker(document.getElementById('app'),
    NodeFilter.SHOW_TEXT); for (let n = walk.nextNode(); n; n = walk.nextNode()) { const t = n.nodeValue.trim();
    if (/[A-Za-z]{2}/.test(t)) out.push(t); } return out; }"""


@pytest.fixture()
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture()
def quick_limits(app, monkeypatch):
    """Limits a test can fill the form within: a second's fill time, no proof of work unless asked."""
    def set_limits(**changes):
        limits = {"min_fill_seconds": 1, "challenge_after": 50} | changes
        monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], **limits))
    set_limits()
    return set_limits


def _answer(page, label: str):
    """The input of the question labelled `label` (Web Forms ties not every input to its label)."""
    return page.locator(".question-container", has=page.locator("label", has_text=label)).locator(
        "input, textarea").first


def _fill(page, phone_number: str = "13800138000", photo: bool = True) -> None:
    page.wait_for_selector("button:has-text('提交')", timeout=30_000)
    page.get_by_text("是", exact=True).first.click()
    _answer(page, "申报人姓名").fill("张三")
    page.get_by_text("本人(户主)").click()
    _answer(page, "联系电话").fill(phone_number)
    _answer(page, "家庭人口数").press_sequentially("4")      # a number box takes keys, not a pasted value
    page.get_by_text("家人患病、医疗费用高").click()
    _answer(page, "情况说明").fill("母亲住院三个月，医疗费用很高")
    if photo:
        page.locator("input[type=file]").first.set_input_files(
            files=[{"name": "bill.png", "mimeType": "image/png", "buffer": PNG}])
    page.wait_for_timeout(1100)       # the minimum fill time (quick_limits: one second)


def _thanked(page) -> None:
    """Until the thanks page shows. Its URL is waited for only until the page commits to it: the "load" of
    a page the report's script navigated to was at times never reported to Playwright (30 s timeouts, with
    the thanks page on screen)."""
    page.wait_for_url(re.compile(r"/thanks\?ref=SR-\d+$"), wait_until="commit")
    page.wait_for_selector(".reference")


def _count(app, sql: str) -> int:
    from app.extensions import db
    with app.app_context():
        return db.session.execute(text(sql)).scalar()


def test_a_resident_scans_fills_in_with_a_photo_and_sees_the_thanks(app, phone, live_server, demo_county,
                                                                      publish, quick_limits):
    link = make_link(app, publish, demo_county)
    phone.goto(link.url)
    _fill(phone)
    assert "您正在向 李家湾 提交" in phone.inner_text("#app")          # the village, from the link
    for chinese in CHROME_ZH:
        assert phone.locator(f"#app :text-is('{chinese}')").count() >= 1, chinese
    assert phone.evaluate(_LATIN) == []           # no English of Web Forms' own left (its version text aside)
    phone.click("button:has-text('提交')")
    _thanked(phone)
    assert "申报已提交" in phone.inner_text("main")
    reference = phone.inner_text(".reference")
    submission_id = int(reference.removeprefix("SR-"))
    assert _count(app, f"SELECT count(*) FROM lead_report WHERE submission_id = {submission_id}") == 1
    assert _count(app, f"SELECT count(*) FROM submission_attachment a JOIN submission s ON "
                       f"s.current_version_id = a.submission_version_id WHERE s.id = {submission_id} "
                       "AND a.blob_sha256 IS NOT NULL") == 1
    assert _count(app, f"SELECT count(*) FROM submission WHERE id = {submission_id} "
                       f"AND admin_code = '{link.village}'") == 1
    assert phone.errors == []


def test_web_forms_shows_its_errors_in_chinese(app, phone, live_server, demo_county, publish, quick_limits):
    link = make_link(app, publish, demo_county)
    phone.goto(link.url)
    phone.wait_for_selector("button:has-text('提交')", timeout=30_000)
    phone.click("button:has-text('提交')")
    phone.wait_for_selector("text=/有 \\d+ 个问题需要修改/")
    assert phone.locator("text=此题必填").count() >= 1
    assert phone.evaluate(_LATIN) == []
    assert _count(app, "SELECT count(*) FROM lead") == 0


def test_the_honeypot_and_a_too_quick_report_are_refused_in_chinese(app, phone, live_server, demo_county,
                                                                     publish, quick_limits):
    link = make_link(app, publish, demo_county)
    quick_limits(min_fill_seconds=600)
    phone.goto(link.url)
    _fill(phone, photo=False)
    phone.click("button:has-text('提交')")
    phone.wait_for_selector("#notice:has-text('提交过快')")
    quick_limits()
    phone.goto(link.url)
    _fill(phone, photo=False)
    phone.evaluate("document.getElementById('trap').value = 'http://spam.example'")
    phone.click("button:has-text('提交')")
    phone.wait_for_selector("#notice:has-text('提交未被接受')")
    assert _answer(phone, "申报人姓名").input_value() == "张三"      # the answers stay for another try
    assert _count(app, "SELECT count(*) FROM lead") == 0
    assert _count(app, f"SELECT sum(count) FROM public_link_refusal WHERE link_id = {link.id}") == 2


def test_a_busy_address_solves_the_challenge_on_the_page(app, phone, live_server, demo_county, publish,
                                                         quick_limits):
    link = make_link(app, publish, demo_county)
    quick_limits(challenge_after=0, challenge_work=30)
    phone.goto(link.url)
    phone.wait_for_selector("altcha-widget")
    _fill(phone, photo=False)
    phone.wait_for_function("document.querySelector('altcha-widget').innerText.includes('已验证')",
                            timeout=30_000)
    phone.click("button:has-text('提交')")
    _thanked(phone)
    assert _count(app, "SELECT count(*) FROM lead") == 1


@pytest.mark.parametrize("how, status, title", [
    ("revoked", 410, "此申报链接已停用"),
    ("expired", 410, "此申报链接已过期"),
    ("unknown", 404, "未找到此申报链接"),
])
def test_a_link_that_does_not_open_says_so_in_chinese(app, phone, live_server, demo_county, publish, how, status,
                                                      title):
    from app.extensions import db
    link = make_link(app, publish, demo_county)
    url = link.url
    with app.app_context():
        if how == "revoked":
            db.session.execute(text(f"UPDATE public_link SET revoked_at = now() WHERE id = {link.id}"))
        elif how == "expired":
            db.session.execute(text(f"UPDATE public_link SET expires_on = current_date - 1 WHERE id = {link.id}"))
        else:
            url = url[:-3] + ("abc" if not url.endswith("abc") else "abd")
        db.session.commit()
    answer = phone.goto(url)
    assert answer.status == status
    assert phone.inner_text("h1") == title
    assert phone.locator("#app").count() == 0
