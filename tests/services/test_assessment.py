"""Monitoring submissions come back tied to a household and village, with their flags."""
from datetime import date

from sqlalchemy import select

from app.core import idcard
from tests.conftest import REPO
from tests.support.households import HOUSEHOLD, screening_xml
from tests.support.registry import SCREENING, cover_test_villages, load_registry

DATA = REPO / "tests" / "data"


def _flags(app):
    from app.extensions import db
    from app.models import RiskFlag
    with app.app_context():
        return db.session.scalars(select(RiskFlag).order_by(RiskFlag.id)).all()


def test_screening_is_linked_to_household_and_village_and_flagged(app, project, publish, device):
    from app.extensions import db
    from app.models import Submission
    load_registry(app, project)
    publish(SCREENING)
    # 王五's household: 13500.5 net for 2 members = 6750.25 per person, under Hubei's 7500 line.
    assert device.post_submission(HOUSEHOLD.encode(), {}).status_code == 201
    with app.app_context():
        submission = db.session.scalars(select(Submission)).one()
    assert submission.admin_code == "420102001001"
    assert submission.household_id is not None
    flags = {f.code: f for f in _flags(app)}
    assert {"income_below_line", "income_watch_10k", "income_drop", "no_med_ins"} <= set(flags)
    below = flags["income_below_line"]
    assert below.ruleset == "42-2026-v1" and below.threshold == {"monitoring_line": 7500}
    assert below.inputs["pc_income"] == 6750.25 and below.household_id == submission.household_id
    assert "监测范围" in below.explanation_zh


def test_a_geopoint_far_from_its_village_is_a_data_quality_flag(app, project, publish, device):
    load_registry(app, project)
    publish(SCREENING)
    far = HOUSEHOLD.replace("30.5928 114.3055", "31.5928 114.3055")   # ~110 km north
    assert device.post_submission(far.encode(), {}).status_code == 201
    [flag] = [f for f in _flags(app) if f.code == "gps_outside_village"]
    assert flag.severity == "data" and flag.inputs["distance_m"] > 100_000


def test_a_submission_naming_no_village_is_placed_by_its_geopoint(app, project, publish, device):
    from app.extensions import db
    from app.models import Submission
    load_registry(app, project)
    publish(SCREENING)
    anonymous = screening_xml(village="", household="", gps="30.59 114.33 0 5")
    assert device.post_submission(anonymous, {}).status_code == 201
    with app.app_context():
        assert db.session.scalars(select(Submission.admin_code)).one() == "420102001002"


def test_a_head_id_registered_to_another_household_is_flagged(app, project, publish, device):
    head = load_registry(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(head_idno=head), {}).status_code == 201
    [flag] = [f for f in _flags(app) if f.code == "id_duplicate"]
    assert flag.inputs == {"other_household": "H002", "other_village": "420102001002"}
    assert "H002" not in flag.explanation_zh + flag.explanation_en


def test_unreadable_answers_are_stored_with_a_data_flag(app, project, publish, device):
    load_registry(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(inc_wage="about 12000"), {}).status_code == 201
    assert "income_unreadable" in {f.code for f in _flags(app)}


def test_rulesets_with_contradictions_are_refused_when_saved(ctx):
    import pytest

    from app.problems import Problem
    from app.services.monitoring.rulesets import save_ruleset
    with pytest.raises(Problem) as e:
        save_ruleset({"province": "42", "year": 2026, "version": 1, "monitoring_line": 12000, "watch_line": 10000,
                      "income_drop_ratio": 0.2, "medical_share": 0.5, "school_age_min": 6, "school_age_max": 15,
                      "min_work_months": 6, "water": "2018"})
    assert "watch_line is below monitoring_line" in e.value.message


def test_a_new_household_is_registered_from_its_screening(app, project, publish, device):
    from app.extensions import db
    from app.models import Household, Submission
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    xml = screening_xml("uuid:cccccccc-0000-4000-8000-00000000abcd", household="new")
    assert device.post_submission(xml, {}).status_code == 201
    assert device.post_submission(xml, {}).status_code == 201          # a resend registers nobody twice
    with app.app_context():
        created = db.session.scalars(select(Household).where(Household.household_code.like("N%"))).one()
        assert (created.admin_code, created.head_name, created.poverty_status) == ("420102001001", "王五", "lifted")
        assert db.session.scalars(select(Submission.household_id)).one() == created.id


def test_a_screening_updates_the_registry_status(app, project, publish, device):
    from app.extensions import db
    from app.models import Household
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    xml = screening_xml(monitor_status="edge", poverty_status="ordinary")
    assert device.post_submission(xml, {}).status_code == 201
    with app.app_context():
        h = db.session.scalars(select(Household).where(Household.household_code == "H001")).one()
        assert (h.poverty_status, h.category, h.status) == ("ordinary", "edge", "monitored")
    # 已消除风险 keeps the category the household was monitored in; a value the form has not is not stored.
    eliminated = screening_xml("uuid:aaaaaaaa-0000-4000-8000-000000000002", monitor_status="eliminated",
                               poverty_status="ordinary", survey_date="2026-11-21")
    assert device.post_submission(eliminated, {}).status_code == 201
    odd = screening_xml("uuid:aaaaaaaa-0000-4000-8000-000000000003", monitor_status="none",
                        poverty_status="x" * 30, survey_date="2026-11-22")
    assert device.post_submission(odd, {}).status_code == 201
    with app.app_context():
        db.session.expire_all()
        h = db.session.scalars(select(Household).where(Household.household_code == "H001")).one()
        assert (h.poverty_status, h.category, h.status) == ("ordinary", "edge", "eliminated")


def test_the_household_record_lists_the_members_of_its_latest_screening(app, project, publish, device):
    from app.core.access import ROLES, Access, system_access
    from app.services.registry.household_record import Member, MembersSource, household_record
    from tests.support.households import member_xml
    load_registry(app, project)
    publish(SCREENING)
    with app.app_context():
        assert household_record(system_access(project), "H001").members_from == MembersSource("registry")
    son = idcard.make("420102", date(2002, 1, 2), 31)
    now = (member_xml("王五", "head", age="52"), member_xml("王小五", "son", idno=son, age="24"))
    earlier = (member_xml("王五", "head", age="51"),)
    assert device.post_submission(screening_xml(members=now, survey_date="2026-11-20"), {}).status_code == 201
    # A visit from before, synced late, leaves the newer list alone.
    assert device.post_submission(screening_xml("uuid:aaaaaaaa-0000-4000-8000-000000000002", members=earlier,
                                                survey_date="2026-11-02"), {}).status_code == 201
    with app.app_context():
        viewer = system_access(project)
        record = household_record(Access(viewer.principal, project, ROLES["viewer"]), "H001")
    assert record.members == [Member("王五", "head", None), Member("王小五", "son", son[:4] + "*" * 10 + son[-4:])]
    assert record.members_from == MembersSource("screening", "uuid:aaaaaaaa-0000-4000-8000-000000000001",
                                                date(2026, 11, 20))


def test_housing_water_and_self_report_submissions_over_openrosa(app, project, publish, device):
    from app.extensions import db
    from app.models import Submission, SubmissionAssessment
    from demo.submissions import housing_xml, water_xml
    from tests.conftest import REPO as repo
    from tests.support.instances import build_instance
    load_registry(app, project)
    for name in ("fpf_housing.md", "fpf_water.md", "fpf_self_report.md"):
        publish(repo / "forms" / name)
    # A residents' form reaches a cadre's phone only when assigned to it (here: reporting for a resident).
    assert device.get(f"{device.server_url}/forms/fpf_self_report.xml").status_code in (403, 404)
    assigned = app.test_cli_runner().invoke(args=["form", "assign", str(project), "fpf_self_report", "村干部 测试"])
    assert assigned.exit_code == 0, assigned.output
    housing = housing_xml("uuid:dddddddd-0000-4000-8000-000000000001", village="420102001001", household="H001",
                          gps="30.59 114.31 30 5", grade="D")
    water = water_xml("uuid:dddddddd-0000-4000-8000-000000000002", village="420102001002", household="H002",
                      gps="30.59 114.33 30 5", qty_lpcd="25", outage_days="10")
    report, files = build_instance(device.get(f"{device.server_url}/forms/fpf_self_report.xml").content,
                                   values={"village_code": "420102001002"})
    for xml, attachments in ((housing, {}), (water, {}), (report, files)):
        assert device.post_submission(xml, attachments).status_code == 201
    codes = {f.code for f in _flags(app)}
    assert {"housing_unsafe", "renovation_eligible", "water_unsafe"} <= codes
    with app.app_context():
        places = dict(db.session.execute(
            select(SubmissionAssessment.xml_form_id, SubmissionAssessment.admin_code)).all())
        assert places == {"fpf_housing": "420102001001", "fpf_water": "420102001002",
                          "fpf_self_report": "420102001002"}
        assert db.session.query(Submission).filter(Submission.household_id.is_(None)).count() == 1   # the report


def test_an_edit_replaces_the_numbers_coverage_adds_up(app, project, publish, device, editor):
    from app.extensions import db
    from app.models import SubmissionAssessment, SubmissionVersion
    load_registry(app, project)
    publish(SCREENING)
    first = screening_xml()
    assert device.post_submission(first, {}).status_code == 201
    edit = screening_xml("uuid:aaaaaaaa-0000-4000-8000-000000000002", inc_wage="90000").replace(
        b"</instanceName>", b"</instanceName><deprecatedID>uuid:aaaaaaaa-0000-4000-8000-000000000001</deprecatedID>")
    assert editor.post_submission(edit, {}).status_code == 201
    with app.app_context():
        [row] = db.session.scalars(select(SubmissionAssessment)).all()
        current = db.session.scalars(select(SubmissionVersion.id).where(
            SubmissionVersion.instance_id == "uuid:aaaaaaaa-0000-4000-8000-000000000002")).one()
    assert row.submission_version_id == current and "income_below_line" not in row.flag_codes


def test_a_known_form_version_is_assessed_with_one_round_trip_fewer(app, project, publish, device):
    from sqlalchemy import event

    from app.extensions import db
    from app.models import SubmissionAssessment
    from app.services.monitoring.assess import CONTEXT
    load_registry(app, project)
    publish(SCREENING)
    with app.app_context():
        engine = db.engine
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(engine, "before_cursor_execute", count)
    try:
        sent = []
        for n in (1, 2):
            start = len(statements)
            assert device.post_submission(screening_xml(f"uuid:aaaaaaaa-0000-4000-8000-00000000000{n}"), {}
                                          ).status_code == 201
            sent.append(statements[start:])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # The first submission of a version asks for the context on its own; the second is read before
    # the form lookup, which brings the household and village with it.
    context = CONTEXT.element.text.strip()
    alone = [[s for s in batch if s.strip().startswith(context[:60])] for batch in sent]
    with_form = [[s for s in batch if context[:60] in s and not s.strip().startswith(context[:60])]
                 for batch in sent]
    assert [len(a) for a in alone] == [1, 0] and [len(w) for w in with_form] == [0, 1]
    with app.app_context():
        first, second = db.session.scalars(select(SubmissionAssessment)
                                           .order_by(SubmissionAssessment.submission_version_id)).all()
    assert (first.household_id, first.admin_code, first.flag_codes) == \
        (second.household_id, second.admin_code, second.flag_codes) and "income_below_line" in first.flag_codes


def test_id_numbers_are_masked_whatever_their_length():
    """Found by the attack test: 4 + 4 digits of an 8-digit number is all of it."""
    from app.core.personal_fields import mask_idno
    assert mask_idno("420102197405060219") == "4201**********0219"
    assert mask_idno("12345678") == "1******8"
    assert mask_idno("1234") == "****"
    assert mask_idno(None) is None and mask_idno("") == ""


def test_the_ruleset_in_force_is_the_survey_dates_year(app, project, publish, device):
    """A visit on 30 December is judged by that year's line, whenever it arrives (README, "Risk rules")."""
    from app.services.monitoring.rulesets import forget_cached, save_ruleset
    load_registry(app, project)                                    # Hubei 2026: 7500
    with app.app_context():
        save_ruleset({"province": "42", "year": 2025, "version": 1, "monitoring_line": 6000, "watch_line": 10000,
                      "income_drop_ratio": 0.2, "medical_share": 0.5, "school_age_min": 6, "school_age_max": 15,
                      "min_work_months": 6, "water": "2018"})
        forget_cached()
    publish(SCREENING)
    # 6,750 a person: above 2025's 6,000, below 2026's 7,500.
    for n, day in ((1, "2025-12-30"), (2, "2026-01-02")):
        xml = screening_xml(f"uuid:aaaaaaaa-0000-4000-8000-00000000000{n}", survey_date=day)
        assert device.post_submission(xml, {}).status_code == 201
    by_year = {}
    for flag in _flags(app):
        by_year.setdefault(flag.ruleset, set()).add(flag.code)
    assert "income_below_line" not in by_year["42-2025-v1"] and "income_below_line" in by_year["42-2026-v1"]
