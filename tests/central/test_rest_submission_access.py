"""Who reads what through Central's submission routes: extended metadata, place scoping (a township's user
does not see the next township's submissions, as in the review list), and a device token that may send
through REST but never read anything back."""
import hashlib

import pytest
import requests
from pyodk.errors import PyODKError

from demo.submissions import FORM_VERSION
from tests.support.pyodk_client import pyodk_as_role
from tests.support.rest_submissions import (
    FANGXIANG,
    FORM,
    NAZHEN_HOUSEHOLD,
    NAZHEN_VILLAGE,
    actor_of,
    jpeg,
    new_instance_id,
    rows,
    screening,
    submissions_url,
)

EXTENDED = {"X-Extended-Metadata": "true"}
ACTOR_KEYS = {"id", "type", "displayName", "createdAt", "updatedAt", "deletedAt"}


def _device_actor(app) -> tuple[int, str]:
    return tuple(rows(app, "SELECT id, display_name FROM actor WHERE kind = 'app_user'")[0])


def test_extended_metadata_names_each_submitter_as_central_does(app, demo_county, odk, admin, live_server):
    mine = new_instance_id()
    odk.submissions.create(screening(mine).decode(), FORM)
    url = submissions_url(live_server, demo_county)
    plain = odk.session.get(url).json()
    assert all("submitter" not in s and "submitter" not in s["currentVersion"] for s in plain)
    extended = odk.session.get(url, headers={"X-Extended-Metadata": "TRUE"}).json()   # Central's isTrue: any case
    by_id = {s["instanceId"]: s for s in extended}
    assert set(by_id) == {s["instanceId"] for s in plain} and len(by_id) == 2
    admin_id, admin_name = actor_of(app, admin[0])
    device_id, device_name = _device_actor(app)
    (demo,) = set(by_id) - {mine}
    for instance_id, (actor, name, kind) in ((mine, (admin_id, admin_name, "user")),
                                             (demo, (device_id, device_name, "field_key"))):
        submitter = by_id[instance_id]["submitter"]
        assert set(submitter) == ACTOR_KEYS and submitter["updatedAt"] is None and submitter["deletedAt"] is None
        assert (submitter["id"], submitter["displayName"], submitter["type"]) == (actor, name, kind)
        assert by_id[instance_id]["submitterId"] == actor
        assert by_id[instance_id]["currentVersion"]["submitter"] == submitter
    one = odk.session.get(f"{url}/{mine}", headers=EXTENDED).json()
    assert one == by_id[mine]
    versions = odk.session.get(f"{url}/{mine}/versions", headers=EXTENDED).json()
    stored_version = rows(app, "SELECT fv.version FROM submission_version v JOIN form_version fv "
                               "ON fv.id = v.form_version_id WHERE v.instance_id = :i", i=mine)[0][0]
    assert [(v["instanceId"], v["formVersion"], v["submitter"]["id"]) for v in versions] == [
        (mine, stored_version, admin_id)]
    assert stored_version == FORM_VERSION
    assert odk.session.get(f"{url}/{mine}/versions/{mine}", headers=EXTENDED).json() == versions[0]
    assert "formVersion" not in odk.session.get(f"{url}/{mine}/versions/{mine}").json()
    paged = odk.session.get(url, params={"limit": 1, "offset": 1}).json()
    assert [s["instanceId"] for s in paged] == [plain[1]["instanceId"]]


def test_a_township_user_reads_only_submissions_of_its_township(app, demo_county, odk, live_server, tmp_path):
    photo = tmp_path / "house.jpg"
    photo.write_bytes(jpeg())
    elsewhere = new_instance_id()
    odk.submissions.create(screening(elsewhere, village=NAZHEN_VILLAGE, household=NAZHEN_HOUSEHOLD,
                                     photo="house.jpg").decode(), FORM, attachments=[photo])
    assert rows(app, "SELECT admin_code FROM submission WHERE instance_id = :i", i=elsewhere) == [(NAZHEN_VILLAGE,)]
    viewer = pyodk_as_role(app, live_server, demo_county, "viewer", tmp_path, places=[FANGXIANG])
    try:
        listed = [s.instanceId for s in viewer.submissions.list(FORM)]
        in_township = [r[0] for r in rows(app, "SELECT instance_id FROM submission WHERE admin_code LIKE '429901001%' "
                                               "ORDER BY created_at DESC, id DESC")]
        assert listed == in_township and len(listed) == 1 and elsewhere not in listed
        assert viewer.submissions.get(listed[0], FORM).instanceId == listed[0]
        with pytest.raises(PyODKError) as refused:
            viewer.submissions.get(elsewhere, FORM)
        assert refused.value.is_central_error(404.1)
        url = f"{submissions_url(live_server, demo_county)}/{elsewhere}"
        for path in ("/versions", f"/versions/{elsewhere}", "/attachments", "/attachments/house.jpg"):
            answer = viewer.session.get(f"{url}{path}")
            assert answer.status_code == 404 and answer.json()["code"] == 404.1, path
        # The XML holds personal data unmasked: refused to a viewer wherever the submission is (so nothing is
        # told of one elsewhere either).
        for path in (".xml", f"/versions/{elsewhere}.xml"):
            answer = viewer.session.get(f"{url}{path}")
            assert answer.status_code == 403 and answer.json()["code"] == 403.1, path
        # A version of a submission the user may read does not open a version of one it may not.
        own = f"{submissions_url(live_server, demo_county)}/{listed[0]}"
        assert viewer.session.get(f"{own}/versions/{elsewhere}").status_code == 404
        assert viewer.session.get(f"{own}/versions/{elsewhere}.xml").status_code == 403
        assert viewer.session.get(f"{own}.xml").status_code == 403
    finally:
        viewer.close()


def test_a_township_manager_changes_only_its_township_and_an_edit_may_move_one_away(app, demo_county, odk,
                                                                                   live_server, tmp_path):
    elsewhere = new_instance_id()
    odk.submissions.create(screening(elsewhere, village=NAZHEN_VILLAGE, household=NAZHEN_HOUSEHOLD,
                                     photo="house.jpg").decode(), FORM)
    manager = pyodk_as_role(app, live_server, demo_county, "manager", tmp_path, places=[FANGXIANG])
    try:
        url = f"{submissions_url(live_server, demo_county)}/{elsewhere}"
        edit = screening(new_instance_id(), village=NAZHEN_VILLAGE, household=NAZHEN_HOUSEHOLD,
                         deprecated_id=elsewhere)
        assert manager.session.put(url, data=edit, headers={"Content-Type": "application/xml"}).status_code == 404
        assert manager.session.post(f"{url}/attachments/house.jpg", data=jpeg()).status_code == 404
        assert rows(app, "SELECT count(*) FROM submission_version v JOIN submission s ON s.id = v.submission_id "
                         "WHERE s.instance_id = :i", i=elsewhere) == [(1,)]
        assert rows(app, "SELECT blob_sha256 FROM submission_attachment a JOIN submission s "
                         "ON s.current_version_id = a.submission_version_id WHERE s.instance_id = :i",
                    i=elsewhere) == [(None,)]
        # Its own township's submission, edited to name a village of the next township: the edit is stored
        # (flagged) and answered, though the manager can no longer read the submission.
        mine = new_instance_id()
        odk.submissions.create(screening(mine).decode(), FORM)
        moved_id = new_instance_id()
        moved = manager.session.put(f"{submissions_url(live_server, demo_county)}/{mine}",
                                    data=screening(moved_id, village=NAZHEN_VILLAGE, household=NAZHEN_HOUSEHOLD,
                                                   deprecated_id=mine),
                                    headers={"Content-Type": "application/xml"})
        assert moved.status_code == 200 and moved.json()["instanceId"] == mine
        assert moved.json()["currentVersion"]["instanceId"] == moved_id and moved.json()["reviewState"] == "edited"
        assert rows(app, "SELECT admin_code FROM submission WHERE instance_id = :i", i=mine) == [(NAZHEN_VILLAGE,)]
        assert rows(app, "SELECT count(*) FROM risk_flag f JOIN submission s ON s.current_version_id = "
                         "f.submission_version_id WHERE s.instance_id = :i AND f.code = 'outside_assigned_places'",
                    i=mine) == [(1,)]
        with pytest.raises(PyODKError):
            manager.submissions.get(mine, FORM)
    finally:
        manager.close()


def test_a_device_sends_through_rest_and_reads_nothing_back(app, demo_county, device, odk, live_server):
    base = f"{device.server_url}/forms/{FORM}/submissions"
    instance_id = new_instance_id()
    xml = screening(instance_id, photo="house.jpg")
    sent = requests.post(base, params={"deviceID": "collect:rest"}, data=xml, timeout=10,
                         headers={"Content-Type": "text/xml", "User-Agent": "odk-web-forms/0.22.0"})
    assert sent.status_code == 200, sent.text
    device_actor, _ = _device_actor(app)
    body = sent.json()
    assert (body["instanceId"], body["submitterId"], body["deviceId"]) == (instance_id, device_actor, "collect:rest")
    assert body["currentVersion"]["instanceId"] == instance_id and "submitter" not in body
    photo = jpeg()
    uploaded = requests.post(f"{base}/{instance_id}/attachments/house.jpg", data=photo, timeout=10,
                             headers={"Content-Type": "image/jpeg"})
    assert uploaded.status_code == 200 and uploaded.json() == {"success": True}
    assert rows(app, "SELECT v.xml, v.user_agent, a.blob_sha256 IS NOT NULL FROM submission s "
                     "JOIN submission_version v ON v.id = s.current_version_id JOIN submission_attachment a "
                     "ON a.submission_version_id = v.id WHERE s.instance_id = :i",
                i=instance_id) == [(xml, "odk-web-forms/0.22.0", True)]
    for path in ("", f"/{instance_id}", f"/{instance_id}.xml", f"/{instance_id}/versions",
                 f"/{instance_id}/versions/{instance_id}", f"/{instance_id}/attachments",
                 f"/{instance_id}/attachments/house.jpg"):
        answer = requests.get(f"{base}{path}", timeout=10)
        assert answer.status_code == 403 and answer.json()["code"] == 403.1, path
    edit = screening(new_instance_id(), deprecated_id=instance_id)
    assert requests.put(f"{base}/{instance_id}", data=edit, headers={"Content-Type": "text/xml"},
                        timeout=10).status_code == 403
    # Another's submission in the device's own village: not its to complete.
    theirs = new_instance_id()
    odk.submissions.create(screening(theirs, photo="house.jpg").decode(), FORM)
    assert requests.post(f"{base}/{theirs}/attachments/house.jpg", data=photo, timeout=10).status_code == 404
    # One about a village the device is not assigned: stored and flagged, as at the OpenRosa door, and its
    # file still its own to send.
    away = new_instance_id()
    assert requests.post(base, data=screening(away, village=NAZHEN_VILLAGE, household=NAZHEN_HOUSEHOLD,
                                              photo="house.jpg"),
                         headers={"Content-Type": "application/xml; charset=utf-8"}, timeout=10).status_code == 200
    # As curl --data-binary sends a file (form-urlencoded): the bytes are the file all the same.
    assert requests.post(f"{base}/{away}/attachments/house.jpg", data=photo, timeout=10, headers={
        "Content-Type": "application/x-www-form-urlencoded"}).json() == {"success": True}
    assert rows(app, "SELECT a.blob_sha256 FROM submission_attachment a JOIN submission s ON s.current_version_id = "
                     "a.submission_version_id WHERE s.instance_id = :i", i=away) == [
        (hashlib.sha256(photo).hexdigest(),)]
    assert rows(app, "SELECT s.instance_id FROM risk_flag f JOIN submission s ON s.current_version_id = "
                     "f.submission_version_id WHERE f.code = 'outside_assigned_places'") == [(away,)]
    assert rows(app, "SELECT s.instance_id, a.blob_sha256 IS NOT NULL FROM submission_attachment a JOIN submission s "
                     "ON s.current_version_id = a.submission_version_id ORDER BY s.id") == [
        (instance_id, True), (theirs, False), (away, True)]
