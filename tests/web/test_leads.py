"""The township's inbox of risk leads in the console: residents' reports arrive as leads of their village,
a duplicate joins its household's lead, the overdue come first in orange; a manager accepts or rejects
with a reason; ID numbers and phones are masked for a viewer; another township sees none of it."""
import pytest
from sqlalchemy import text

from tests.support.self_report import PNG, make_link, post_report, report_xml
from tests.web.conftest import sign_in, web_user

HEAD_IDNO = "429901197212156394"       # H0000001's head in demo/households.csv, of 李家湾 (429901001001)


@pytest.fixture()
def leads(app, live_server, publish, demo_county, monkeypatch):
    """Three reports of 李家湾: two of H0000001's household (its head's ID number, then the same phone), one of
    another household whose lead is already overdue. Returns (first lead id, overdue lead id)."""
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=50))
    link = make_link(app, publish, demo_county)
    first = post_report(live_server, link, report_xml(link.version, idno=HEAD_IDNO, name="任福军", photo="bill.png"),
                        {"bill.png": PNG})
    again = post_report(live_server, link, report_xml(link.version, phone="13800138000", name="刘勇"))
    other = post_report(live_server, link, report_xml(link.version, phone="13900139000", name="赵六"))
    assert [r.status_code for r in (first, again, other)] == [201, 201, 201]
    from app.extensions import db
    with app.app_context():
        ids = db.session.execute(text("SELECT id FROM lead ORDER BY id")).scalars().all()
        db.session.execute(text("UPDATE lead SET due_at = now() - interval '1 hour' WHERE id = :id"), {"id": ids[1]})
        db.session.commit()
    return ids[0], ids[1]


def test_a_township_viewer_sees_the_inbox_masked_and_cannot_decide(app, page, live_server, demo_county, leads):
    first, overdue = leads
    sign_in(page, live_server, *web_user(app, demo_county, "viewer", ["429901001000"]))
    page.click("a:has-text('风险线索')")
    rows = page.locator("#leads tbody tr")
    assert [rows.nth(i).get_attribute("data-lead") for i in range(rows.count())] == [str(overdue), str(first)]
    assert "overdue" in rows.nth(0).get_attribute("class") and "已逾期" in rows.nth(0).inner_text()
    assert "138****8000" in rows.nth(1).inner_text() and "13800138000" not in page.content()
    page.click(f"#leads a:text-is('{first}')")
    assert page.inner_text("#lead-state") == "待受理"
    assert page.inner_text("#lead-idno") == "4299**********6394"
    assert page.locator(".report").count() == 2                       # the duplicate joined this lead
    assert "家人患病、医疗费用高" in page.inner_text(".report >> nth=0")   # answers labelled from the form
    assert HEAD_IDNO not in page.content()
    assert page.locator(".report img.photo").count() == 1
    # The photo loads (a lazy image: waited for, as it is still on its way when the page's text is there).
    page.wait_for_function("document.querySelector('.report img.photo').complete")
    assert page.evaluate("document.querySelector('.report img.photo').naturalWidth") == 1
    assert "H0000001" in page.inner_text("#matches") and "身份证号相同" in page.inner_text("#matches")
    assert page.locator("#decisions").count() == 0                     # a viewer reads, never decides


def test_a_township_manager_accepts_and_rejects_with_a_reason(app, page, live_server, demo_county, leads):
    first, overdue = leads
    sign_in(page, live_server, *web_user(app, demo_county, "manager", ["429901001000"]))
    page.goto(f"{live_server}/projects/{demo_county}/leads/{first}")
    assert page.inner_text("#lead-phone") == "13800138000"             # a manager may read personal data
    page.click("#accept button")
    assert page.inner_text("#lead-state") == "已受理"
    page.goto(f"{live_server}/projects/{demo_county}/leads/{overdue}")
    page.fill("#reject input[name=reason]", "经核实为重复反映")
    page.click("#reject button")
    assert page.inner_text("#lead-state") == "不予受理"
    assert "经核实为重复反映" in page.inner_text("#lead-facts")
    from app.extensions import db
    with app.app_context():
        kinds = db.session.execute(text("SELECT kind FROM event WHERE kind LIKE 'lead.update.%' ORDER BY id")).scalars()
        assert list(kinds) == ["lead.update.report", "lead.update.accept", "lead.update.reject"]


def test_another_township_sees_no_lead(app, page, live_server, demo_county, leads):
    first, _ = leads
    sign_in(page, live_server, *web_user(app, demo_county, "manager", ["429901002000"]))
    page.goto(f"{live_server}/projects/{demo_county}/leads")
    assert page.locator("#leads tbody tr[data-lead]").count() == 0
    assert page.goto(f"{live_server}/projects/{demo_county}/leads/{first}").status == 404
    import requests
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    answer = requests.post(f"{live_server}/projects/{demo_county}/leads/{first}/decision",
                           data={"decision": "accept"}, cookies=cookies, timeout=10, allow_redirects=False)
    assert answer.status_code in (400, 403, 404)
    from app.extensions import db
    with app.app_context():
        assert db.session.execute(text("SELECT state FROM lead WHERE id = :id"), {"id": first}).scalar() == "new"
