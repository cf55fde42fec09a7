"""An event with every change, written in the change's own transaction: the audit trail and the job queue."""
from sqlalchemy import text

from tests.support.households import screening_xml
from tests.support.registry import SCREENING, load_registry

FIRST = "uuid:aaaaaaaa-0000-4000-8000-000000000001"


def _events(app) -> list[tuple]:
    from app.extensions import db
    with app.app_context():
        return [tuple(r) for r in db.session.execute(text(
            "SELECT kind, actor_id IS NOT NULL, project_id, place, subject, payload, processed_at IS NULL "
            "FROM event ORDER BY id"))]


def test_a_submission_and_its_edit_are_events_with_actor_place_and_subject(app, project, publish, device, editor):
    load_registry(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(FIRST), {}).status_code == 201
    edit = screening_xml("uuid:aaaaaaaa-0000-4000-8000-000000000002", village="420102001002").replace(
        b"</instanceName>", b"</instanceName><deprecatedID>" + FIRST.encode() + b"</deprecatedID>")
    assert editor.post_submission(edit, {}).status_code == 201
    submitted = [e for e in _events(app) if e[0].startswith("submission.")]
    assert [(kind, actor, place, subject) for kind, actor, _, place, subject, *_ in submitted] == [
        ("submission.create", True, "420102001001", FIRST),
        ("submission.update.version", True, "420102001002", "uuid:aaaaaaaa-0000-4000-8000-000000000002")]
    assert all(payload["xmlFormId"] == "fpf_hh_screening" and awaiting for *_, payload, awaiting in submitted)
    assert submitted[1][5]["replacedPlace"] == "420102001001"      # the edit moved it: both places are told
    assert "王五" not in str(submitted)               # no personal data in the log


def test_a_refused_submission_leaves_no_event(app, project, publish, device):
    publish(SCREENING)
    assert device.post_submission(b"<data id='fpf_hh_screening'", {}).status_code == 400
    assert [e for e in _events(app) if e[0].startswith("submission.")] == []


def test_imports_grants_sign_ins_and_devices_are_events(app, project, live_server, admin):
    import requests

    from app.services.accounts.app_users import assign_places, create_app_user, revoke_app_user
    from app.services.accounts.grants import grant_role
    from app.services.accounts.users import create_user
    load_registry(app, project)
    with app.app_context():
        create_user("v@example.org", "a long enough password", "Dixian")
        grant_role(project, "v@example.org", "viewer", ["420102001000"])
        app_user, _ = create_app_user(project, "村干部")
        assign_places(project, "村干部", ["420102001001"])
        revoke_app_user(app_user)
    assert requests.post(f"{live_server}/v1/sessions", json={"email": admin[0], "password": admin[1]},
                         timeout=10).status_code == 200
    kinds = [e[0] for e in _events(app)]
    for kind in ("places.import", "households.import", "ruleset.create", "user.create", "user.assignment.create",
                 "field_key.create", "field_key.places.set", "field_key.revoke", "user.session.create"):
        assert kind in kinds, kind
    [grant] = [e for e in _events(app) if e[0] == "user.assignment.create"]
    assert grant[2] == project and grant[5] == {"role": "viewer", "places": ["420102001"]}
