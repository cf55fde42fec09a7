"""Every good real-world form publishes and takes Collect-style submissions; every broken one is refused."""
import json

import pytest
from sqlalchemy import func, select

from tests.conftest import REAL_FORMS
from tests.support.instances import build_instance, encrypted_envelope

CORPUS = json.loads((REAL_FORMS / "corpus.json").read_text())
GOOD = [f for f in CORPUS["forms"] if f["expect"] == "accept"]
BROKEN = CORPUS["broken"]


@pytest.mark.parametrize("entry", GOOD, ids=[f["slug"] for f in GOOD])
def test_real_form_publishes_and_takes_submissions(entry, app, publish, device):
    from app.extensions import db
    from app.models import GeoAnswer, SubmissionVersion

    folder = REAL_FORMS / entry["dir"]
    form_id, version = publish(folder / entry["file"], folder)
    assert form_id == entry["form_id"]
    assert version == (entry["version"] or "")

    listed = {f.form_id: f for f in device.form_list()}
    assert form_id in listed
    xform = device.get(listed[form_id].download_url)
    assert xform.status_code == 200
    assert "md5:" + __import__("hashlib").md5(xform.content).hexdigest() == listed[form_id].hash
    if entry["media"]:
        names = {m["filename"] for m in device.manifest(listed[form_id].manifest_url)}
        assert names == set(entry["media"])

    encrypted = "encrypted" in entry["features"]
    flavours = ["plain"] if encrypted else ["plain", "chinese", "special"]
    sent = set()
    for flavour in flavours:
        xml, files = encrypted_envelope(xform.content) if encrypted else build_instance(xform.content, flavour)
        sent.add(xml)
        response = device.post_submission(xml, files)
        assert response.status_code == 201, response.text
        assert "OpenRosaResponse" in response.text

    with app.app_context():
        stored = db.session.scalars(select(SubmissionVersion)).all()
        # Identical XML (a form with no text and no instanceID) is one submission, sent again.
        assert {row.xml for row in stored} == sent
        geo_fields = [f for f in entry["features"] if f in ("geopoint", "geotrace", "geoshape")]
        if geo_fields and not encrypted:
            with_geometry = db.session.scalar(select(func.count()).select_from(GeoAnswer)
                                              .where(GeoAnswer.geom.is_not(None)))
            assert with_geometry > 0


@pytest.mark.parametrize("entry", BROKEN, ids=[f["slug"] for f in BROKEN])
def test_broken_form_is_refused_with_a_clear_message(entry, app, project):
    from app.problems import Problem
    from app.services.forms.publish import publish_form

    path = REAL_FORMS / entry["dir"] / entry["file"]
    with app.app_context():
        try:
            result = publish_form(project, path.name, path.read_bytes(), blobs=app.extensions["blobstore"])
        except Problem as e:
            assert e.status == 400
            assert e.message.startswith("The form could not be published.")
            assert "Traceback" not in e.message
        else:
            assert entry["expect"] == "either", f"{entry['slug']} was published as {result.form.xml_form_id}"
