"""Testing a form draft on a device before publishing it, at ODK Central's draft URLs."""
import json

import pytest
from sqlalchemy import func, select

from tests.conftest import REPO
from tests.support.collect import CollectClient
from tests.support.instances import build_instance

SCREENING = REPO / "forms" / "fpf_hh_screening.md"


def _draft(app, project, tmp_path, version="2026112399"):
    path = tmp_path / "fpf_hh_screening.md"
    path.write_text(SCREENING.read_text().replace("| 2026112301 |", f"| {version} |"))
    png = tmp_path / f"draft-{version}.png"
    result = app.test_cli_runner().invoke(args=["form", "publish", str(project), str(path), "--draft",
                                                "--qr-png", str(png)])
    assert result.exit_code == 0, result.output
    # The QR code holds the draft's test code, which lets anyone send test submissions: its owner's only.
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_mode & 0o777 == 0o600
    return json.loads(result.output.strip().splitlines()[-1])["server_url"]


def _count(app, model, **where):
    from app.extensions import db
    with app.app_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return db.session.scalar(query)


def test_a_draft_is_tested_through_its_own_server_url_and_not_listed_to_devices(
        app, project, publish, device, tmp_path):
    from app.models import Submission
    publish(SCREENING)
    tester = CollectClient(_draft(app, project, tmp_path))
    [listed] = tester.form_list()
    assert listed.version == "2026112399" and listed.download_url.endswith("/draft.xml")
    xform = tester.get(listed.download_url).content
    assert b'version="2026112399"' in xform
    assert tester.post_submission(*build_instance(xform)).status_code == 201

    # Devices still see the published version, and cannot send to the draft's version.
    assert [f.version for f in device.form_list()] == ["2026112301"]
    assert device.post_submission(*build_instance(xform)).status_code == 404
    assert _count(app, Submission, is_draft=True) == 1


def test_publishing_the_draft_makes_it_current_and_drops_test_submissions(app, project, publish, device, tmp_path):
    from app.models import Submission
    publish(SCREENING)
    server_url = _draft(app, project, tmp_path)
    tester = CollectClient(server_url)
    xform = tester.get(tester.form_list()[0].download_url).content
    assert tester.post_submission(*build_instance(xform)).status_code == 201
    result = app.test_cli_runner().invoke(args=["form", "publish-draft", str(project), "fpf_hh_screening"])
    assert result.exit_code == 0, result.output
    assert [f.version for f in device.form_list()] == ["2026112399"]
    assert _count(app, Submission) == 0
    # The test code is dead once the draft is published.
    gone = tester.http.get(f"{server_url}/formList")
    assert gone.status_code == 404 and b'nature="error"' in gone.content


def test_a_wrong_test_code_is_404(app, project, publish, live_server, tmp_path):
    publish(SCREENING)
    _draft(app, project, tmp_path)
    response = CollectClient(f"{live_server}/v1/test/{'B' * 64}/projects/{project}/forms/fpf_hh_screening/draft") \
        .http.head(f"{live_server}/v1/test/{'B' * 64}/projects/{project}/forms/fpf_hh_screening/draft/submission")
    assert response.status_code == 404


def test_a_new_draft_replaces_the_old_one(app, project, publish, tmp_path):
    from app.models import FormVersion
    publish(SCREENING)
    first = _draft(app, project, tmp_path, "2026112398")
    second = _draft(app, project, tmp_path, "2026112399")
    assert first == second                       # same test code, so testers keep their setup
    assert _count(app, FormVersion) == 2         # the published one and the newest draft


def test_a_draft_may_not_reuse_a_published_version(app, project, publish):
    from app.problems import Problem
    from app.services.forms.publish import publish_form
    publish(SCREENING)
    with app.app_context(), pytest.raises(Problem) as e:
        publish_form(project, SCREENING.name, SCREENING.read_bytes(), blobs=app.extensions["blobstore"], draft=True)
    assert e.value.status == 409
