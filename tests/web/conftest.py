"""The console in a real browser: Debian's Chromium driven by Playwright (scripts/setup.sh --dev installs
both; Playwright downloads no browser of its own)."""
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/lib/chromium/chromium")     # the binary itself: the /usr/bin wrapper adds 0.4 s
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run scripts/setup.sh --dev (Debian's chromium package)")
    with sync_playwright() as playwright:
        # WebGL2 in software (SwiftShader): no GPU here, and Chromium no longer falls back to it unasked.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"])
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture()
def supervisor(app, project, clean):
    """A township viewer of the test project: (email, password)."""
    from app.services.accounts.grants import grant_role
    from app.services.accounts.users import create_user
    from tests.support.registry import load_registry
    load_registry(app, project)
    with app.app_context():
        create_user("wang@example.org", "a long enough password")
        grant_role(project, "wang@example.org", "viewer", ["420102001000"])
    return "wang@example.org", "a long enough password"


def sign_in(page, live_server: str, email: str, password: str) -> None:
    """Signs the page's browser in through the form, as a person would."""
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/console")


@pytest.fixture()
def demo_county(app, project, publish, device, clean):
    """The demo county of the README's first run in the test project: places, 60 households placed in
    their villages, a campaign, and the example screening sent by a device of its village."""
    import re
    import uuid
    from datetime import date

    from app.services.accounts.app_users import assign_places
    from app.services.registry.imports import import_households, import_places
    from tests.conftest import REPO
    demo = REPO / "demo"
    with app.app_context():
        import_places("places.csv", (demo / "places.csv").read_bytes())
        import_households(project, "households.csv", (demo / "households.csv").read_bytes())
        assign_places(project, "村干部 测试", ["429901001001", "429901001002"])
    publish(REPO / "forms" / "fpf_hh_screening.md")
    year = date.today().year
    result = app.test_cli_runner().invoke(args=["campaign", "create", str(project), "示范排查", "--start",
                                                f"{year}-01-01", "--end", f"{year}-12-31", "--forms",
                                                "fpf_hh_screening"])
    assert result.exit_code == 0, result.output
    example = (demo / "screening-example.xml").read_text(encoding="utf-8")
    xml = re.sub(r"uuid:[0-9a-f-]*", f"uuid:{uuid.uuid4()}", example).replace("2026-11-20", date.today().isoformat())
    assert device.post_submission(xml.encode(), {}).status_code == 201
    return project


def web_user(app, project: int, role: str, places=()) -> tuple[str, str]:
    """A web user with `role` on `places`: (email, password)."""
    from app.services.accounts.grants import grant_role
    from app.services.accounts.users import create_user
    email = f"{role}-{'-'.join(places) or 'all'}@example.org"
    with app.app_context():
        create_user(email, "a long enough password")
        grant_role(project, email, role, list(places))
    return email, "a long enough password"
