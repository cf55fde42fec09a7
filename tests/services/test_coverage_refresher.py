"""Coverage added up in the background: what a read would add up, done before the read."""
import time
from types import SimpleNamespace

from sqlalchemy import text

from app.extensions import db
from app.queries.coverage import COVERAGE_LOCKS
from app.serving import post_worker_init
from app.workers.coverage import CoverageRefresher
from tests.services.test_campaign_household import (
    CAMPAIGN,
    HIGH,
    LOW,
    _campaign,
    _screening,
    _villages,
    read_while_held,
)
from tests.support.registry import SCREENING, load_registry

VILLAGE = "420102001001"


def _kept(app) -> tuple[int, bool, int]:
    """The village's stored numbers (screened, whether flagged below the monitoring line) and how many notes
    wait to be added up."""
    with app.app_context():
        row = db.session.execute(text("SELECT screened, flagged FROM campaign_village WHERE village = :v"),
                                 {"v": VILLAGE}).first()
        notes = db.session.execute(text("SELECT count(*) FROM campaign_change")).scalar()
        db.session.rollback()
    return (row.screened, "income_below_line" in row.flagged, notes) if row else (0, False, notes)


def _wait_until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def _screened_once(app, project, publish, device):
    load_registry(app, project)
    publish(SCREENING)
    _campaign(app, project)
    _villages(app, project)          # read once: every village added up, nothing noted
    assert device.post_submission(_screening(1, wage=LOW, day="2026-11-10"), {}).status_code == 201
    assert _kept(app) == (0, False, 1)   # the screening is noted, not yet added up


def test_a_round_adds_up_what_changed_and_a_read_then_agrees(app, project, publish, device):
    _screened_once(app, project, publish, device)
    assert CoverageRefresher(app, 60).refresh_once() == 1
    assert _kept(app) == (1, True, 0)
    with app.app_context():
        stored = db.session.execute(text("SELECT flagged FROM campaign_village WHERE village = :v"),
                                    {"v": VILLAGE}).scalar()
    village = _villages(app, project)[VILLAGE]
    assert (village.screened, village.flagged) == (1, stored)
    assert CoverageRefresher(app, 60).refresh_once() == 0        # nothing left


def test_the_refresher_thread_keeps_up_with_submissions(app, project, publish, device):
    _screened_once(app, project, publish, device)
    refresher = CoverageRefresher(app, 0.05).start()
    try:
        assert device.post_submission(_screening(2, wage=HIGH, day="2026-11-20"), {}).status_code == 201
        _wait_until(lambda: _kept(app) == (1, False, 0))
    finally:
        refresher.stop()
    assert _kept(app) == (1, False, 0)   # the later visit found the income recovered


def test_a_campaign_being_added_up_elsewhere_is_left_alone_and_a_read_waits_for_it(app, project, publish, device):
    from app.queries.coverage import WAIT_FOR_CAMPAIGN
    from app.services.coverage.campaigns import find_campaign
    _screened_once(app, project, publish, device)
    with app.app_context():
        campaign_id = find_campaign(project, CAMPAIGN).id

    def adding_up_elsewhere(conn):
        conn.execute(WAIT_FOR_CAMPAIGN, {"campaign": campaign_id})
        assert CoverageRefresher(app, 60).refresh_once() == 0
        assert _kept(app) == (0, False, 1)
    waited, read = read_while_held(app, project, adding_up_elsewhere)
    assert waited, "a read added up a campaign that was being added up elsewhere"
    assert read[VILLAGE].flagged["income_below_line"] == 1


def test_each_gunicorn_worker_starts_one_unless_switched_off(app, project, publish, device):
    _screened_once(app, project, publish, device)
    worker = SimpleNamespace(wsgi=app)
    every = app.config["COVERAGE_REFRESH_SECONDS"]
    try:
        app.config["COVERAGE_REFRESH_SECONDS"] = 0
        post_worker_init(worker)
        assert worker.coverage_refresher is None
        app.config["COVERAGE_REFRESH_SECONDS"] = 0.05
        post_worker_init(worker)
        _wait_until(lambda: not _kept(app)[2])
        worker.coverage_refresher.stop()
    finally:
        app.config["COVERAGE_REFRESH_SECONDS"] = every
    assert _kept(app) == (1, True, 0)


def _refresher_locks(app) -> int:
    with app.app_context():
        held = db.session.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                       "AND classid = :c AND objid = 0"), {"c": COVERAGE_LOCKS}).scalar()
        db.session.rollback()
    return held


def test_one_refresher_works_per_database_and_another_takes_over(app, project):
    first, second = CoverageRefresher(app, 60), CoverageRefresher(app, 60)
    try:
        assert first.leads()
        assert not second.leads()
        assert first.leads()              # still
        assert _refresher_locks(app) == 1
        first.stop()                      # as when its worker exits: the lock must not stay in the pool
        assert _refresher_locks(app) == 0
        assert second.leads()
    finally:
        first.stop()
        second.stop()
