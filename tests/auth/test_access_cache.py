"""A worker remembers sessions and grants for a few seconds (services/accounts/access_cache): a change made
through this worker counts at once, one made elsewhere within ACCESS_CACHE_SECONDS, and a session never
outlives its expiry."""
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import text

from tests.support.people import bearer


def _projects(live_server, project, headers):
    return requests.get(f"{live_server}/v1/projects/{project}/forms", headers=headers, timeout=10).status_code


@pytest.fixture()
def short_memory(app):
    """The app's memory of sessions and grants, for one second instead of the default."""
    from app.services.accounts import access_cache
    access_cache.configure(1.0)
    yield
    access_cache.configure(app.config["ACCESS_CACHE_SECONDS"])


def test_a_role_taken_through_this_worker_counts_at_once(app, live_server, project):
    from app.core.access import EVERYTHING, Access, Principal
    from app.services.accounts.grants import revoke_role
    viewer = bearer(app, live_server, project, "viewer")
    assert _projects(live_server, project, viewer) == 200
    with app.app_context():
        revoke_role(Access(Principal(0, "user", "admin", is_admin=True), project, EVERYTHING), "viewer-all@example.org")
    assert _projects(live_server, project, viewer) == 403


def test_a_role_taken_elsewhere_counts_within_the_memorys_time(app, live_server, project, short_memory):
    from app.extensions import db
    viewer = bearer(app, live_server, project, "viewer")
    assert _projects(live_server, project, viewer) == 200
    with app.app_context():           # as another worker or the command line would: not through this one
        db.session.execute(text("DELETE FROM project_role WHERE project_id = :p"), {"p": project})
        db.session.commit()
    assert _projects(live_server, project, viewer) == 200           # still remembered here
    time.sleep(1.2)
    assert _projects(live_server, project, viewer) == 403


def test_a_session_signed_out_elsewhere_ends_within_the_memorys_time(app, live_server, project, short_memory):
    from app.extensions import db
    viewer = bearer(app, live_server, project, "viewer")
    assert _projects(live_server, project, viewer) == 200
    with app.app_context():
        db.session.execute(text("DELETE FROM api_session"))
        db.session.commit()
    time.sleep(1.2)
    assert _projects(live_server, project, viewer) == 401


def test_a_remembered_session_is_not_used_past_its_expiry(app, project):
    from app.core.access import Principal
    from app.core.tokens import token_digest
    from app.services.accounts import access_cache
    from app.services.accounts.sessions import LiveSession, live_session
    with app.test_request_context():
        expired = LiveSession(Principal(1, "user", "someone"), "csrf",
                              datetime.now(timezone.utc) - timedelta(seconds=1))
        access_cache.remembered(("session", token_digest("a" * 64)), lambda: expired)
        assert live_session("a" * 64) is None
