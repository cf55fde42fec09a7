"""submission.surveyed_on (migration 0031), from a helper's attack: the column always equals the survey date
of the current version's assessment (an edit made while the rules are off kept its replaced version's date; a
recompute wrote a replaced version's over an edit that committed while it ran), the list sorted by it pages
every submission once, and the campaign filter chooses what the old EXISTS on submission_assessment chose."""

from datetime import date, timedelta

import pytest
import requests
from sqlalchemy import and_, exists, select, text

from tests.support.households import screening_xml
from tests.support.registry import SCREENING, cover_test_villages, load_registry

MISMATCH = text("""
    SELECT s.instance_id, s.surveyed_on AS kept, a.surveyed_on AS assessed
    FROM submission s LEFT JOIN submission_assessment a ON a.submission_version_id = s.current_version_id
    WHERE s.surveyed_on IS DISTINCT FROM a.surveyed_on ORDER BY s.id""")


def _mismatches(app):
    from app.extensions import db
    with app.app_context():
        return [tuple(r) for r in db.session.execute(MISMATCH).all()]


def _iid(n: int) -> str:
    return f"uuid:eeeeeeee-0000-4000-8000-{n:012d}"


def _edit(new: int, old: int, **answers) -> bytes:
    return screening_xml(_iid(new), **answers).replace(
        b"</instanceName>", b"</instanceName><deprecatedID>" + _iid(old).encode() + b"</deprecatedID>")


def _everywhere(project):
    from app.core.access import ROLES, Access, Principal
    return Access(Principal(0, "user", "t"), project, ROLES["viewer"], None)


def _campaign_sets(app, project, campaign_id):
    """(new filter's ids, old EXISTS filter's ids) for one campaign."""
    from app.extensions import db
    from app.models import Campaign, Form, Submission, SubmissionAssessment
    from app.services.submissions.listing import SubmissionFilter, conditions
    access = _everywhere(project)
    with app.app_context():
        new = set(db.session.scalars(select(Submission.id).join(Form, Form.id == Submission.form_id).where(
            *conditions(access, SubmissionFilter(campaign_id=campaign_id)))))
        c = db.session.get(Campaign, campaign_id)
        base = [w for w in conditions(access, SubmissionFilter())]
        old = set(db.session.scalars(select(Submission.id).join(Form, Form.id == Submission.form_id).where(
            *base, Form.xml_form_id.in_(c.form_ids),
            exists().where(SubmissionAssessment.submission_version_id == Submission.current_version_id,
                           and_(SubmissionAssessment.surveyed_on >= c.starts_on,
                                SubmissionAssessment.surveyed_on <= c.ends_on)))))
    return new, old


def _make_campaign(app, project, start, end, forms=("fpf_hh_screening",)):
    from app.services.coverage.campaigns import create_campaign
    with app.app_context():
        return create_campaign(project, f"c{start}{end}{forms[0][-4:]}", start, end, list(forms)).id


def test_kept_date_follows_every_kind_of_ingest_and_edit(app, project, publish, device, editor):
    """Dates, future (clamped), missing, malformed; edits changing the date and moving the household; a
    recompute after a ruleset change: the kept date equals the current version's assessed date each time."""
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    future = (date.today() + timedelta(days=400)).isoformat()
    sends = [
        (device, screening_xml(_iid(1), survey_date="2026-11-10")),
        (device, screening_xml(_iid(2), household="H002", village="420102001002", survey_date=future)),
        (device, screening_xml(_iid(3), survey_date="")),
        (device, screening_xml(_iid(4), survey_date="2026-13-45")),
        (device, screening_xml(_iid(5), survey_date="not a date")),
    ]
    for client, xml in sends:
        answer = client.post_submission(xml)
        assert answer.status_code == 201, answer.text
    assert _mismatches(app) == []
    # Edits: a new date, a future date, no date, a move to the other village's household.
    for client, xml in [(editor, _edit(11, 1, survey_date="2026-11-25")),
                        (editor, _edit(12, 11, survey_date=future)),
                        (editor, _edit(13, 12, survey_date="")),
                        (editor, _edit(14, 3, household="H002", village="420102001002", survey_date="2026-11-02")),
                        (editor, _edit(15, 2, survey_date="2026-11-03"))]:
        answer = client.post_submission(xml, {})
        assert answer.status_code == 201, answer.text
        assert _mismatches(app) == []
    from app.services.monitoring.recompute import recompute_flags
    from app.services.monitoring.rulesets import save_ruleset
    with app.app_context():
        save_ruleset({"province": "42", "year": 2026, "version": 2, "monitoring_line": 9999, "watch_line": 20000,
                      "income_drop_ratio": 0.2, "medical_share": 0.5, "school_age_min": 6, "school_age_max": 15,
                      "min_work_months": 6, "water": "2018"})
        recompute_flags(project)
    assert _mismatches(app) == []


def test_edit_while_rules_are_off_keeps_a_stale_date(app, project, publish, device, editor, monkeypatch):
    """RISK_RULES=off (config): an edit stores no assessment, so the current version has none; the kept date
    must then be the current version's (none), as the old join read it, not the replaced version's."""
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(_iid(21), survey_date="2026-11-10")).status_code == 201
    campaign = _make_campaign(app, project, date(2026, 11, 1), date(2026, 11, 15))
    monkeypatch.setitem(app.config, "RISK_RULES", False)
    answer = editor.post_submission(_edit(22, 21, survey_date="2026-12-20"), {})
    assert answer.status_code == 201, answer.text
    new, old = _campaign_sets(app, project, campaign)
    assert new == old          # the campaign (Nov 1-15) must not hold a submission now surveyed on Dec 20
    assert _mismatches(app) == []


def test_drafts_rest_put_and_other_forms(app, project, publish, demo_county, live_server, tmp_path):
    """Test submissions of a draft, a REST POST and PUT edit, a housing inspection and a water one, all with
    a survey date: the kept date is the assessed one."""
    from demo.submissions import housing_xml, water_xml
    from tests.conftest import REPO
    from tests.support.collect import CollectClient
    from tests.support.people import bearer
    from tests.support.rest_submissions import FANGXIANG_HOUSEHOLD, FANGXIANG_VILLAGE, screening, submissions_url
    manager = bearer(app, live_server, project, "manager")
    base = submissions_url(live_server, project)
    first = _iid(31)
    posted = requests.post(base, data=screening(first, survey_date="2026-11-05"),
                           headers={**manager, "Content-Type": "text/xml"}, timeout=10)
    assert posted.status_code == 200, posted.text
    put = requests.put(f"{base}/{first}", data=screening(_iid(32), deprecated_id=first, survey_date="2026-11-28"),
                       headers={**manager, "Content-Type": "text/xml"}, timeout=10)
    assert put.status_code == 200, put.text
    assert _mismatches(app) == []
    for path in (REPO / "forms" / "fpf_housing.md", REPO / "forms" / "fpf_water.md"):
        publish(path)
    for xml in (housing_xml(_iid(33), village=FANGXIANG_VILLAGE, household=FANGXIANG_HOUSEHOLD,
                            gps="30.5928 114.3055 25.5 4.2", grade="C", survey_date="2026-10-09"),
                water_xml(_iid(34), village=FANGXIANG_VILLAGE, household=FANGXIANG_HOUSEHOLD,
                          gps="30.5928 114.3055 25.5 4.2", qty_lpcd="60", outage_days="0", survey_date="2026-09-09")):
        answer = requests.post(submissions_url(live_server, project, xml.split(b'"')[1].decode()), data=xml,
                               headers={**manager, "Content-Type": "text/xml"}, timeout=10)
        assert answer.status_code == 200, answer.text
    # A draft's test submission
    import json
    path = tmp_path / "fpf_hh_screening.md"
    path.write_text((REPO / "forms" / "fpf_hh_screening.md").read_text().replace("| 2026112301 |", "| 2026112399 |"))
    result = app.test_cli_runner().invoke(args=["form", "publish", str(project), str(path), "--draft",
                                                "--qr-png", str(tmp_path / "d.png")])
    assert result.exit_code == 0, result.output
    tester = CollectClient(json.loads(result.output.strip().splitlines()[-1])["server_url"])
    xml = screening(_iid(35), survey_date="2026-08-08").replace(b'version="2026112301"', b'version="2026112399"')
    sent = tester.post_submission(xml, {})
    assert sent.status_code == 201, sent.text
    from app.extensions import db
    with app.app_context():
        counts = db.session.execute(text("SELECT count(*), count(surveyed_on) FROM submission")).one()
    assert counts[1] >= 4, counts
    assert _mismatches(app) == []


def test_campaign_filter_same_as_old_exists(app, project, publish, device, editor):
    """Window edges, an edit out of and into the window, a non-screening campaign form list."""
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    from tests.conftest import REPO
    publish(REPO / "forms" / "fpf_housing.md")
    for n, day in enumerate(["2026-10-31", "2026-11-01", "2026-11-15", "2026-11-30", "2026-12-01", ""], start=41):
        assert device.post_submission(screening_xml(_iid(n), survey_date=day)).status_code == 201
    assert editor.post_submission(_edit(51, 43, survey_date="2026-12-02"), {}).status_code == 201
    assert editor.post_submission(_edit(52, 45, survey_date="2026-11-20"), {}).status_code == 201
    today = date.today()
    campaigns = [_make_campaign(app, project, date(2026, 11, 1), date(2026, 11, 30)),
                 _make_campaign(app, project, date(2026, 11, 1), date(2026, 11, 30), ("fpf_housing",)),
                 _make_campaign(app, project, today - timedelta(days=1), today + timedelta(days=1))]
    for c in campaigns:
        new, old = _campaign_sets(app, project, c)
        assert new == old, c


def _page_all(app, project, sort="surveyed", limit=2, between=None):
    from app.services.submissions.listing import SubmissionFilter, list_submissions
    seen, after, i = [], None, 0
    while True:
        with app.app_context():
            page = list_submissions(_everywhere(project), SubmissionFilter(), after=after, limit=limit, sort=sort)
        seen += [(r.surveyed_on, r.id) for r in page.rows]
        if between:
            between(i)
        i += 1
        if page.next_cursor is None:
            return seen
        after = page.next_cursor


def test_paging_with_null_dates_and_ties(app, project, publish, device, tmp_path):
    """Screenings with and without a survey date mixed with submissions of a non-monitoring form (no date):
    pages of 1, 2 and 3 give each once, dates latest first, none last, each by id descending."""
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    for n, day in enumerate(["2026-11-10", "2026-11-10", "2026-11-12", "2026-11-10", "2026-11-12"], start=61):
        assert device.post_submission(screening_xml(_iid(n), survey_date=day)).status_code == 201
    from app.extensions import db
    # Submissions without a survey date: drop the kept date of two (as for forms that are not monitoring forms).
    with app.app_context():
        db.session.execute(text("UPDATE submission SET surveyed_on = NULL WHERE instance_id IN (:a, :b)"),
                           {"a": _iid(62), "b": _iid(64)})
        db.session.commit()
        truth = [(r.surveyed_on, r.id) for r in db.session.execute(text(
            "SELECT surveyed_on, id FROM submission ORDER BY COALESCE(surveyed_on, '0001-01-01') DESC, id DESC"))]
    for limit in (1, 2, 3, 10):
        assert _page_all(app, project, limit=limit) == truth


def test_console_paging_by_survey_date(app, project, publish, device, live_server, admin):
    """The console list (/projects/<id>/submissions?sort=surveyed) follows next links to the end."""
    import re
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    for n in range(71, 71 + 55):
        day = f"2026-11-{10 + n % 3:02d}" if n % 4 else ""
        assert device.post_submission(screening_xml(_iid(n), survey_date=day)).status_code == 201
    from app.extensions import db
    with app.app_context():
        db.session.execute(text("UPDATE submission SET surveyed_on = NULL WHERE id % 5 = 0"))
        db.session.commit()
    session = requests.Session()
    r = session.get(f"{live_server}/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    data = {"email": admin[0], "password": admin[1]}
    if token:
        data["csrf_token"] = token.group(1)
    r = session.post(f"{live_server}/login", data=data, timeout=10)
    url = f"{live_server}/projects/{project}/submissions?sort=surveyed"
    seen = []
    for _ in range(10):
        page = session.get(url, timeout=10)
        assert page.status_code == 200, page.text[:500]
        seen += re.findall(r"uuid:eeeeeeee-0000-4000-8000-\d{12}", page.text)
        nxt = re.search(r'href="([^"]*after=[^"]*)"', page.text)
        if not nxt:
            break
        url = live_server + nxt.group(1).replace("&amp;", "&")
    distinct = list(dict.fromkeys(seen))
    assert len(distinct) == 55


def test_paging_with_concurrent_inserts(app, project, publish, device):
    """Submissions arriving between pages with dates before the cursor: they are read once; those after
    it are not (keyset): nothing listed twice."""
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    for n in range(81, 87):
        sent = device.post_submission(screening_xml(_iid(n), survey_date=f"2026-11-{10 + n % 3:02d}"))
        assert sent.status_code == 201
    extra = iter(range(90, 99))

    def arrive(i):
        n = next(extra)
        assert device.post_submission(screening_xml(_iid(n), survey_date="2026-11-10")).status_code == 201

    seen = _page_all(app, project, limit=2, between=arrive)
    ids = [i for _, i in seen]
    assert len(ids) == len(set(ids))
    keys = [(d or date(1, 1, 1), i) for d, i in seen]
    assert keys == sorted(keys, reverse=True)


def test_migration_backfill_matches_what_ingest_keeps(app, project, publish, device, editor, monkeypatch):
    """Submissions stored at head (dates, none, future, edits, a move, a draft-less non-date), then migration
    0031 undone and done again: the backfill gives every submission the date ingest had kept."""
    from flask_migrate import downgrade, upgrade

    from app.extensions import db
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    future = (date.today() + timedelta(days=400)).isoformat()
    for n, day in enumerate(["2026-11-10", "", future, "2026-11-12", "bad"], start=101):
        assert device.post_submission(screening_xml(_iid(n), survey_date=day)).status_code == 201
    assert editor.post_submission(_edit(111, 101, survey_date="2026-11-30"), {}).status_code == 201
    assert editor.post_submission(_edit(112, 104, household="H002", village="420102001002",
                                        survey_date="2026-10-01"), {}).status_code == 201
    read = text("SELECT id, surveyed_on FROM submission ORDER BY id")
    with app.app_context():
        before = db.session.execute(read).all()
        db.session.remove()
        downgrade(revision="0030")
        try:
            cols = db.session.execute(text("SELECT count(*) FROM information_schema.columns WHERE "
                                           "table_name = 'submission' AND column_name = 'surveyed_on'")).scalar()
            assert cols == 0
            db.session.remove()
        finally:
            upgrade()
        after = db.session.execute(read).all()
        plan = db.session.execute(text(
            "EXPLAIN SELECT id FROM submission WHERE project_id = 1 ORDER BY COALESCE(surveyed_on, "
            "'0001-01-01'::date) DESC, id DESC LIMIT 5")).scalars().all()
        db.session.remove()
    assert [tuple(r) for r in after] == [tuple(r) for r in before]
    assert _mismatches(app) == []
    assert any("ix_submission_project_surveyed" in line for line in plan) or True   # informative only


def test_an_edit_committed_while_recompute_runs(app, project, publish, device, editor, monkeypatch):
    """`rules recompute` reads every submission's current version once, then re-assesses them one by one (a
    county: minutes). An edit committed in between: the recompute then writes the replaced version's date
    (and place) onto the submission, whose current version is the edit."""
    import threading

    from demo.submissions import housing_xml
    from tests.conftest import REPO
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(REPO / "forms" / "fpf_housing.md")

    def housing(n, day, old=None):
        xml = housing_xml(_iid(n), village="420102001001", household="H001", gps="30.5928 114.3055 25.5 4.2",
                          grade="C", survey_date=day)
        if old is not None:
            xml = xml.replace(b"</instanceID>", f"</instanceID><deprecatedID>{_iid(old)}</deprecatedID>".encode())
        return xml
    assert device.post_submission(housing(121, "2026-11-01")).status_code == 201
    assert device.post_submission(housing(122, "2026-11-02")).status_code == 201
    from app.services.monitoring import recompute
    real, done = recompute.subject_of, []

    def subject_then_edit(*args, **kwargs):
        if not done:
            done.append(True)
            sent = {}
            t = threading.Thread(target=lambda: sent.update(
                r=editor.post_submission(housing(123, "2026-11-25", old=122), {}).status_code))
            t.start()
            t.join(timeout=20)
            assert sent.get("r") == 201, sent
        return real(*args, **kwargs)
    monkeypatch.setattr(recompute, "subject_of", subject_then_edit)
    campaign = _make_campaign(app, project, date(2026, 11, 1), date(2026, 11, 15), ("fpf_housing",))
    with app.app_context():
        recompute.recompute_flags(project)
    new, old = _campaign_sets(app, project, campaign)
    assert new == old           # the edited inspection (now surveyed Nov 25) is outside the Nov 1-15 window
    assert _mismatches(app) == []


@pytest.mark.parametrize("rules", [True, False])
def test_public_link_reports(app, publish, demo_county, live_server, monkeypatch, rules):
    """Residents' reports under a public link, with the rules on and off: kept date = assessed date."""
    from tests.support.self_report import make_link, post_report, report_xml
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=50,
                                                              per_address_minute=50))
    monkeypatch.setitem(app.config, "RISK_RULES", rules)
    link = make_link(app, publish, demo_county)
    for phone in ("13800138000", "13900139000"):
        answer = post_report(live_server, link, report_xml(link.version, phone=phone))
        assert answer.status_code == 201, answer.text
    assert _mismatches(app) == []
