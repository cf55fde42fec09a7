"""Central's roles and form assignments, driven by pyodk 1.3.0's FormAssignmentService: a form given to an app
user reaches its phone, and only its phone once assigned; taken back, it goes to every device again."""
import pytest
from pyodk.errors import PyODKError

from tests.conftest import REPO
from tests.http import doors
from tests.support.collect import CollectClient
from tests.support.people import user_with_role
from tests.support.pyodk_client import app_users, form_assignments

SCREENING = REPO / "forms" / "fpf_hh_screening.md"
HOUSING = REPO / "forms" / "fpf_housing.md"


@pytest.fixture()
def forms(publish):
    publish(SCREENING)
    publish(HOUSING)


def phone_forms(live_server: str, project: int, token: str) -> set[str]:
    return {f.form_id for f in CollectClient(f"{live_server}/v1/key/{token}/projects/{project}").form_list()}


def test_roles_are_centrals_with_dixians_verbs(odk):
    roles = {r["id"]: r for r in odk.session.get("roles").json()}
    assert {i: r["system"] for i, r in roles.items()} == {1: "admin", 2: "app-user", 5: "manager", 6: "viewer",
                                                         8: "formfill", 9: "pub-link"}
    assert all(set(r) == {"id", "name", "system", "createdAt", "updatedAt", "verbs"} for r in roles.values())
    assert roles[2]["verbs"] == ["form.list", "form.read", "submission.create"]
    viewer = set(roles[6]["verbs"])
    assert {"household.read", "entity.list", "dataset.list", "submission.list"} <= viewer
    assert "personal_data.read" not in viewer and "personal_data.read" in roles[5]["verbs"]
    assert not any("entity.create" in r["verbs"] for r in roles.values())      # the registry list is read-only
    assert odk.session.get("roles/app-user").json() == roles[2]
    assert odk.session.get("roles/5").json()["system"] == "manager"
    doors.problem(odk.session.get("roles/3"), 404, 404.1)          # Central's password-reset role: not here
    doors.problem(odk.session.get("roles/nope"), 404, 404.1)


def test_pyodk_assigns_a_form_without_taking_it_from_the_other_phones(odk, live_server, project, forms):
    """A form assigned to nobody goes to every device: pyodk's first assignment must not take it from the
    phones that have it (their queued submissions would be refused), only from devices made after."""
    chosen = app_users(odk).create(display_name="甲")
    other = app_users(odk).create(display_name="乙")
    assert phone_forms(live_server, project, other.token) == {"fpf_hh_screening", "fpf_housing"}
    assert form_assignments(odk).assign(role_id=2, user_id=chosen.id, form_id="fpf_housing") is True
    assert phone_forms(live_server, project, chosen.token) == {"fpf_hh_screening", "fpf_housing"}
    assert phone_forms(live_server, project, other.token) == {"fpf_hh_screening", "fpf_housing"}
    later = app_users(odk).create(display_name="丙")
    assert phone_forms(live_server, project, later.token) == {"fpf_hh_screening"}

    base = f"projects/{project}/forms/fpf_housing/assignments"
    assert odk.session.get(base).json() == [{"actorId": chosen.id, "roleId": 2}, {"actorId": other.id, "roleId": 2}]
    actors = odk.session.get(f"{base}/app-user").json()
    assert [(a["id"], a["type"], a["displayName"]) for a in actors] == [(chosen.id, "field_key", "甲"),
                                                                         (other.id, "field_key", "乙")]
    assert odk.session.get(f"{base}/2").json() == actors
    assert odk.session.get(f"{base}/viewer").json() == []
    assert odk.session.get(f"projects/{project}/forms/fpf_hh_screening/assignments").json() == []

    # Assigning again changes nothing (Central: 409.3; pyodk's create_app_users would stop half way).
    assert form_assignments(odk).assign(role_id=2, user_id=chosen.id, form_id="fpf_housing") is True
    assert len(odk.session.get(base).json()) == 2

    # Taken from one phone explicitly: then it reaches only the chosen one.
    assert odk.session.delete(f"{base}/app-user/{other.id}").json() == {"success": True}
    assert phone_forms(live_server, project, other.token) == {"fpf_hh_screening"}
    assert odk.session.delete(f"{base}/app-user/{chosen.id}").json() == {"success": True}
    assert odk.session.get(base).json() == []
    # Assigned to nobody again: every device gets it (Dixian's rule, unlike Central's).
    assert phone_forms(live_server, project, other.token) == {"fpf_hh_screening", "fpf_housing"}
    doors.problem(odk.session.delete(f"{base}/2/{chosen.id}"), 404, 404.1)


def test_a_form_stays_with_its_devices_when_one_is_revoked(odk, live_server, project, forms):
    """Central deletes a deleted app user's assignments; here the form would then go to every device. The
    assignment stays, listed with the revoked account, until it is taken away."""
    chosen = app_users(odk).create(display_name="甲")
    other = app_users(odk).create(display_name="乙")
    form_assignments(odk).assign(role_id=2, user_id=chosen.id, form_id="fpf_housing")
    odk.session.delete(f"projects/{project}/forms/fpf_housing/assignments/2/{other.id}")
    odk.session.delete(f"projects/{project}/app-users/{chosen.id}")
    base = f"projects/{project}/forms/fpf_housing/assignments"
    assert odk.session.get(base).json() == [{"actorId": chosen.id, "roleId": 2}]
    [actor] = odk.session.get(f"{base}/app-user").json()
    assert actor["id"] == chosen.id and actor["deletedAt"] is not None
    assert phone_forms(live_server, project, other.token) == {"fpf_hh_screening"}
    assert odk.session.delete(f"{base}/2/{chosen.id}").json() == {"success": True}
    assert phone_forms(live_server, project, other.token) == {"fpf_hh_screening", "fpf_housing"}


def test_assignments_that_cannot_be_are_refused(app, odk, project, forms):
    chosen = app_users(odk).create(display_name="甲")
    from app.extensions import db
    from app.models import User
    email = user_with_role(app, project, "viewer")
    with app.app_context():
        web_user = db.session.query(User).filter_by(email=email).one().actor_id
    base = f"projects/{project}/forms/fpf_housing/assignments"
    doors.problem(odk.session.post(f"{base}/manager/{chosen.id}"), 400, 400.8)   # forms go to app users only
    doors.problem(odk.session.post(f"{base}/2/{web_user}"), 404, 404.1)           # a web user is no app user
    doors.problem(odk.session.post(f"{base}/7/{chosen.id}"), 404, 404.1)          # no role 7 here
    doors.problem(odk.session.post(f"{base}/2/abc"), 404)
    doors.problem(odk.session.post(f"{base}/2/99999999999"), 404, 404.1)
    doors.problem(odk.session.post(f"projects/{project}/forms/nope/assignments/2/{chosen.id}"), 404, 404.1)
    doors.problem(odk.session.get(f"projects/{project}/forms/nope/assignments"), 404, 404.1)
    assert odk.session.get(base).json() == []


def test_only_managers_see_and_change_assignments(app, live_server, project, forms, tmp_path):
    from tests.support.pyodk_client import pyodk_as_role
    viewer = pyodk_as_role(app, live_server, project, "viewer", tmp_path)
    doors.problem(viewer.session.get(f"projects/{project}/forms/fpf_housing/assignments"), 403, 403.1)
    with pytest.raises(PyODKError) as refused:
        form_assignments(viewer).assign(role_id=2, user_id=1, form_id="fpf_housing")
    doors.problem(refused.value.args[1], 403, 403.1)
