"""Coverage counts each household's latest submission in the campaign, however submissions arrive."""
from sqlalchemy import select, text

from tests.support.campaigns import (
    CAMPAIGN,
    HIGH,
    LOW,
    create_test_campaign,
    numbered_screening,
    read_while_held,
    villages,
)
from tests.support.registry import SCREENING, cover_test_villages, load_registry


def test_a_campaign_created_after_its_submissions_counts_them(app, project, publish, device):
    load_registry(app, project)
    publish(SCREENING)
    assert device.post_submission(numbered_screening(1, wage=LOW, day="2026-11-20"), {}).status_code == 201
    create_test_campaign(app, project)
    village = villages(app, project)["420102001001"]
    assert (village.registered, village.screened, village.flagged["income_below_line"]) == (1, 1, 1)


def test_the_latest_survey_counts_whatever_order_it_arrives_in(app, project, publish, device):
    load_registry(app, project)
    publish(SCREENING)
    create_test_campaign(app, project)
    # A later visit found the income recovered; the earlier visit's form reaches the server last.
    assert device.post_submission(numbered_screening(1, wage=HIGH, day="2026-11-20"), {}).status_code == 201
    assert device.post_submission(numbered_screening(2, wage=LOW, day="2026-11-10"), {}).status_code == 201
    village = villages(app, project)["420102001001"]
    assert (village.screened, "income_below_line" in village.flagged) == (1, False)
    assert device.post_submission(numbered_screening(3, wage=LOW, day="2026-11-25"), {}).status_code == 201
    assert villages(app, project)["420102001001"].flagged["income_below_line"] == 1


def test_an_edit_that_leaves_the_window_gives_way_to_the_earlier_visit(app, project, publish, device, editor):
    load_registry(app, project)
    publish(SCREENING)
    create_test_campaign(app, project)
    assert device.post_submission(numbered_screening(1, wage=LOW, day="2026-11-10"), {}).status_code == 201
    assert device.post_submission(numbered_screening(2, wage=HIGH, day="2026-11-20"), {}).status_code == 201
    assert "income_below_line" not in villages(app, project)["420102001001"].flagged
    assert editor.post_submission(numbered_screening(3, wage=HIGH, day="2026-12-05", edits=2), {}).status_code == 201
    village = villages(app, project)["420102001001"]
    assert (village.screened, village.flagged["income_below_line"]) == (1, 1)


def test_an_edit_to_another_household_moves_the_count(app, project, publish, device, editor):
    load_registry(app, project)
    publish(SCREENING)
    create_test_campaign(app, project)
    assert device.post_submission(numbered_screening(1, wage=LOW, day="2026-11-10"), {}).status_code == 201
    moved = numbered_screening(2, wage=LOW, day="2026-11-10", edits=1, village="420102001002", household="H002",
                               poverty_status="ordinary")
    assert editor.post_submission(moved, {}).status_code == 201
    read = villages(app, project)
    assert (read["420102001001"].screened, read["420102001002"].screened) == (0, 1)


def test_recomputing_rebuilds_the_same_rows(app, project, publish, device):
    from app.extensions import db
    from app.models import CampaignHousehold
    from app.services.monitoring.recompute import recompute_flags
    load_registry(app, project)
    publish(SCREENING)
    create_test_campaign(app, project)
    for n, (wage, day) in enumerate([(LOW, "2026-11-10"), (HIGH, "2026-11-20"), (LOW, "2026-12-02")], start=1):
        assert device.post_submission(numbered_screening(n, wage=wage, day=day), {}).status_code == 201

    def rows():
        with app.app_context():
            return [(r.household_id, r.screening_version_id, r.screening_on, r.flag_codes)
                    for r in db.session.scalars(select(CampaignHousehold).order_by(CampaignHousehold.household_id))]
    before = rows()
    assert [(day.isoformat(), "income_below_line" in codes) for *_, day, codes in before] == [("2026-11-20", False)]
    with app.app_context():
        assert recompute_flags(project) == 3
    assert rows() == before


def test_village_numbers_follow_the_registry(app, project, publish, device):
    from app.services.registry.imports import import_households
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    create_test_campaign(app, project)
    assert villages(app, project)["420102001001"].registered == 1
    with app.app_context():
        import_households(project, "more.csv", "household_id,village,head_name\nH003,420102001001,赵六\n".encode())
    assert villages(app, project)["420102001001"].registered == 2
    # A household found in the field and registered by its screening counts at once.
    new = numbered_screening(1, wage=LOW, day="2026-11-10", household="new", head_name="钱七")
    assert device.post_submission(new, {}).status_code == 201
    village = villages(app, project)["420102001001"]
    assert (village.registered, village.screened) == (3, 1)


def test_a_household_moved_by_the_registry_counts_in_its_new_village(app, project, publish, device):
    from app.services.registry.imports import import_households
    load_registry(app, project)
    publish(SCREENING)
    create_test_campaign(app, project)
    assert device.post_submission(numbered_screening(1, wage=LOW, day="2026-11-10"), {}).status_code == 201
    assert villages(app, project)["420102001001"].screened == 1
    with app.app_context():
        import_households(project, "moved.csv", "household_id,village,head_name\nH001,420102001002,王五\n".encode())
    read = villages(app, project)
    assert "420102001001" not in read        # no household is registered there any more
    assert (read["420102001002"].registered, read["420102001002"].screened) == (2, 1)
    assert read["420102001002"].flagged["income_below_line"] == 1


def test_an_inspection_outranks_the_screening_and_a_flag_counts_once(app, project, publish, device):
    from datetime import date

    from app.services.coverage.campaigns import create_campaign
    from demo.submissions import housing_xml
    from tests.conftest import REPO as repo
    load_registry(app, project)
    publish(SCREENING)
    publish(repo / "forms" / "fpf_housing.md")
    with app.app_context():
        create_campaign(project, CAMPAIGN, date(2026, 11, 1), date(2026, 11, 30), ["fpf_hh_screening", "fpf_housing"])

    def inspection(n: int, grade: str, day: str) -> bytes:
        return housing_xml(f"uuid:bbbbbbbb-0000-4000-8000-00000000000{n}", village="420102001001", household="H001",
                           gps="30.5928 114.3055 25 5", grade=grade, survey_date=day)
    # The inspection reaches the server before the screening; both find the house unsafe.
    assert device.post_submission(inspection(1, "D", "2026-11-12"), {}).status_code == 201
    village = villages(app, project)["420102001001"]
    assert (village.screened, village.flagged["housing_unsafe"]) == (0, 1)
    screening = numbered_screening(1, wage=HIGH, day="2026-11-20", house_status="grade_d")
    assert device.post_submission(screening, {}).status_code == 201
    village = villages(app, project)["420102001001"]
    assert (village.screened, village.persons, village.persons_housing_safe) == (1, 2, 0)
    assert village.flagged["housing_unsafe"] == 1
    # A later inspection grades the house safe: it outranks the screening for the rate; the flag the
    # screening raised stays.
    assert device.post_submission(inspection(2, "A", "2026-11-25"), {}).status_code == 201
    village = villages(app, project)["420102001001"]
    assert (village.persons_housing_safe, village.flagged["housing_unsafe"]) == (2, 1)
    # An older inspection arriving last changes nothing.
    assert device.post_submission(inspection(3, "D", "2026-11-05"), {}).status_code == 201
    assert villages(app, project)["420102001001"].persons_housing_safe == 2


def test_a_change_still_committing_when_coverage_is_read_is_not_lost(app, project, publish, device):
    """Coverage takes a village's note while a change to that village is in flight: it must wait for
    the change and count it, not drop the note and miss it for good."""
    from app.queries.coverage import note_villages
    load_registry(app, project)
    publish(SCREENING)
    create_test_campaign(app, project)
    assert device.post_submission(numbered_screening(1, wage=LOW, day="2026-11-10"), {}).status_code == 201

    def ingest_in_flight(conn):
        # As ingest would, in one transaction: 王五's household no longer flagged, and its village noted.
        conn.execute(text("UPDATE campaign_household SET screening_flags = '{}', flag_codes = '{}'"))
        conn.execute(text(note_villages("SELECT campaign_id, village FROM campaign_household")))
    waited, read = read_while_held(app, project, ingest_in_flight)
    assert waited, "coverage was read without waiting for the change in flight"
    assert "income_below_line" not in read["420102001001"].flagged
    assert "income_below_line" not in villages(app, project)["420102001001"].flagged


def coverage_at(app, project: int, level: str):
    from app.core.access import system_access
    from app.services.coverage.campaigns import coverage, find_campaign
    with app.app_context():
        [unit] = coverage(system_access(project), find_campaign(project, CAMPAIGN), level)
    return unit


def test_households_at_risk_count_risk_flags_once_and_no_data_quality_flags(app, project, publish, device):
    """What the map colours by: households with at least one risk flag (high, medium or low), each once,
    whatever the number of flags; a household with data-quality flags alone is not at risk."""
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    create_test_campaign(app, project)
    from demo.submissions import member_xml
    insured = (member_xml("王五", "head", age="52"),
               member_xml("王小五", "son", age="24", work="county", school="college"))
    far = "31.5928 115.3055 25.5 4.2"                                  # well outside 一元村: a data flag
    assert device.post_submission(numbered_screening(1, wage=HIGH, day="2026-11-10", gps=far, members=insured),
                                  {}).status_code == 201
    village = villages(app, project)["420102001001"]
    assert village.flagged == {"gps_outside_village": 1} and village.households_at_risk == 0
    assert device.post_submission(numbered_screening(2, wage=LOW, day="2026-11-11"), {}).status_code == 201
    village = villages(app, project)["420102001001"]
    assert sum(village.flagged.values()) > 1 and village.households_at_risk == 1
    county = coverage_at(app, project, "county")
    assert county.households_at_risk == 1


def test_tiles_remember_their_campaign_until_this_worker_commits_or_the_time_passes(app, project, publish):
    """A worker remembers the campaign its tiles ask for (TILES_CAMPAIGN_SECONDS, 1 s in tests as by default):
    a change committed elsewhere (another worker, the command line) shows once that time has passed; one
    committed through this worker's session, at once."""
    import time

    from app.extensions import db
    from app.services.coverage.campaigns import campaign_for_tiles
    assert app.config["TILES_CAMPAIGN_SECONDS"] == 1
    load_registry(app, project)
    publish(SCREENING)
    create_test_campaign(app, project)
    bump = text("UPDATE campaign SET tiles_version = tiles_version + 1")
    with app.app_context():
        campaign_for_tiles(project, CAMPAIGN)         # adds the numbers up: a commit, so nothing is kept yet
        seen = campaign_for_tiles(project, CAMPAIGN).tiles_version
        with db.engine.begin() as elsewhere:              # not this worker's session: nothing forgotten
            elsewhere.execute(bump)
        assert campaign_for_tiles(project, CAMPAIGN).tiles_version == seen
        time.sleep(1.1)
        assert campaign_for_tiles(project, CAMPAIGN).tiles_version == seen + 1
        db.session.execute(bump)
        db.session.commit()
        assert campaign_for_tiles(project, CAMPAIGN).tiles_version == seen + 2
