"""pyodk's submission calls against the live server (next-capabilities C.1): create with attachments, list,
get, edit, review and comments, each answer compared with what the server stored."""
import hashlib

import pytest
from pyodk._endpoints.submission_attachments import SubmissionAttachment, SubmissionAttachmentService
from pyodk.errors import PyODKError

from tests.support.rest_submissions import (
    FORM,
    actor_of,
    jpeg,
    new_instance_id,
    rows,
    screening,
    submissions_url,
)


def test_pyodk_creates_a_submission_with_its_photo_and_reads_it_back(app, demo_county, odk, admin, live_server,
                                                                      tmp_path):
    photo = tmp_path / "house.jpg"
    photo.write_bytes(jpeg())
    instance_id = new_instance_id()
    xml = screening(instance_id, photo="house.jpg")
    created = odk.submissions.create(xml.decode(), FORM, device_id="pyodk-laptop", attachments=[photo])
    assert created.instanceId == instance_id
    assert created.attachments == [SubmissionAttachment(name="house.jpg", exists=True)]
    # Stored as the OpenRosa door stores it: the XML byte for byte, the file in the blob store, the events.
    admin_id, _ = actor_of(app, admin[0])
    stored = rows(app, "SELECT v.xml, v.device_id, v.user_agent, s.submitter_id, s.admin_code, a.blob_sha256 "
                       "FROM submission s JOIN submission_version v ON v.id = s.current_version_id "
                       "JOIN submission_attachment a ON a.submission_version_id = v.id WHERE s.instance_id = :i",
                  i=instance_id)
    assert len(stored) == 1
    body, device_id, user_agent, submitter, place, sha256 = stored[0]
    assert bytes(body) == xml and device_id == "pyodk-laptop" and submitter == admin_id
    assert place == "429901001001"                       # the rules placed it, as at the OpenRosa door
    assert sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert rows(app, "SELECT kind, payload->>'files' FROM event WHERE subject = :i ORDER BY id", i=instance_id) == [
        ("submission.create", None), ("submission.attachment.update", '["house.jpg"]')]

    listed = odk.submissions.list(FORM)
    expected = rows(app, "SELECT s.instance_id FROM submission s JOIN form f ON f.id = s.form_id "
                         "WHERE f.xml_form_id = :f ORDER BY s.created_at DESC, s.id DESC", f=FORM)
    assert [s.instanceId for s in listed] == [r[0] for r in expected] and len(listed) == 2   # with the demo's
    got = odk.submissions.get(instance_id, FORM)
    assert (got.instanceId, got.submitterId, got.deviceId, got.userAgent) == (instance_id, admin_id, "pyodk-laptop",
                                                                             user_agent)
    assert got.userAgent.startswith("pyodk v") and got.reviewState is None and got.instanceName == "王五 2026-11-20"
    assert got.createdAt == listed[0].createdAt
    as_xml = odk.session.get(f"{submissions_url(live_server, demo_county)}/{instance_id}.xml")
    assert as_xml.status_code == 200 and as_xml.content == xml
    assert as_xml.headers["Content-Type"] == "application/xml"
    files = SubmissionAttachmentService(session=odk.session, default_project_id=demo_county, default_form_id=FORM)
    assert files.list(instance_id=instance_id) == [SubmissionAttachment(name="house.jpg", exists=True)]
    file_url = f"{submissions_url(live_server, demo_county)}/{instance_id}/attachments/house.jpg"
    assert odk.session.get(file_url).content == photo.read_bytes()
    thumbnail = odk.session.get(file_url, params={"thumbnail": "true"})         # made from what arrived by REST
    assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/jpeg"


def test_pyodk_uploads_a_file_that_comes_later_and_never_replaces_it(app, demo_county, odk, live_server, tmp_path):
    instance_id = new_instance_id()
    created = odk.submissions.create(screening(instance_id, photo="house.jpg").decode(), FORM)
    assert created.attachments == [SubmissionAttachment(name="house.jpg", exists=False)]
    files = SubmissionAttachmentService(session=odk.session, default_project_id=demo_county, default_form_id=FORM,
                                        default_instance_id=instance_id)
    photo = tmp_path / "house.jpg"
    photo.write_bytes(jpeg((200, 10, 10)))
    assert files.upload(photo) is True
    assert files.list() == [SubmissionAttachment(name="house.jpg", exists=True)]
    assert files.upload(photo) is True                   # the same bytes again: a retry, nothing changes
    other = tmp_path / "other" / "house.jpg"
    other.parent.mkdir()
    other.write_bytes(jpeg((10, 10, 200)))
    with pytest.raises(PyODKError, match="409"):
        files.upload(other)                              # other bytes: a file that arrived is never replaced
    with pytest.raises(PyODKError, match="404"):
        files.upload(photo, file_name="card.jpg")        # a file the submission does not name
    stored = rows(app, "SELECT a.name, a.blob_sha256 FROM submission_attachment a JOIN submission s "
                       "ON s.current_version_id = a.submission_version_id WHERE s.instance_id = :i", i=instance_id)
    assert stored == [("house.jpg", hashlib.sha256(photo.read_bytes()).hexdigest())]
    assert rows(app, "SELECT count(*) FROM event WHERE kind = 'submission.attachment.update' AND subject = :i",
                i=instance_id) == [(1,)]


def test_pyodk_edits_reviews_and_comments_and_the_versions_show_the_history(app, demo_county, odk, admin,
                                                                          live_server, tmp_path):
    photo = tmp_path / "house.jpg"
    photo.write_bytes(jpeg())
    first = new_instance_id()
    odk.submissions.create(screening(first, photo="house.jpg").decode(), FORM, attachments=[photo])
    second = new_instance_id()
    edited_xml = screening(second, photo="house.jpg", deprecated_id=first, inc_wage="3000")
    odk.submissions.edit(first, edited_xml.decode(), FORM, comment="收入填错,已改正")
    got = odk.submissions.get(first, FORM)
    assert got.instanceId == first and got.reviewState == "edited"
    assert rows(app, "SELECT r.from_state, r.to_state FROM submission_review r JOIN submission s "
                     "ON s.id = r.submission_id WHERE s.instance_id = :i", i=first) == [(None, "edited")]
    url = f"{submissions_url(live_server, demo_county)}/{first}"
    assert odk.session.get(f"{url}.xml").content == edited_xml
    # The photo of the same name is carried to the new version, as an OpenRosa edit carries it.
    assert odk.session.get(f"{url}/attachments").json() == [{"name": "house.jpg", "exists": True}]
    versions = odk.session.get(f"{url}/versions").json()
    assert [(v["instanceId"], v["current"]) for v in versions] == [(second, True), (first, False)]
    assert set(versions[0]) == {"instanceId", "instanceName", "submitterId", "deviceId", "userAgent", "createdAt",
                                "current"}
    stored = dict(rows(app, "SELECT v.instance_id, v.xml FROM submission_version v JOIN submission s "
                            "ON s.id = v.submission_id WHERE s.instance_id = :i", i=first))
    for version_id in (first, second):
        one = odk.session.get(f"{url}/versions/{version_id}")
        assert one.status_code == 200 and one.json()["instanceId"] == version_id
        assert odk.session.get(f"{url}/versions/{version_id}.xml").content == bytes(stored[version_id])
    assert odk.session.get(f"{submissions_url(live_server, demo_county)}/{second}").status_code == 404   # not an id

    odk.submissions.review(first, "approved", FORM, comment="已核实")
    assert odk.submissions.get(first, FORM).reviewState == "approved"
    comments = odk.submissions.list_comments(first, FORM)
    admin_id, _ = actor_of(app, admin[0])
    assert [(c.body, c.actorId) for c in comments] == [("收入填错,已改正", admin_id), ("已核实", admin_id)]
    assert [c.body for c in comments] == [r[0] for r in rows(
        app, "SELECT c.body FROM submission_comment c JOIN submission s ON s.id = c.submission_id "
             "WHERE s.instance_id = :i ORDER BY c.id", i=first)]

    # Central's PUT rules: the edit must name the current version (409.9), must name one (400.19), and
    # may not reuse an instanceID the form has (409.3).
    stale = screening(new_instance_id(), deprecated_id=first)
    unnamed = screening(new_instance_id())
    reused = screening(second, deprecated_id=second, inc_wage="1")
    for xml, code in ((stale, 409.9), (unnamed, 400.19), (reused, 409.3)):
        with pytest.raises(PyODKError) as refused:
            odk.submissions.edit(first, xml.decode(), FORM)
        assert refused.value.is_central_error(code), refused.value
    assert rows(app, "SELECT count(*) FROM submission_version v JOIN submission s ON s.id = v.submission_id "
                     "WHERE s.instance_id = :i", i=first) == [(2,)]
