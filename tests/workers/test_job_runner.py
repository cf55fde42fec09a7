"""The job runner: one per database; coverage added up in the background (what a read would add up,
done before the read), events followed up, housekeeping."""
import time
from types import SimpleNamespace

from sqlalchemy import text

from app.extensions import db
from app.queries.coverage import COVERAGE_LOCKS
from app.serving import post_worker_init
from app.workers.jobs import Job
from app.workers.runner import JobRunner
from tests.support.campaigns import (
    CAMPAIGN,
    HIGH,
    LOW,
    create_test_campaign,
    numbered_screening,
    read_while_held,
    villages,
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
    create_test_campaign(app, project)
    villages(app, project)          # read once: every village added up, nothing noted
    assert device.post_submission(numbered_screening(1, wage=LOW, day="2026-11-10"), {}).status_code == 201
    assert _kept(app) == (0, False, 1)   # the screening is noted, not yet added up


def test_a_round_adds_up_what_changed_and_a_read_then_agrees(app, project, publish, device):
    _screened_once(app, project, publish, device)
    assert JobRunner(app, 60).run_once()["coverage"] == 1
    assert _kept(app) == (1, True, 0)
    with app.app_context():
        stored = db.session.execute(text("SELECT flagged FROM campaign_village WHERE village = :v"),
                                    {"v": VILLAGE}).scalar()
    village = villages(app, project)[VILLAGE]
    assert (village.screened, village.flagged) == (1, stored)
    assert JobRunner(app, 60).run_once()["coverage"] == 0        # nothing left


def test_the_refresher_thread_keeps_up_with_submissions(app, project, publish, device):
    _screened_once(app, project, publish, device)
    refresher = JobRunner(app, 0.05).start()
    try:
        assert device.post_submission(numbered_screening(2, wage=HIGH, day="2026-11-20"), {}).status_code == 201
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
        assert JobRunner(app, 60).run_once()["coverage"] == 0
        assert _kept(app) == (0, False, 1)
    waited, read = read_while_held(app, project, adding_up_elsewhere)
    assert waited, "a read added up a campaign that was being added up elsewhere"
    assert read[VILLAGE].flagged["income_below_line"] == 1


def test_each_gunicorn_worker_starts_one_unless_switched_off(app, project, publish, device):
    _screened_once(app, project, publish, device)
    worker = SimpleNamespace(wsgi=app)
    every = app.config["BACKGROUND_JOBS_SECONDS"]
    try:
        app.config["BACKGROUND_JOBS_SECONDS"] = 0
        post_worker_init(worker)
        assert worker.job_runner is None
        app.config["BACKGROUND_JOBS_SECONDS"] = 0.05
        post_worker_init(worker)
        _wait_until(lambda: not _kept(app)[2])
        worker.job_runner.stop()
    finally:
        app.config["BACKGROUND_JOBS_SECONDS"] = every
    assert _kept(app) == (1, True, 0)


def _refresher_locks(app) -> int:
    with app.app_context():
        held = db.session.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                       "AND classid = :c AND objid = 0"), {"c": COVERAGE_LOCKS}).scalar()
        db.session.rollback()
    return held


def test_one_refresher_works_per_database_and_another_takes_over(app, project):
    first, second = JobRunner(app, 60), JobRunner(app, 60)
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


def test_the_events_job_runs_what_follows_each_event_once_and_marks_it(app, project, publish, device):
    from app.events import Kind
    from app.services import events as followers
    followed = []
    followers.follows(Kind.SUBMISSION_CREATE)(lambda event: followed.append(event.subject))
    try:
        _screened_once(app, project, publish, device)
        first = JobRunner(app, 60).run_once()
        assert first["events"] >= 1 and followed == ["uuid:aaaaaaaa-0000-4000-8000-000000000001"]
        assert JobRunner(app, 60).run_once()["events"] == 0 and len(followed) == 1      # once only
        with app.app_context():
            assert db.session.execute(text("SELECT count(*) FROM event WHERE processed_at IS NULL")).scalar() == 0
    finally:
        followers._FOLLOWERS[str(Kind.SUBMISSION_CREATE)].pop()


def test_a_failing_job_leaves_its_work_for_the_next_round_and_the_others_run(app, project, publish, device):
    def broken() -> int:
        raise RuntimeError("a job that fails")
    _screened_once(app, project, publish, device)
    from app.services.coverage.campaigns import refresh_pending
    runner = JobRunner(app, 60, jobs=[Job("broken", broken), Job("coverage", refresh_pending)])
    assert runner.run_once() == {"broken": 0, "coverage": 1}


def test_housekeeping_forgets_what_has_expired(app, project):
    with app.app_context():
        db.session.execute(text("INSERT INTO digest_nonce_use (nonce, nc, used_at) VALUES "
                                "('old', '1', now() - interval '1 hour'), ('new', '1', now())"))
        db.session.commit()
    assert JobRunner(app, 60).run_once()["housekeeping"] >= 1
    with app.app_context():
        assert db.session.execute(text("SELECT nonce FROM digest_nonce_use")).scalars().all() == ["new"]
