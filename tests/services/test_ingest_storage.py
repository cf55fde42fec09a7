"""What ingest stores: verbatim XML, typed answers, and a geometry row per geo answer."""
from sqlalchemy import func, select

from tests.conftest import REAL_FORMS, REPO
from tests.support.households import HOUSEHOLD, screening_xml
from tests.support.instances import build_instance

SCREENING = REPO / "forms" / "fpf_hh_screening.md"



def _current(app):
    from app.extensions import db
    from app.models import SubmissionVersion
    with app.app_context():
        return db.session.scalars(select(SubmissionVersion)).one()


def test_answers_are_typed_and_nested_like_the_form(app, publish, device):
    publish(SCREENING)
    xml = screening_xml(inc_prop="three hundred", photo="1700000000001.jpg")
    assert device.post_submission(xml, {"1700000000001.jpg": b"jpeg"}).status_code == 201
    stored = _current(app)
    assert stored.xml == xml                                   # verbatim
    a = stored.answers
    assert a["inc_g"]["inc_wage"] == 12000.5 and a["inc_g"]["exp_med"] == 0.0
    assert a["member"][0]["m_age"] == "52"           # a calculate: its bind type is string
    assert [m["m_name"] for m in a["member"]] == ["王五", "王小五"]
    assert a["hh_g"]["head_idno"] is None and a["hh_g"]["assistance"] == ["none"]
    assert a["inc_g"]["income_note"] == "A & B"
    # An answer that does not fit its type is kept as text and reported, not dropped.
    assert a["inc_g"]["inc_prop"] == "three hundred"
    assert stored.problems == [{"path": "/data/inc_g/inc_prop", "positions": [], "type": "decimal",
                                "problem": "not a valid decimal"}]


def test_geopoint_is_a_postgis_point_with_altitude_and_accuracy(app, publish, device):
    from app.extensions import db
    from app.models import GeoAnswer
    publish(SCREENING)
    assert device.post_submission(HOUSEHOLD.encode(), {}).status_code == 201
    with app.app_context():
        row = db.session.execute(select(
            GeoAnswer.field_path, GeoAnswer.kind, func.ST_X(GeoAnswer.geom), func.ST_Y(GeoAnswer.geom),
            func.ST_SRID(GeoAnswer.geom), GeoAnswer.altitude, GeoAnswer.accuracy)).one()
    assert tuple(row) == ("/data/loc_g/hh_gps", "geopoint", 114.3055, 30.5928, 4326, 25.5, 4.2)


def test_geo_answers_in_nested_repeats_get_their_positions(app, publish, device):
    from app.extensions import db
    from app.models import GeoAnswer
    publish(REAL_FORMS / "central-geotypes" / "geoTypes.xml")
    xform = device.get(device.form_list()[0].download_url).content
    xml, files = build_instance(xform)
    assert device.post_submission(xml, files).status_code == 201
    with app.app_context():
        rows = db.session.execute(select(GeoAnswer.field_path, GeoAnswer.repeat_positions,
                                         func.ST_GeometryType(GeoAnswer.geom))).all()
    kinds = {r[2] for r in rows}
    assert kinds == {"ST_Point", "ST_LineString", "ST_Polygon"}
    assert any(len(r[1]) == 2 for r in rows), rows          # inside the nested repeat
    assert any(r[1] == [] for r in rows)


def test_invalid_coordinates_are_kept_and_flagged_not_rejected(app, publish, device):
    from app.extensions import db
    from app.models import GeoAnswer
    publish(SCREENING)
    xml = HOUSEHOLD.replace("30.5928 114.3055 25.5 4.2", "130.5 214.3 0 5").encode()
    assert device.post_submission(xml, {}).status_code == 201
    with app.app_context():
        row = db.session.scalars(select(GeoAnswer)).one()
    assert row.geom is None
    assert row.raw == "130.5 214.3 0 5"
    assert "out of range" in row.problem


def test_spatial_queries_work_on_stored_answers(app, publish, device):
    from app.extensions import db
    from app.models import GeoAnswer
    publish(SCREENING)
    assert device.post_submission(HOUSEHOLD.encode(), {}).status_code == 201
    with app.app_context():
        inside = db.session.scalar(select(func.count()).select_from(GeoAnswer).where(
            func.ST_Within(GeoAnswer.geom, func.ST_MakeEnvelope(114.0, 30.0, 115.0, 31.0, 4326))))
    assert inside == 1


def test_submitter_and_project_are_on_every_submission(app, project, publish, device):
    from app.extensions import db
    from app.models import Actor, Submission
    publish(SCREENING)
    assert device.post_submission(HOUSEHOLD.encode(), {}).status_code == 201
    with app.app_context():
        submission = db.session.scalars(select(Submission)).one()
        actor = db.session.get(Actor, submission.submitter_id)
    assert submission.project_id == project
    assert actor.kind == "app_user" and actor.display_name == "村干部 测试"
