"""A submission's photos, as ODK Central lists and serves them, read only by who may read the submission,
and shown on the household's page."""
import base64

import requests

from tests.support.households import screening_xml
from tests.support.people import bearer
from tests.support.registry import SCREENING, cover_test_villages, load_registry

FIRST = "uuid:aaaaaaaa-0000-4000-8000-000000000001"
# A 1x1 PNG, so that a browser draws it.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
                       "60e6kgAAAABJRU5ErkJggg==")


def _screened_with_photo(app, project, publish, device):
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(FIRST, photo="house.png"), {"house.png": PNG}).status_code == 201


def test_attachments_are_listed_and_served_to_readers_of_the_submission(app, project, publish, device, live_server):
    _screened_with_photo(app, project, publish, device)
    base = f"{live_server}/v1/projects/{project}/forms/fpf_hh_screening/submissions/{FIRST}/attachments"
    viewer = bearer(app, live_server, project, "viewer", ["420102001000"])
    assert requests.get(base, headers=viewer, timeout=10).json() == [{"name": "house.png", "exists": True}]
    photo = requests.get(f"{base}/house.png", headers=viewer, timeout=10)
    assert photo.status_code == 200 and photo.content == PNG and photo.headers["Content-Type"] == "image/png"
    assert photo.headers["Cache-Control"] == "private, no-cache"
    elsewhere = bearer(app, live_server, project, "viewer", ["420102001002"])          # the next village
    assert requests.get(f"{base}/house.png", headers=elsewhere, timeout=10).status_code == 404
    assert requests.get(f"{base}/other.jpg", headers=viewer, timeout=10).status_code == 404
    assert requests.get(f"{device.server_url}/forms/fpf_hh_screening/submissions/{FIRST}/attachments",
                        timeout=10).status_code == 403                     # a device never reads back
