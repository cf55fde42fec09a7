"""Household tiles against what could go wrong with their two statements (for callers limited to places or
not), drawn from campaign_point once the campaign is added up: moves, screenings from elsewhere, rows without a
screening, callers without household access, personal data, and the two statements held to each other on
random data."""
import random

import mapbox_vector_tile
import requests

from tests.api.conftest import LAT, LON, register_at
from tests.api.test_tiles import _decode, _get, tile_of
from tests.support.households import screening_xml
from tests.support.people import PASSWORD, bearer

OTHER_TOWNSHIP, OTHER_VILLAGE = "420102002000", "420102002001"


def _more_places(app):
    from app.services.registry.imports import import_places
    with app.app_context():
        import_places("more.csv", (
            "code,level,parent_code,name,boundary_geojson\n"
            f"{OTHER_TOWNSHIP},township,420102000000,其他街道,\n"
            f'{OTHER_VILLAGE},village,{OTHER_TOWNSHIP},三元村,"{{""type"": ""Polygon"", ""coordinates"": '
            '[[[114.30, 30.64], [114.32, 30.64], [114.32, 30.66], [114.30, 30.66], [114.30, 30.64]]]}"\n'
        ).encode())


def _ids(app):
    from sqlalchemy import text

    from app.extensions import db
    with app.app_context():
        return dict(db.session.execute(text("SELECT household_code, id FROM household")).all())


def _features(live_server, project, caller, lon, lat, z=15):
    answer = _get(live_server, project, "households", *tile_of(lon, lat, z), caller)
    if answer.status_code == 200 and answer.content == b"":
        return []
    return sorted((f["id"], f["properties"].get("state")) for f in _decode(answer)["households"]["features"])


def test_a_household_moved_by_a_registry_import_follows_the_registry_for_limited_callers(
        app, live_server, mapped):
    """H001 is screened in 一元村 (township 1), then the registry moves it to 三元村 (township 2): a viewer of
    township 1 no longer sees it at its screening's point; a viewer of township 2 does; an unlimited viewer
    sees it once."""
    from app.services.registry.imports import import_households
    _more_places(app)
    with app.app_context():
        import_households(mapped, "move.csv", (
            "household_id,village,head_name,poverty_status\n"
            f"H001,{OTHER_VILLAGE},王五,lifted\n").encode())
    h001 = _ids(app)["H001"]
    township_1 = bearer(app, live_server, mapped, "viewer", ["420102001000"])
    village_1 = bearer(app, live_server, mapped, "viewer", ["420102001001"])
    township_2 = bearer(app, live_server, mapped, "viewer", [OTHER_TOWNSHIP])
    everyone = bearer(app, live_server, mapped, "viewer")
    assert _features(live_server, mapped, township_1, LON, LAT) == []
    assert _features(live_server, mapped, village_1, LON, LAT) == []
    assert _features(live_server, mapped, township_2, LON, LAT) == [(h001, "flagged")]
    assert _features(live_server, mapped, everyone, LON, LAT) == [(h001, "flagged")]


def test_a_household_screened_from_another_township_is_drawn_there_for_its_own_village_only(
        app, live_server, mapped, device):
    """H002 (二元村, township 1) screened from a point inside 三元村 (township 2): drawn there, once, for
    viewers of 二元村 / township 1 / everywhere, never for a viewer of township 2 or of 一元村."""
    _more_places(app)
    there = (114.31, 30.65)
    xml = screening_xml("uuid:aaaaaaaa-0000-4000-8000-0000000000a2", village="420102001002", household="H002",
                        survey_date="2026-11-12", inc_wage="90000", gps=f"{there[1]} {there[0]} 10 4")
    assert device.post_submission(xml, {}).status_code == 201
    h002 = _ids(app)["H002"]
    for places, seen in (([], True), (["420102001000"], True), (["420102001002"], True),
                         (["420102001001"], False), ([OTHER_TOWNSHIP], False), ([OTHER_VILLAGE], False)):
        caller = bearer(app, live_server, mapped, "viewer", places)
        got = _features(live_server, mapped, caller, *there)
        assert [i for i, _ in got] == ([h002] if seen else []), (places, got)
        assert all(state != "unscreened" for _, state in got)


def test_callers_without_household_read_get_no_household_tile(app, live_server, mapped, device):
    """A device token, a data collector and a user with no grant: never a household tile."""
    from app.services.accounts.users import create_user
    z, x, y = tile_of(LON, LAT, 15)
    url = f"{live_server}/v1/projects/{mapped}/tiles/households/{z}/{x}/{y}.mvt"
    token_url = f"{device.server_url}/tiles/households/{z}/{x}/{y}.mvt"
    answer = requests.get(token_url, params={"campaign": "排查"}, timeout=30)
    assert answer.status_code in (401, 403, 404), answer.status_code
    assert answer.headers.get("Content-Type") != "application/vnd.mapbox-vector-tile"
    collector = bearer(app, live_server, mapped, "data_collector")
    answer = requests.get(url, params={"campaign": "排查"}, headers=collector, timeout=30)
    assert answer.status_code == 403, answer.status_code
    with app.app_context():
        create_user("nobody@example.org", PASSWORD, "Dixian")
    token = requests.post(f"{live_server}/v1/sessions", json={"email": "nobody@example.org", "password": PASSWORD},
                          timeout=10).json()["token"]
    answer = requests.get(url, params={"campaign": "排查"}, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 403, answer.status_code


def test_a_campaign_row_without_a_screening_is_drawn_once_at_the_registry(app, live_server, mapped):
    """A household with a campaign row but no screening (only a housing inspection) and one whose screening
    had no geopoint: each drawn once, at the registry's point, for limited and unlimited callers."""
    from sqlalchemy import text

    from app.extensions import db
    point = (LON + 0.0004, LAT + 0.0004)
    ids = register_at(app, mapped, point, {"H005": "孙八", "H006": "周九"})
    with app.app_context():
        campaign = db.session.execute(text("SELECT id FROM campaign WHERE name = '排查'")).scalar()
        db.session.execute(text("""
            INSERT INTO campaign_household (campaign_id, household_id, village, housing_version_id, housing_on,
                housing_unsafe, housing_flags, flag_codes)
            VALUES (:c, :h5, '420102001001', 1, '2026-11-10', true, '{}', '{}')"""),
                           {"c": campaign, "h5": ids["H005"]})
        db.session.execute(text("""
            INSERT INTO campaign_household (campaign_id, household_id, village, screening_version_id, screening_on,
                screening_flags, flag_codes, screening_location)
            VALUES (:c, :h6, '420102001001', 1, '2026-11-10', '{}', '{}', NULL)"""),
                           {"c": campaign, "h6": ids["H006"]})
        db.session.commit()
    for places in ([], ["420102001000"], ["420102001001"]):
        caller = bearer(app, live_server, mapped, "viewer", places)
        got = _features(live_server, mapped, caller, LON, LAT)
        assert got == sorted([(ids["H001"], "flagged"), (ids["H005"], "unscreened"),
                              (ids["H006"], "screened")]), (places, got)


def test_no_personal_data_in_any_household_tile(app, live_server, mapped, device):
    """Names, ID numbers, household codes: in no household tile, for limited or unlimited callers, at
    every zoom from 12 to 18 over the test villages."""
    from app.services.registry.imports import import_households
    with app.app_context():
        import_households(mapped, "more.csv", (
            "household_id,village,head_name,head_idno,poverty_status,lon,lat\n"
            f"HXYZ0099,420102001002,欧阳娜娜,11010519491231002X,ordinary,{LON + 0.02},{LAT}\n").encode())
    secrets = [s.encode() for s in ("王五", "李四", "欧阳娜娜", "H001", "H002", "HXYZ0099", "420102197405",
                                    "11010519491231002X", "4201020010")]
    for places in ([], ["420102001000"]):
        caller = bearer(app, live_server, mapped, "manager", places)
        for z in range(12, 19):
            for lon in (LON, LON + 0.02):
                data = _get(live_server, mapped, "households", *tile_of(lon, LAT, z), caller).content
                for secret in secrets:
                    assert secret not in data, (places, z, secret)
                if data:
                    for f in mapbox_vector_tile.decode(data)["households"]["features"]:
                        assert set(f["properties"]) <= {"state", "severity"}


def test_both_statements_agree_on_random_data(app, live_server, mapped):
    """Differential: the statement for unlimited callers against the one for callers limited to places, run
    with NULL places, over a grid of tiles, on random households and campaign rows (screened here, elsewhere,
    without a point, without a screening), once the campaign is added up as a tile's request adds it up."""
    from sqlalchemy import text

    from app.core.rules.flags import ALL_RISK_CODES, RISK_CODES
    from app.extensions import db
    from app.queries.tiles import households_tile
    from app.services.registry.imports import import_households
    rng = random.Random(13)
    rows = ["household_id,village,head_name,poverty_status,lon,lat"]
    for n in range(300):
        village = rng.choice(["420102001001", "420102001002"])
        where = (f"{114.30 + rng.random() * 0.04:.6f},{30.58 + rng.random() * 0.02:.6f}"
                 if rng.random() < 0.8 else ",")
        rows.append(f"R{n:04d},{village},某,ordinary,{where}")
    with app.app_context():
        import_households(mapped, "random.csv", ("\n".join(rows) + "\n").encode())
        campaign = db.session.execute(text("SELECT id FROM campaign WHERE name = '排查'")).scalar()
        ids = db.session.execute(text("SELECT id FROM household WHERE household_code LIKE 'R%'")).scalars().all()
        for hid in ids:
            kind = rng.random()
            if kind < 0.3:
                continue
            lon, lat = 114.28 + rng.random() * 0.08, 30.56 + rng.random() * 0.06
            flags = rng.choice([[], ["income_below_line"], ["housing_unsafe"], ["income_watch_10k"]])
            db.session.execute(text("""
                INSERT INTO campaign_household (campaign_id, household_id, village, screening_version_id,
                    screening_on, screening_flags, flag_codes, screening_location)
                SELECT :c, :h, h.admin_code, CASE WHEN :screened THEN 1 END, '2026-11-10', '{}',
                    CAST(:flags AS varchar[]),
                    CASE WHEN :located THEN ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END
                FROM household h WHERE h.id = :h"""), {
                "c": campaign, "h": hid, "screened": kind < 0.85, "located": 0.3 <= kind < 0.75,
                "lon": lon, "lat": lat, "flags": flags})
        db.session.commit()
        from app.services.coverage.campaigns import refresh_pending
        assert refresh_pending() == 1            # the import forgot the campaign's numbers: added up whole
        differences, total = [], 0
        for z in (12, 13, 14, 15):
            x0, y0 = tile_of(114.28, 30.62, z)[1:]
            x1, y1 = tile_of(114.36, 30.56, z)[1:]
            for x in range(x0, x1 + 1):
                for y in range(y0, y1 + 1):
                    params = {"z": z, "x": x, "y": y, "campaign": campaign, "project": mapped, "places": None,
                              "risk": ALL_RISK_CODES, **RISK_CODES}
                    new = db.session.execute(households_tile(False), params).scalar()
                    old = db.session.execute(households_tile(True), params).scalar()

                    def feats(data):
                        if not data:
                            return []
                        layer = mapbox_vector_tile.decode(bytes(data)).get("households", {"features": []})
                        return sorted((f["id"], tuple(sorted(f["properties"].items())),
                                       tuple(f["geometry"]["coordinates"])) for f in layer["features"])
                    if feats(new) != feats(old):
                        differences.append((z, x, y))
                    drawn = [f[0] for f in feats(new)]
                    total += len(drawn) if z == 12 else 0
                    assert len(drawn) == len(set(drawn)), ("drawn twice", z, x, y)
        assert differences == []
        assert total >= 250, total          # every placed household, at zoom 12, drawn somewhere
