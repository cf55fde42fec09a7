"""campaign_point (models.risk.CampaignPoint, migration 0032) is what its definition says once the campaigns are
added up (as a tile does before it is drawn), after every kind of change, whichever path made it."""
from datetime import date

from sqlalchemy import text

from tests.support.campaigns import create_test_campaign, numbered_screening
from tests.support.registry import SCREENING, cover_test_villages, load_registry

# The definition: each household of a campaign's project, drawn at its screening's point in the campaign
# (campaign_household) else the registry's, when it has either.
DEFINED = text("""
SELECT ca.id, h.id, h.admin_code, ch.screening_version_id IS NOT NULL, coalesce(ch.flag_codes, '{}'),
    ST_AsText(coalesce(ch.screening_location, h.location))
FROM campaign ca JOIN household h ON h.project_id = ca.project_id
LEFT JOIN campaign_household ch ON ch.campaign_id = ca.id AND ch.household_id = h.id
WHERE coalesce(ch.screening_location, h.location) IS NOT NULL
ORDER BY 1, 2""")
KEPT = text("""
SELECT campaign_id, household_id, admin_code, screened, flag_codes, ST_AsText(point) FROM campaign_point
ORDER BY 1, 2""")


def _points(app) -> tuple[list, list]:
    """(the rows as defined, the rows kept) once every campaign with changes is added up."""
    from app.extensions import db
    from app.services.coverage.campaigns import refresh_pending
    with app.app_context():
        refresh_pending()
        return ([tuple(r) for r in db.session.execute(DEFINED)], [tuple(r) for r in db.session.execute(KEPT)])


def _import(app, project, csv: str):
    from app.services.registry.imports import import_households
    with app.app_context():
        import_households(project, "h.csv", ("household_id,village,head_name,lon,lat\n" + csv).encode())


def test_points_follow_registry_screenings_edits_recomputes_and_new_campaigns(app, project, publish, device,
                                                                              editor):
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    create_test_campaign(app, project)
    defined, kept = _points(app)
    assert kept == defined == []                       # the test registry places no household
    _import(app, project, "H001,420102001001,王五,114.30,30.59\nH003,420102001002,赵六,114.31,30.60\n")
    defined, kept = _points(app)
    assert kept == defined and len(kept) == 2 and not any(row[3] for row in kept)
    # A screening locates H001 at its geopoint and flags it (a wage under the monitoring line).
    assert device.post_submission(numbered_screening(1, wage="3000", day="2026-11-10"), {}).status_code == 201
    defined, kept = _points(app)
    assert kept == defined
    h001 = next(row for row in kept if row[2] == "420102001001")
    assert h001[3] is True and h001[4] and h001[5] == "POINT(114.3055 30.5928)"
    # An edit moves the screening out of the campaign's window: H001 is back at the registry's point.
    edit = numbered_screening(2, wage="3000", day="2026-12-20", edits=1)
    assert editor.post_submission(edit, {}).status_code == 201
    defined, kept = _points(app)
    assert kept == defined
    assert next(row for row in kept if row[1] == h001[1])[3:] == (False, [], "POINT(114.3 30.59)")
    # Another screening, then the registry moves H003 to the other village and point, and registers H004.
    assert device.post_submission(numbered_screening(3, wage="90000", day="2026-11-12"), {}).status_code == 201
    _import(app, project, "H003,420102001001,赵六,114.32,30.61\nH004,420102001002,钱七,114.33,30.62\n")
    defined, kept = _points(app)
    assert kept == defined and len(kept) == 3
    # Judging the rules again rebuilds every campaign row; a campaign created later has rows of its own.
    from app.services.coverage.campaigns import create_campaign
    from app.services.monitoring.recompute import recompute_flags
    with app.app_context():
        recompute_flags(project)
        create_campaign(project, "十二月", date(2026, 12, 1), date(2026, 12, 31), ["fpf_hh_screening"])
    defined, kept = _points(app)
    assert kept == defined and len(kept) == 6
    assert sum(1 for row in kept if row[3]) == 2      # H001: in November (n=3), and in December (the edit)
    with app.app_context():
        from app.extensions import db
        db.session.execute(text("DELETE FROM campaign WHERE name = '十二月'"))
        db.session.commit()
    defined, kept = _points(app)
    assert kept == defined and len(kept) == 3
