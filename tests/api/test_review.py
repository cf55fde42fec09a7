"""Reviewing submissions through Central's API: PATCH a review state, comments, and a bulk review over a
filter (Dixian's) that is one transaction, confirmed by count, and reaches only the caller's places."""
import requests
from sqlalchemy import text

from tests.support.households import screening_xml
from tests.support.people import bearer
from tests.support.registry import SCREENING, cover_test_villages, load_registry

FORM = "fpf_hh_screening"


def _ids(n: int, village_digit: int) -> list[str]:
    return [f"uuid:bbbbbbbb-000{village_digit}-4000-8000-{i:012d}" for i in range(n)]


def _screenings(app, project, publish, device) -> tuple[list[str], list[str]]:
    """Three screenings of 一元村 (420102001001) and two of 二元村 (420102001002)."""
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    first, second = _ids(3, 1), _ids(2, 2)
    for instance_id in first:
        assert device.post_submission(screening_xml(instance_id, household="H001")).status_code == 201
    for instance_id in second:
        assert device.post_submission(screening_xml(instance_id, village="420102001002",
                                                    household="H002")).status_code == 201
    return first, second


def _rows(app, sql: str, **params):
    from app.extensions import db
    with app.app_context():
        return db.session.execute(text(sql), params).all()


def test_a_manager_reviews_and_comments_as_in_central(app, project, publish, device, editor, live_server):
    first, _ = _screenings(app, project, publish, device)
    manager = bearer(app, live_server, project, "manager", ["420102001001"])
    url = f"{live_server}/v1/projects/{project}/forms/{FORM}/submissions/{first[0]}"
    before = requests.get(url, headers=manager, timeout=10).json()
    assert before["reviewState"] is None and before["instanceId"] == first[0]
    assert set(before) == {"instanceId", "submitterId", "deviceId", "userAgent", "instanceName", "reviewState",
                           "createdAt", "updatedAt", "deletedAt", "currentVersion"}
    assert set(before["currentVersion"]) == {"instanceId", "instanceName", "submitterId", "deviceId", "userAgent",
                                             "createdAt", "current"}
    answer = requests.patch(url, json={"reviewState": "hasIssues"}, headers=manager, timeout=10)
    assert answer.status_code == 200 and answer.json()["reviewState"] == "hasIssues"
    assert requests.patch(url, json={"reviewState": "approved"}, headers=manager, timeout=10).status_code == 200
    comment = requests.post(f"{url}/comments", json={"body": "照片不清楚,请补拍"}, headers=manager, timeout=10)
    assert comment.status_code == 200 and comment.json()["body"] == "照片不清楚,请补拍"
    listed = requests.get(f"{url}/comments", headers=manager, timeout=10).json()
    assert [c["body"] for c in listed] == ["照片不清楚,请补拍"] and set(listed[0]) == {"body", "actorId", "createdAt"}
    history = _rows(app, "SELECT r.from_state, r.to_state FROM submission_review r JOIN submission s "
                         "ON s.id = r.submission_id WHERE s.instance_id = :i ORDER BY r.id", i=first[0])
    assert history == [(None, "hasIssues"), ("hasIssues", "approved")]
    events = _rows(app, "SELECT payload->>'from', payload->>'to' FROM event WHERE kind = 'submission.update' "
                        "AND subject = :i ORDER BY id", i=first[0])
    assert events == [(None, "hasIssues"), ("hasIssues", "approved")]
    # An administrator corrects the screening in Collect: Central's rule sets it to edited, kept in the history.
    correction = screening_xml(f"uuid:eeeeeeee-0000-4000-8000-{1:012d}", household="H001").replace(
        b"</instanceID>", f"</instanceID><deprecatedID>{first[0]}</deprecatedID>".encode())
    assert editor.post_submission(correction).status_code == 201
    assert requests.get(url, headers=manager, timeout=10).json()["reviewState"] == "edited"
    history = _rows(app, "SELECT r.from_state, r.to_state, a.display_name FROM submission_review r "
                         "JOIN submission s ON s.id = r.submission_id LEFT JOIN actor a ON a.id = r.actor_id "
                         "WHERE s.instance_id = :i ORDER BY r.id", i=first[0])
    assert [h[:2] for h in history] == [(None, "hasIssues"), ("hasIssues", "approved"), ("approved", "edited")]
    assert history[2][2] is not None and history[2][2] != history[1][2]          # the editor, not the reviewer


def test_bad_reviews_are_refused_with_a_problem_and_change_nothing(app, project, publish, device, live_server):
    first, second = _screenings(app, project, publish, device)
    manager = bearer(app, live_server, project, "manager", ["420102001001"])
    viewer = bearer(app, live_server, project, "viewer", ["420102001001"])
    url = f"{live_server}/v1/projects/{project}/forms/{FORM}/submissions/{first[0]}"
    for body in ({"reviewState": "edited"}, {"reviewState": "done"}, {"reviewState": None}, {}, ["approved"]):
        answer = requests.patch(url, json=body, headers=manager, timeout=10)
        assert answer.status_code == 400 and answer.headers["Content-Type"] == "application/problem+json", body
    assert requests.patch(url, json={"reviewState": "approved"}, headers=viewer, timeout=10).status_code == 403
    other = f"{live_server}/v1/projects/{project}/forms/{FORM}/submissions/{second[0]}"
    assert requests.patch(other, json={"reviewState": "approved"}, headers=manager, timeout=10).status_code == 404
    assert requests.get(f"{other}/comments", headers=manager, timeout=10).status_code == 404
    for body in ({"body": ""}, {"body": "x" * 10_001}, {"body": 5}, {"body": "a\u0000b"}):
        assert requests.post(f"{url}/comments", json=body, headers=manager, timeout=10).status_code == 400, body
    from_device = f"{device.server_url}/forms/{FORM}/submissions/{first[0]}"       # a device never reads back
    assert requests.get(f"{from_device}/comments", timeout=10).status_code == 403
    assert requests.patch(from_device, json={"reviewState": "approved"}, timeout=10).status_code == 403
    assert _rows(app, "SELECT count(*) FROM submission WHERE review_state IS NOT NULL") == [(0,)]
    assert _rows(app, "SELECT count(*) FROM submission_comment") == [(0,)]


def test_a_bulk_review_changes_the_filters_submissions_in_the_callers_places_at_once(app, project, publish, device,
                                                                                      live_server):
    first, second = _screenings(app, project, publish, device)
    township = bearer(app, live_server, project, "manager", ["420102001001"])
    base = f"{live_server}/v1/projects/{project}/submissions"
    assert requests.get(f"{base}/count?form={FORM}", headers=township, timeout=10).json() == {"count": 3}
    # The confirmed number is stale (someone else's submission came in): nothing changes.
    stale = requests.post(f"{base}/review?form={FORM}", json={"reviewState": "approved", "confirmed": 2},
                          headers=township, timeout=10)
    assert stale.status_code == 409
    assert _rows(app, "SELECT count(*) FROM submission WHERE review_state IS NOT NULL") == [(0,)]
    done = requests.post(f"{base}/review?form={FORM}&reviewState=received", json={"reviewState": "approved",
                                                                                  "confirmed": 3},
                         headers=township, timeout=10)
    assert done.status_code == 200 and done.json() == {"changed": 3}
    states = dict(_rows(app, "SELECT instance_id, review_state FROM submission"))
    assert [states[i] for i in first] == ["approved"] * 3 and [states[i] for i in second] == [None, None]
    assert _rows(app, "SELECT count(*) FROM submission_review WHERE bulk") == [(3,)]
    assert _rows(app, "SELECT count(*) FROM event WHERE kind = 'submission.update'") == [(3,)]
    nothing = requests.post(f"{base}/review?form={FORM}&reviewState=received", json={"reviewState": "approved",
                                                                                     "confirmed": 0},
                            headers=township, timeout=10)
    assert nothing.status_code == 400
    for query in ("from=2026-13-01", "reviewState=done", "place=4201x", "campaign=abc", "campaign=999"):
        answer = requests.get(f"{base}/count?{query}", headers=township, timeout=10)
        assert answer.status_code in (400, 404) and answer.headers["Content-Type"] == "application/problem+json"
