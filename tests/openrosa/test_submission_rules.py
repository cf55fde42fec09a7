"""Resends, conflicts, split uploads, edits and form versions, as ODK Central handles them."""
import hashlib

import pytest
from sqlalchemy import select

from tests.conftest import REAL_FORMS, REPO
from tests.support.households import screening_xml
from tests.support.instances import PHOTO, build_instance

SCREENING = REPO / "forms" / "fpf_hh_screening.md"


def _xform(device):
    return device.get(device.form_list()[0].download_url).content


def _versions(app):
    from app.extensions import db
    from app.models import SubmissionVersion
    with app.app_context():
        return db.session.scalars(select(SubmissionVersion).order_by(SubmissionVersion.id)).all()


def _attachments(app):
    from app.extensions import db
    from app.models import SubmissionAttachment
    with app.app_context():
        return {(a.name, a.blob_sha256 is not None) for a in db.session.scalars(select(SubmissionAttachment))}


def test_byte_identical_resend_is_201_and_no_new_record(app, publish, device):
    publish(SCREENING)
    xml, files = build_instance(_xform(device))
    assert device.post_submission(xml, files).status_code == 201
    assert device.post_submission(xml, files).status_code == 201
    assert len(_versions(app)) == 1


def test_same_instance_id_with_different_xml_is_409(app, publish, device):
    publish(SCREENING)
    xform = _xform(device)
    xml, files = build_instance(xform, instance_id="uuid:11111111-1111-4111-8111-111111111111")
    other, _ = build_instance(xform, "chinese", instance_id="uuid:11111111-1111-4111-8111-111111111111")
    assert device.post_submission(xml, files).status_code == 201
    response = device.post_submission(other, {})
    assert response.status_code == 409
    assert "different XML" in response.text
    [stored] = _versions(app)
    assert stored.xml == xml


def test_split_upload_merges_attachments_across_posts(app, publish, device):
    publish(SCREENING)
    name = "1700000000000.jpg"
    xml, files = screening_xml(photo=name), {name: PHOTO}
    first = device.post_submission(xml, {}, incomplete=True)
    assert first.status_code == 201
    assert _attachments(app) == {(name, False)}
    assert device.post_submission(xml, files).status_code == 201
    assert _attachments(app) == {(name, True)}
    assert len(_versions(app)) == 1


def test_unknown_parts_are_ignored_and_unicode_names_kept(app, publish, device):
    publish(SCREENING)
    xml = screening_xml(photo="户主照片.jpg")
    response = device.post_submission(xml, {"户主照片.jpg": PHOTO, "stray.bin": b"junk"})
    assert response.status_code == 201
    assert _attachments(app) == {("户主照片.jpg", True)}


@pytest.mark.parametrize("name", ["../../etc/passwd.jpg", "/etc/passwd.jpg"])
def test_attachment_names_with_paths_are_stored_under_a_plain_name(app, publish, device, name):
    publish(SCREENING)
    xml = screening_xml(photo=name)
    response = device.post_submission(xml, {name: PHOTO})
    assert response.status_code == 201
    assert _attachments(app) == {("passwd.jpg", True)}


def test_a_resend_completes_attachments_and_never_replaces_one(app, project, publish, device, live_server):
    """A resend fills in a file that has not arrived; one that arrived stays, whoever resends (the attack
    test replaced a stored photo by resending the same XML from another device)."""
    from app.services.accounts.app_users import assign_places, create_app_user
    from tests.support.collect import CollectClient
    from tests.support.registry import load_registry
    load_registry(app, project)
    publish(SCREENING)
    xml, files = build_instance(_xform(device), instance_id="uuid:66666666-6666-4666-8666-666666666666")
    name, photo = next(iter(files.items()))
    assert device.post_submission(xml, {}, incomplete=True).status_code == 201
    assert _attachments(app) == {(n, False) for n in files}
    with app.app_context():
        _, token = create_app_user(project, "村干部 其他")
        assign_places(project, "村干部 其他", ["420102001002"])
    other = CollectClient(f"{live_server}/v1/key/{token}/projects/{project}")
    assert other.post_submission(xml, {name: b"forged"}).status_code == 201     # acknowledged, not taken
    assert _attachments(app) == {(n, False) for n in files}
    assert device.post_submission(xml, {name: photo}).status_code == 201
    assert device.post_submission(xml, {name: b"replaced"}).status_code == 201
    from app.extensions import db
    from app.models import SubmissionAttachment
    with app.app_context():
        sha = db.session.scalar(select(SubmissionAttachment.blob_sha256).where(SubmissionAttachment.name == name))
    assert sha == hashlib.sha256(photo).hexdigest()


def test_edit_with_deprecated_id_keeps_every_version_and_carries_attachments(app, publish, device, editor):
    from app.extensions import db
    from app.models import Submission
    publish(SCREENING)
    xform = _xform(device)
    first_id = "uuid:22222222-2222-4222-8222-222222222222"
    xml, files = build_instance(xform, instance_id=first_id)
    assert device.post_submission(xml, files).status_code == 201
    edit = xml.replace(first_id.encode(), b"uuid:33333333-3333-4333-8333-333333333333").replace(
        b"</meta>", f"<deprecatedID>{first_id}</deprecatedID></meta>".encode())
    edit = edit.replace(b"field note", b"corrected")
    assert device.post_submission(edit, {}).status_code == 403      # a device may not edit (Central's app user)
    assert editor.post_submission(edit, {}).status_code == 201
    versions = _versions(app)
    assert [v.instance_id for v in versions] == [first_id, "uuid:33333333-3333-4333-8333-333333333333"]
    with app.app_context():
        [submission] = db.session.scalars(select(Submission)).all()
        assert submission.instance_id == first_id
        assert submission.current_version_id == versions[1].id
        assert submission.review_state == "edited"
    assert all(present for _, present in _attachments(app))   # the photo came forward

    # Editing the old copy again is a conflict; an unknown deprecatedID is not found.
    stale = edit.replace(b"uuid:33333333-3333-4333-8333-333333333333", b"uuid:44444444-4444-4444-8444-444444444444")
    assert editor.post_submission(stale, {}).status_code == 409
    orphan = stale.replace(first_id.encode(), b"uuid:55555555-5555-4555-8555-555555555555")
    assert editor.post_submission(orphan, {}).status_code == 404


def test_instance_ids_are_unique_per_form_only(app, publish, device):
    publish(SCREENING)
    publish(REAL_FORMS / "central-withrepeat" / "withrepeat.xml")
    shared = "uuid:66666666-6666-4666-8666-666666666666"
    forms = {f.form_id: f for f in device.form_list()}
    for form in forms.values():
        xml, files = build_instance(device.get(form.download_url).content, instance_id=shared)
        assert device.post_submission(xml, files).status_code == 201
    assert len(_versions(app)) == 2


def test_older_published_version_still_accepted_and_unknown_version_is_404(app, publish, device, tmp_path):
    publish(SCREENING)
    old_xform = _xform(device)
    newer = tmp_path / "fpf_hh_screening.md"
    newer.write_text(SCREENING.read_text().replace("| 2026112301 |", "| 2026112302 |"))
    publish(newer)
    assert device.form_list()[0].version == "2026112302"
    assert device.post_submission(*build_instance(old_xform)).status_code == 201
    xml, files = build_instance(old_xform)
    response = device.post_submission(xml.replace(b'version="2026112301"', b'version="1999"'), files)
    assert response.status_code == 404
    assert "version" in response.text


def test_unknown_form_is_404(device):
    response = device.post_submission(b'<data id="nope"><meta><instanceID>uuid:x</instanceID></meta></data>')
    assert response.status_code == 404
    assert b'nature="error"' in response.content


def test_device_id_and_user_agent_are_recorded(app, publish, device):
    publish(SCREENING)
    assert device.post_submission(*build_instance(_xform(device))).status_code == 201
    [stored] = _versions(app)
    assert stored.device_id == device.device_id
    assert stored.user_agent.startswith("org.odk.collect.android/")
