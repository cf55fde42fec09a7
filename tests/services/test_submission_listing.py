"""The review list pages by keyset (received time, id), newest first: reading every page gives each
submission once; filters and places cut it; a forged cursor is refused."""
import pytest

from app.problems import Problem
from tests.api.test_review import _screenings


def test_pages_read_to_the_end_give_every_submission_once(app, project, publish, device):
    from app.core.access import ROLES, Access, Principal
    from app.services.submissions.listing import SubmissionFilter, list_submissions
    first, second = _screenings(app, project, publish, device)
    everywhere = Access(Principal(0, "user", "t"), project, ROLES["viewer"], None)
    village = Access(Principal(0, "user", "t"), project, ROLES["viewer"], ("420102001002",))
    with app.app_context():
        seen, after, sizes = [], None, []
        while True:
            page = list_submissions(everywhere, SubmissionFilter(), after=after, limit=2)
            seen += [row.instance_id for row in page.rows]
            sizes.append(len(page.rows))
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert sizes == [2, 2, 1] and sorted(seen) == sorted(first + second)
        received = [row.received_at for row in list_submissions(everywhere, SubmissionFilter(), limit=10).rows]
        assert received == sorted(received, reverse=True)
        assert {r.instance_id for r in list_submissions(village, SubmissionFilter()).rows} == set(second)
        chosen = SubmissionFilter(place="420102001001", review_state="received")
        assert {r.instance_id for r in list_submissions(everywhere, chosen).rows} == set(first)
        for forged in ("2026-01-01T00:00:00~x", "yesterday~1", "2026-01-01T00:00:00~1"):
            with pytest.raises(Problem) as refused:
                list_submissions(everywhere, SubmissionFilter(), after=forged)
            assert refused.value.code == 400.8


def test_by_survey_date_latest_first_and_paged_to_the_end(app, project, publish, device):
    from app.core.access import ROLES, Access, Principal
    from app.services.submissions.listing import SubmissionFilter, list_submissions
    from tests.support.households import screening_xml
    from tests.support.registry import SCREENING, cover_test_villages, load_registry
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    # Sent in an order that is not the survey dates' (a cadre syncs a week's work at once).
    dates = ["2026-11-18", "2026-11-21", "2026-11-19", "2026-11-21", "2026-11-20"]
    ids = [f"uuid:cccccccc-0000-4000-8000-00000000000{n}" for n in range(len(dates))]
    for instance_id, surveyed in zip(ids, dates):
        assert device.post_submission(screening_xml(instance_id, survey_date=surveyed)).status_code == 201
    everywhere = Access(Principal(0, "user", "t"), project, ROLES["viewer"], None)
    with app.app_context():
        seen, after = [], None
        while True:
            page = list_submissions(everywhere, SubmissionFilter(), after=after, limit=2, sort="surveyed")
            seen += [(str(row.surveyed_on), row.instance_id) for row in page.rows]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        # Latest survey date first; on the same date, the later sent (higher id) first.
        assert seen == [("2026-11-21", ids[3]), ("2026-11-21", ids[1]), ("2026-11-20", ids[4]),
                        ("2026-11-19", ids[2]), ("2026-11-18", ids[0])]
        for wrong in ({"sort": "name"}, {"sort": "surveyed", "after": "2026-11-21T00:00:00+00:00~1"}):
            with pytest.raises(Problem) as refused:
                list_submissions(everywhere, SubmissionFilter(), **wrong)
            assert refused.value.code == 400.8


def test_by_survey_date_follows_an_edit_and_a_recompute(app, project, publish, device, editor):
    """The survey date the list sorts by is the current version's (kept on the submission): an edit that
    changes it moves the submission, and judging the rules again keeps it where the current version says."""
    from app.core.access import ROLES, Access, Principal
    from app.services.monitoring.recompute import recompute_flags
    from app.services.submissions.listing import SubmissionFilter, list_submissions
    from tests.support.households import screening_xml
    from tests.support.registry import SCREENING, cover_test_villages, load_registry
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    early, late = "uuid:dddddddd-0000-4000-8000-000000000001", "uuid:dddddddd-0000-4000-8000-000000000002"
    assert device.post_submission(screening_xml(early, survey_date="2026-11-10")).status_code == 201
    assert device.post_submission(screening_xml(late, household="H002", survey_date="2026-11-15")).status_code == 201
    everywhere = Access(Principal(0, "user", "t"), project, ROLES["viewer"], None)

    def by_survey_date():
        with app.app_context():
            return [(r.instance_id, str(r.surveyed_on))
                    for r in list_submissions(everywhere, SubmissionFilter(), sort="surveyed").rows]

    assert by_survey_date() == [(late, "2026-11-15"), (early, "2026-11-10")]
    # The earlier visit's form is corrected: it was surveyed on the 20th.
    edit = screening_xml("uuid:dddddddd-0000-4000-8000-000000000003", survey_date="2026-11-20").replace(
        b"</instanceName>", b"</instanceName><deprecatedID>" + early.encode() + b"</deprecatedID>")
    assert editor.post_submission(edit, {}).status_code == 201
    assert by_survey_date() == [(early, "2026-11-20"), (late, "2026-11-15")]
    with app.app_context():
        recompute_flags(project)
    assert by_survey_date() == [(early, "2026-11-20"), (late, "2026-11-15")]


def test_a_code_raised_twice_is_listed_once(app, project, publish, device):
    """R22 raises person_in_two_households once per other household: the list names each code once."""
    from sqlalchemy import text

    from app.core.access import ROLES, Access, Principal
    from app.extensions import db
    from app.services.submissions.listing import SubmissionFilter, list_submissions
    from tests.support.households import screening_xml
    from tests.support.registry import SCREENING, cover_test_villages, load_registry
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(inc_wage="3000")).status_code == 201
    with app.app_context():
        columns = ("submission_version_id, submission_id, project_id, household_id, admin_code, ruleset, created_at, "
                   "rule, code, severity, explanation_zh, explanation_en, inputs, threshold")
        db.session.execute(text(f"INSERT INTO risk_flag ({columns}) SELECT {columns} FROM risk_flag"))
        db.session.commit()
        everywhere = Access(Principal(0, "user", "t"), project, ROLES["viewer"], None)
        [row] = list_submissions(everywhere, SubmissionFilter()).rows
    assert row.flags and len(row.flags) == len(set(row.flags))
