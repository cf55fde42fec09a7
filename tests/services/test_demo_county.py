"""The synthetic county: valid places and IDs, and a campaign over OpenRosa that yields flags and coverage."""
import dataclasses

from sqlalchemy import func, select

from app.core import idcard
from demo.county import build_county


def test_the_county_is_consistent_and_its_ids_are_valid():
    county = build_county(townships=3, villages=12, households=120, seed=3)
    assert len(county.villages) == 12 and 1 <= len(county.townships) <= 3
    assert all(v[:9] + "000" in county.townships for v in county.villages)
    assert all(shape.is_valid for shape in county.villages.values())
    ids = [m.idno for h in county.households for m in h.members]
    assert all(idcard.problem(i) is None for i in ids) and all(i.startswith("429901") for i in ids)
    village = sorted(county.villages)[0]
    lon, lat = county.point_in(village, __import__("random").Random(1))
    assert county.villages[village].contains(__import__("shapely").geometry.Point(lon, lat))


def test_a_small_campaign_through_openrosa_gives_flags_and_coverage(app, clean, live_server):
    from app.core.access import system_access
    from app.extensions import db
    from app.models import RiskFlag, SubmissionAssessment, campaign_change
    from app.services.coverage.campaign_households import forget_coverage, rebuild_project
    from app.services.coverage.campaigns import coverage, find_campaign
    from demo.simulate import CAMPAIGN, load_county, simulate_campaign
    from tests.conftest import REPO
    county = build_county(townships=2, villages=6, households=90, seed=5)
    with app.app_context():
        loaded = load_county(county, "示范县", REPO / "forms", app.extensions["blobstore"])
    report = simulate_campaign(county, loaded, live_server, households=60, photo_share=0.2, photo_kb=20,
                               inspections_share=0.3, clients=4)
    assert report.failed == [] and report.accepted == report.sent
    with app.app_context():
        forms = dict(db.session.execute(select(SubmissionAssessment.xml_form_id, func.count())
                                        .group_by(SubmissionAssessment.xml_form_id)).all())
        assert forms["fpf_hh_screening"] == 60 and forms.get("fpf_housing") and forms.get("fpf_water")
        assert db.session.scalar(select(func.count()).select_from(RiskFlag)) > 0
        assert db.session.scalar(select(func.count()).select_from(SubmissionAssessment)
                                 .where(SubmissionAssessment.household_id.is_(None))) == 0
        [unit] = coverage(system_access(loaded.project_id), find_campaign(loaded.project_id, CAMPAIGN), "county")
        # What ingest kept up to date, submission by submission, is what a rebuild from scratch gives.
        kept = _campaign_rows()
        rebuild_project(db.session.connection(), loaded.project_id)
        assert kept == _campaign_rows() and len(kept) == 60      # one row per household screened
        assert any(row.housing_version_id for row in kept) and any(row.water_version_id for row in kept)
    assert (unit.registered, unit.screened) == (90, 60)
    assert unit.coverage == round(60 / 90, 4)
    assert 0 < unit.basic_medical <= 1 and unit.flagged

    # One household not screened yet is screened and inspected: only its village is added up
    # again, and to what adding up every village from scratch gives.
    late = dataclasses.replace(county, households=[county.households[75]])
    with app.app_context():
        campaign = find_campaign(loaded.project_id, CAMPAIGN)
        coverage(system_access(loaded.project_id), campaign, "village")
    assert simulate_campaign(late, loaded, live_server, households=1, inspections_share=1.0, seed=21).failed == []
    with app.app_context():
        # Its screening and inspections leave one note: its village.
        assert db.session.execute(select(campaign_change)).all() == [(campaign.id, late.households[0].village)]
        refreshed = coverage(system_access(loaded.project_id), campaign, "village")
        forget_coverage(db.session.connection(), loaded.project_id)
        db.session.commit()
        assert refreshed == coverage(system_access(loaded.project_id), campaign, "village")
    assert sum(u.screened for u in refreshed) == 61


def _campaign_rows() -> list[tuple]:
    from app.extensions import db
    from app.models import CampaignHousehold
    table = CampaignHousehold.__table__
    return db.session.execute(select(*table.columns).order_by(*table.primary_key.columns)).all()
