"""Residents' self-report links from the console: an administrator creates a link for each village of a
township, downloads the township's posters and revokes a link; no role but an administrator's opens it."""
import pypdfium2
import requests

from tests.conftest import REPO
from tests.web.conftest import sign_in, web_user


def _admin(app):
    from app.services.accounts.users import create_user
    with app.app_context():
        create_user("root@example.org", "a long enough password", admin=True)
    return "root@example.org", "a long enough password"


def test_an_administrator_creates_links_downloads_posters_and_revokes(app, page, live_server, demo_county,
                                                                         publish, tmp_path):
    publish(REPO / "forms" / "fpf_self_report.md")
    sign_in(page, live_server, *_admin(app))
    page.click("a:has-text('自主申报链接')")
    page.fill("#create-links input[name=township]", "429901001000")
    page.fill("#create-links input[name=quota]", "50")
    page.click("#create-links button")
    assert "已创建 3 个链接" in page.inner_text("#done")
    villages = [row.get_attribute("data-village") for row in page.query_selector_all("#links tbody tr")]
    assert villages == ["429901001001", "429901001002", "429901001003"]
    assert "0 / 50" in page.inner_text("#links tbody tr:first-child")

    page.fill("#posters input[name=township]", "429901001000")
    with page.expect_download() as download:
        page.click("#posters button")
    saved = tmp_path / "posters.pdf"
    download.value.save_as(saved)
    document = pypdfium2.PdfDocument(str(saved))
    assert len(document) == 3 and "李家湾" in document[0].get_textpage().get_text_range()
    document.close()

    page.click("#links tr[data-village='429901001001'] button.revoke")
    page.wait_for_selector("#links tr[data-village='429901001001']:has-text('已撤销')")
    # Again for the township: the two live links are kept, the revoked village gets a new one.
    page.fill("#create-links input[name=township]", "429901001000")
    page.click("#create-links button")
    assert "已创建 1 个链接,保留 2 个已有链接" in page.inner_text("#done")

    page.fill("#create-links input[name=township]", "429901001001")             # a village
    page.click("#create-links button")
    assert "Not a township" in page.inner_text(".error")


def test_only_administrators_open_the_links_page(app, page, live_server, demo_county):
    email, password = web_user(app, demo_county, "manager")
    sign_in(page, live_server, email, password)
    assert page.query_selector("a:has-text('自主申报链接')") is None
    answer = page.goto(f"{live_server}/projects/{demo_county}/public-links")
    assert answer.status == 403
    posters = page.goto(f"{live_server}/projects/{demo_county}/public-links/posters.pdf?township=429901001000")
    assert posters.status == 403
    # A change without the session's CSRF token is refused, and changes nothing.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    refused = requests.post(f"{live_server}/projects/{demo_county}/public-links", data={"township": "429901001000"},
                            cookies=cookies, timeout=10, allow_redirects=False)
    assert refused.status_code in (400, 403)
    from sqlalchemy import text

    from app.extensions import db
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM public_link")).scalar() == 0
