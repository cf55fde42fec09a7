"""A submission's photos, as ODK Central lists and serves them, read only by who may read the submission,
and shown on the household's page."""
import base64
import hashlib
import io

import requests
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import BlobThumbnail
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


def _jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def test_a_photo_has_a_thumbnail_made_once_and_kept(app, project, publish, device, live_server):
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(FIRST, photo="house.jpg"),
                                  {"house.jpg": _jpeg(2000, 1500)}).status_code == 201
    url = f"{live_server}/v1/projects/{project}/forms/fpf_hh_screening/submissions/{FIRST}/attachments/house.jpg"
    viewer = bearer(app, live_server, project, "viewer", ["420102001000"])
    first = requests.get(url, params={"thumbnail": "true"}, headers=viewer, timeout=10)
    assert first.status_code == 200 and first.headers["Content-Type"] == "image/jpeg"
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert Image.open(io.BytesIO(first.content)).size == (320, 240)
    again = requests.get(url, params={"thumbnail": "true"}, headers=viewer, timeout=10)
    assert again.content == first.content
    with app.app_context():
        kept = db.session.execute(select(BlobThumbnail.thumbnail_sha256)).scalars().all()
    assert kept == [hashlib.sha256(first.content).hexdigest()]          # made once, kept as a blob
    elsewhere = bearer(app, live_server, project, "viewer", ["420102001002"])
    assert requests.get(url, params={"thumbnail": "true"}, headers=elsewhere, timeout=10).status_code == 404


def test_a_file_that_is_no_photo_has_no_thumbnail(app, project, publish, device, live_server):
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(FIRST, photo="house.jpg"),
                                  {"house.jpg": b"GIF89a but not really"}).status_code == 201
    url = f"{live_server}/v1/projects/{project}/forms/fpf_hh_screening/submissions/{FIRST}/attachments/house.jpg"
    answer = requests.get(url, params={"thumbnail": "true"}, headers=bearer(app, live_server, project, "viewer",
                                                                           ["420102001000"]), timeout=10)
    assert answer.status_code == 415 and answer.json()["code"] == 415.1
    assert "house.jpg" in answer.json()["message"]
