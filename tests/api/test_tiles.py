"""Map tiles from PostGIS: the right places and households in the right tile, cut to the caller's places,
no personal data, ETags, and bad tile addresses answered as problems."""
import math

import mapbox_vector_tile
import requests

from tests.api.conftest import LAT, LON, register_at
from tests.support.households import screening_xml
from tests.support.people import bearer
from tests.support.registry import SCREENING


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The Web Mercator tile (z, x, y) holding a point."""
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def _get(live_server, project, layer, z, x, y, headers, **params):
    return requests.get(f"{live_server}/v1/projects/{project}/tiles/{layer}/{z}/{x}/{y}.mvt", timeout=30,
                        headers=headers, params={"campaign": "排查", **params})


def _decode(answer) -> dict:
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(answer.content)


def test_units_carry_the_campaigns_numbers_at_each_zoom(app, live_server, mapped):
    county = bearer(app, live_server, mapped, "viewer")
    layers = _decode(_get(live_server, mapped, "units", *tile_of(LON, LAT, 10), county))
    assert set(layers) == {"counties", "townships", "villages"}
    villages = {f["properties"]["code"]: f["properties"] for f in layers["villages"]["features"]}
    one = villages["420102001001"]
    assert (one["registered"], one["screened"], one["at_risk"], one["coverage"], one["at_risk_share"]) == (
        1, 1, 1, 1.0, 1.0)
    assert one["name"] == "一元村"
    assert villages["420102001002"]["screened"] == 0 and "at_risk_share" not in villages["420102001002"]
    [township] = layers["townships"]["features"]
    assert (township["properties"]["registered"], township["properties"]["screened"]) == (2, 1)
    # Far out, only counties; nowhere near the county, nothing at all.
    assert set(_decode(_get(live_server, mapped, "units", *tile_of(LON, LAT, 5), county))) == {"counties"}
    assert _get(live_server, mapped, "units", 10, 0, 0, county).content == b""


def test_households_are_points_with_an_opaque_id_state_and_severity_only(app, live_server, mapped):
    manager = bearer(app, live_server, mapped, "manager")
    layers = _decode(_get(live_server, mapped, "households", *tile_of(LON, LAT, 15), manager))
    [household] = layers["households"]["features"]
    assert household["properties"] == {"state": "flagged", "severity": "high"}
    assert isinstance(household["id"], int) and household["geometry"]["type"] == "Point"
    # No name, ID number or code anywhere in the bytes of any tile.
    for layer, zoom in (("households", 15), ("units", 10), ("units", 14)):
        data = _get(live_server, mapped, layer, *tile_of(LON, LAT, zoom), manager).content
        for personal in ("王五", "H001", "420102197405"):
            assert personal.encode() not in data, (layer, personal)
    # Below zoom 12 the layer is empty, never slow.
    answer = _get(live_server, mapped, "households", *tile_of(LON, LAT, 11), manager)
    assert answer.status_code == 200 and answer.content == b""


def test_tiles_are_cut_to_the_callers_places(app, live_server, mapped):
    from app.services.registry.imports import import_places
    with app.app_context():
        import_places("more.csv", "code,level,parent_code,name\n420102002000,township,420102000000,其他街道\n"
                                  "420102002001,village,420102002000,三元村\n".encode())
    elsewhere = bearer(app, live_server, mapped, "viewer", ["420102002000"])
    here = bearer(app, live_server, mapped, "viewer", ["420102001000"])
    assert _get(live_server, mapped, "units", *tile_of(LON, LAT, 10), elsewhere).content == b""
    assert _get(live_server, mapped, "households", *tile_of(LON, LAT, 15), elsewhere).content == b""
    layers = _decode(_get(live_server, mapped, "units", *tile_of(LON, LAT, 10), here))
    assert set(layers) == {"townships", "villages"}            # their township and villages, not the county
    village = bearer(app, live_server, mapped, "viewer", ["420102001002"])
    layers = _decode(_get(live_server, mapped, "units", *tile_of(LON, LAT, 10), village))
    assert [f["properties"]["code"] for f in layers["villages"]["features"]] == ["420102001002"]


def test_an_unchanged_tile_answers_304_and_a_changed_one_does_not(app, live_server, mapped, device):
    viewer = bearer(app, live_server, mapped, "viewer")
    here = tile_of(LON, LAT, 10)
    first = _get(live_server, mapped, "units", *here, viewer)
    assert first.headers["Cache-Control"] == "private, no-cache"
    seen = viewer | {"If-None-Match": first.headers["ETag"]}
    again = _get(live_server, mapped, "units", *here, seen)
    assert again.status_code == 304 and again.content == b""
    other = screening_xml("uuid:aaaaaaaa-0000-4000-8000-000000000002", village="420102001002", household="H002",
                          survey_date="2026-11-11", gps="30.59 114.31 25 4")
    assert device.post_submission(other, {}).status_code == 201
    changed = _get(live_server, mapped, "units", *here, seen)
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_bad_tile_addresses_are_problems_never_5xx(app, live_server, mapped, device):
    viewer = bearer(app, live_server, mapped, "viewer")
    base = f"{live_server}/v1/projects/{mapped}/tiles"
    for url, status in ((f"{base}/units/23/0/0.mvt?campaign=排查", 400),
                        (f"{base}/units/3/8/0.mvt?campaign=排查", 400),
                        (f"{base}/units/3/0/99999999999999999999.mvt?campaign=排查", 400),
                        (f"{base}/units/x/0/0.mvt?campaign=排查", 404),
                        (f"{base}/roads/3/0/0.mvt?campaign=排查", 404),
                        (f"{base}/units/3/0/0.mvt?campaign=无此批次", 404),
                        (f"{base}/units/3/0/0.mvt", 400)):
        answer = requests.get(url, headers=viewer, timeout=10)
        assert answer.status_code == status, url
        assert answer.headers["Content-Type"] == "application/problem+json" and "code" in answer.json()
    # A device never reads a tile; a data collector neither.
    assert requests.get(f"{device.server_url}/tiles/units/10/0/0.mvt?campaign=排查", timeout=10).status_code == 403
    collector = bearer(app, live_server, mapped, "data_collector")
    assert requests.get(f"{base}/units/10/0/0.mvt?campaign=排查", headers=collector, timeout=10).status_code == 403


def test_a_places_import_draws_every_kept_tile_anew(app, live_server, mapped):
    """Workers keep places tiles (services/coverage/tile_cache); a places import must not leave them stale."""
    from app.services.registry.imports import import_places
    viewer = bearer(app, live_server, mapped, "viewer")
    here = tile_of(LON, LAT, 10)

    def village_names() -> set[str]:
        layers = _decode(_get(live_server, mapped, "units", *here, viewer))
        return {f["properties"]["name"] for f in layers["villages"]["features"]}
    assert "一元村" in village_names()
    assert "一元村" in village_names()              # kept: the same tile again
    with app.app_context():
        import_places("rename.csv",
                      "code,level,parent_code,name\n420102001001,village,420102001000,新一元村\n".encode())
    assert "新一元村" in village_names() and "一元村" not in village_names()


def test_places_are_tiled_ahead_in_every_tile_they_reach(app, mapped):
    """Up to zoom 10 places are read as tiled ahead at import (admin_unit_tile): each place is in exactly
    the tiles where its outline, clipped with the tiles' buffer, leaves something to draw."""
    from sqlalchemy import text

    from app.extensions import db
    from app.models.place import PRE_TILED_TO_ZOOM
    from app.queries.tiles import _PRE_TILED
    drawn = 0
    with app.app_context():
        for z, level, band in _PRE_TILED:
            centre = db.session.execute(text(
                "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Collect(boundary)) AS c FROM admin_unit "
                "WHERE level = :level) p"), {"level": level}).one()
            _, cx, cy = tile_of(*centre, z)
            # Every tile within two of the places' centre, tried one by one.
            expected = set(db.session.execute(text("""
                SELECT s.code, x, y FROM admin_unit_shape s, generate_series(:cx - 2, :cx + 2) x,
                    generate_series(:cy - 2, :cy + 2) y
                WHERE s.band = :band AND s.level = :level AND x >= 0 AND y >= 0 AND x < 2 ^ :z AND y < 2 ^ :z
                    AND ST_AsMVTGeom(s.geom, ST_TileEnvelope(:z, x, y), 4096, 64, true) IS NOT NULL
            """), {"band": band, "level": level, "z": z, "cx": cx, "cy": cy}).all())
            tiled = set(db.session.execute(text(
                "SELECT code, x, y FROM admin_unit_tile WHERE z = :z AND level = :level "
                "AND x BETWEEN :cx - 2 AND :cx + 2 AND y BETWEEN :cy - 2 AND :cy + 2"),
                {"z": z, "level": level, "cx": cx, "cy": cy}).all())
            assert tiled == expected, (z, level)
            drawn += len(expected)
    assert drawn > 10        # (far out, the test county's places are under a tile unit: nothing to draw)
    assert PRE_TILED_TO_ZOOM == max(z for z, _, _ in _PRE_TILED)


def test_a_campaign_without_households_keeps_its_tiles_version(app, live_server, project, publish):
    """Nothing to add up is not a change: the tiles kept stay valid (found by the attack review: every
    request counted a new version)."""
    from sqlalchemy import text

    from app.extensions import db
    publish(SCREENING)
    created = app.test_cli_runner().invoke(args=["campaign", "create", str(project), "空", "--start", "2026-11-01",
                                                 "--end", "2026-11-30", "--forms", "fpf_hh_screening"])
    assert created.exit_code == 0, created.output
    viewer = bearer(app, live_server, project, "viewer")
    for _ in range(3):
        answer = requests.get(f"{live_server}/v1/projects/{project}/tiles/units/10/0/0.mvt", headers=viewer,
                              params={"campaign": "空"}, timeout=30)
        assert answer.status_code == 200
    with app.app_context():
        assert db.session.execute(text("SELECT tiles_version FROM campaign WHERE name = '空'")).scalar() <= 1


def test_each_household_is_drawn_once_where_the_campaign_last_saw_it(app, live_server, mapped, device):
    """An unscreened household at the registry's place; a screened one at its screening's point only, never
    also at the registry's; the same for a caller limited to places (whose tile joins the registry) as for
    one who is not (whose tile does not)."""
    registered = (LON + 0.0004, LAT + 0.0004)                # in the same zoom-15 tile as H001's screening
    screened_at = (LON, LAT + 0.05)                         # 5 km north: another tile
    assert tile_of(*registered, 15) == tile_of(LON, LAT, 15) != tile_of(*screened_at, 15)
    ids = register_at(app, mapped, registered, {"H003": "赵六", "H004": "钱七"})
    xml = screening_xml("uuid:aaaaaaaa-0000-4000-8000-000000000004", household="H004", survey_date="2026-11-11",
                        inc_wage="90000", gps=f"{screened_at[1]} {screened_at[0]} 10 4")
    assert device.post_submission(xml, {}).status_code == 201
    for caller in (bearer(app, live_server, mapped, "manager"),
                   bearer(app, live_server, mapped, "manager", ["420102001000"])):
        here = _decode(_get(live_server, mapped, "households", *tile_of(LON, LAT, 15), caller))
        assert sorted((f["id"], f["properties"]["state"]) for f in here["households"]["features"]) == sorted(
            [(ids["H001"], "flagged"), (ids["H003"], "unscreened")])
        there = _decode(_get(live_server, mapped, "households", *tile_of(*screened_at, 15), caller))
        assert [f["id"] for f in there["households"]["features"]] == [ids["H004"]]
        assert there["households"]["features"][0]["properties"]["state"] != "unscreened"
