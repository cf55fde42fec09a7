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


def web_user(app, project: int, role: str, places=()) -> tuple[str, str]:
    """A web user with `role` on `places`: (email, password)."""
    from app.services.accounts.grants import grant_role
    from app.services.accounts.users import create_user
    email = f"{role}-{'-'.join(places) or 'all'}@example.org"
    with app.app_context():
        create_user(email, "a long enough password")
        grant_role(project, email, role, list(places))
    return email, "a long enough password"
