"""Public links through Central's API (/forms/{xmlFormId}/public-links), on Dixian's village-bound links:
made for one village, listed with their tokens, deleted; the resident's page opens and closes with them."""
import pytest
import requests

from tests.http import doors
from tests.support.pyodk_client import pyodk_as_role
from tests.support.registry import REPO, load_registry

SELF_REPORT = REPO / "forms" / "fpf_self_report.md"
VILLAGE = "420102001001"


@pytest.fixture()
def linked(app, project, publish):
    load_registry(app, project)
    publish(SELF_REPORT)
    publish(REPO / "forms" / "fpf_hh_screening.md")
    return project


def links_url(project: int, form: str = "fpf_self_report") -> str:
    return f"projects/{project}/forms/{form}/public-links"


def test_a_link_made_listed_and_deleted_through_the_api(app, live_server, odk, linked):
    made = odk.session.post(links_url(linked), json={"displayName": "一元村 海报", "village": VILLAGE, "quota": 50,
                                                     "expiresOn": "2099-12-31"})
    assert made.status_code == 200, made.text
    link = made.json()
    assert {"id", "type", "displayName", "once", "token", "createdAt", "updatedAt", "deletedAt"} <= set(link)
    assert (link["type"], link["displayName"], link["once"], link["deletedAt"]) == ("public_link", "一元村 海报",
                                                                                   False, None)
    assert (link["village"], link["villageName"], link["quota"], link["reports"], link["state"]) == (
        VILLAGE, "一元村", 50, 0, "live")
    assert link["expiresOn"] == "2099-12-31" and len(link["token"]) == 14
    assert link["url"] == f"{app.config['PUBLIC_URL']}/f/{link['token']}"
    assert requests.get(link["url"], timeout=10).status_code == 200

    assert odk.session.get(links_url(linked)).json() == [link]
    # One live link per village and form: a second is refused, naming the first.
    again = odk.session.post(links_url(linked), json={"village": VILLAGE})
    assert str(link["id"]) in doors.problem(again, 409, 409.3)["message"]

    gone = odk.session.delete(f"{links_url(linked)}/{link['id']}")
    assert gone.status_code == 200 and gone.json() == {"success": True}
    assert requests.get(link["url"], timeout=10).status_code == 410
    assert odk.session.get(links_url(linked)).json() == []
    doors.problem(odk.session.delete(f"{links_url(linked)}/{link['id']}"), 404, 404.1)
    # The village may have a new link now; its actor is the submitter of the reports sent under it.
    fresh = odk.session.post(links_url(linked), json={"village": VILLAGE}).json()
    assert fresh["token"] != link["token"] and fresh["displayName"] == "一元村 自主申报链接"


BAD_BODIES = [
    ({}, 400, 400.2),
    ({"village": ""}, 400, 400.2),
    ({"village": 420102001001}, 400, 400.8),
    ({"village": "1"}, 400, 400.8),
    ({"village": "420102001000"}, 400, 400.8),           # a township, not a village
    ({"village": VILLAGE, "once": True}, 400, 400.8),
    ({"village": VILLAGE, "quota": "x"}, 400, 400.8),
    ({"village": VILLAGE, "quota": 0}, 400, 400.8),
    ({"village": VILLAGE, "quota": 10 ** 12}, 400, 400.22),
    ({"village": VILLAGE, "displayName": "a\u0000b"}, 400, 400.8),
    ({"village": VILLAGE, "expiresOn": "tomorrow"}, 400, 400.8),
    ({"village": VILLAGE, "expiresOn": "2000-01-01"}, 400, 400.8),
    ({"village": VILLAGE, "displayName": "x" * 201}, 400, 400.13),
    ({"village": "4" * 100}, 400, 400.13),
]


def test_bad_link_requests_are_refused(odk, linked):
    for body, status, code in BAD_BODIES:
        doors.problem(odk.session.post(links_url(linked), json=body), status, code)
    assert odk.session.get(links_url(linked)).json() == []


def test_links_only_to_residents_forms_and_only_by_administrators(app, live_server, odk, linked, tmp_path):
    doors.problem(odk.session.post(links_url(linked, "fpf_hh_screening"), json={"village": VILLAGE}), 400, 400.8)
    doors.problem(odk.session.post(links_url(linked, "nope"), json={"village": VILLAGE}), 404, 404.1)
    doors.problem(odk.session.get(links_url(linked, "nope")), 404, 404.1)
    doors.problem(odk.session.delete(f"{links_url(linked)}/abc"), 404)
    manager = pyodk_as_role(app, live_server, linked, "manager", tmp_path)
    doors.problem(manager.session.get(links_url(linked)), 403, 403.1)
    doors.problem(manager.session.post(links_url(linked), json={"village": VILLAGE}), 403, 403.1)
