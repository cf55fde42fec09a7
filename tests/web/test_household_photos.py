"""The household page shows the photos of its submissions, drawn by the browser."""
from tests.web.conftest import sign_in, web_user


def test_the_household_page_shows_its_photos(app, project, publish, device, live_server, page):
    from tests.api.test_submission_attachments import _screened_with_photo
    _screened_with_photo(app, project, publish, device)
    sign_in(page, live_server, *web_user(app, project, "viewer", ["420102001000"]))
    page.goto(f"{live_server}/projects/{project}/households/H001")
    page.wait_for_function("document.querySelector('img.photo') && document.querySelector('img.photo').complete")
    assert page.evaluate("document.querySelector('img.photo').naturalWidth") == 1
