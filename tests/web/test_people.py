"""Users and places from the console: an administrator creates a user and gives a role limited to places,
then takes it back; a township's manager gives roles only within their township; a form posted without
its CSRF token changes nothing."""
import requests

from tests.web.conftest import sign_in, web_user


def _admin(app):
    from app.services.accounts.users import create_user
    with app.app_context():
        create_user("root@example.org", "a long enough password", admin=True)
    return "root@example.org", "a long enough password"


def _role(app, project, email):
    from app.extensions import db
    from app.models import ProjectRole, User
    with app.app_context():
        row = db.session.query(ProjectRole).join(User, User.actor_id == ProjectRole.actor_id).filter(
            ProjectRole.project_id == project, User.email == email).one_or_none()
        return (row.role, list(row.places)) if row else None


def test_an_administrator_creates_a_user_gives_a_limited_role_and_takes_it(app, page, live_server, demo_county):
    sign_in(page, live_server, *_admin(app))
    page.goto(f"{live_server}/projects/{demo_county}/people")
    page.fill("#new-user input[name=email]", "li@example.org")
    page.fill("#new-user input[name=password]", "another long password")
    page.click("#new-user button")
    page.wait_for_url(f"**/projects/{demo_county}/people?created=*")
    assert "li@example.org" in page.inner_text("#created")                # said, and ready to be given a role
    assert page.input_value("#grant input[name=email]") == "li@example.org"
    page.select_option("#grant select[name=role]", "viewer")
    page.fill("#grant input[name=places]", "429901001000")
    page.click("#grant button")
    page.wait_for_selector("tr[data-email='li@example.org']")
    assert _role(app, demo_county, "li@example.org") == ("viewer", ["429901001"])
    assert "429901001000" in page.inner_text("tr[data-email='li@example.org']")
    page.click("tr[data-email='li@example.org'] button.revoke")
    page.wait_for_selector("tr[data-email='li@example.org']", state="detached")
    assert _role(app, demo_county, "li@example.org") is None


def test_a_township_manager_gives_roles_within_their_township_only(app, page, live_server, demo_county):
    sign_in(page, live_server, *web_user(app, demo_county, "manager", ["429901001000"]))
    web_user(app, demo_county, "viewer", ["429901002000"])               # someone of the other township
    page.goto(f"{live_server}/projects/{demo_county}/people")
    assert not page.query_selector("#new-user")                          # only administrators create users
    assert "viewer-429901002000@example.org" not in page.inner_text("#grants")
    page.fill("#grant input[name=email]", "viewer-429901002000@example.org")
    page.fill("#grant input[name=places]", "429901000000")                # the whole county: more than theirs
    page.click("#grant button")
    assert "only within your own places" in page.inner_text("[role=alert]")
    assert _role(app, demo_county, "viewer-429901002000@example.org") == ("viewer", ["429901002"])


def test_a_post_without_its_csrf_token_changes_nothing(app, live_server, demo_county):
    import re
    http = requests.Session()
    form = http.get(f"{live_server}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    email, password = _admin(app)
    http.post(f"{live_server}/login", data={"csrf_token": token, "email": email, "password": password}, timeout=10)
    web_user(app, demo_county, "viewer", ["429901001000"])
    refused = http.post(f"{live_server}/projects/{demo_county}/people/revoke",
                        data={"email": "viewer-429901001000@example.org"}, timeout=10)
    assert refused.status_code == 400
    assert _role(app, demo_county, "viewer-429901001000@example.org") == ("viewer", ["429901001"])
    refused = http.post(f"{live_server}/users", data={"email": "x@example.org", "password": "a long password!"},
                        timeout=10)
    assert refused.status_code == 400
