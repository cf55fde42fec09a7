"""Vector tiles (Mapbox Vector Tile, MVT) straight from PostGIS: one statement per tile.

Tiles are in Web Mercator (EPSG:3857) on the usual z/x/y grid (ST_TileEnvelope), 4096 units across
with a 64-unit buffer, the values MapLibre expects. Geometry is stored in WGS84 (EPSG:4326); the
statements select by the tile's box in 4326 (so the GiST indexes on boundary and location are used)
and transform only what they draw. Every statement takes the caller's places (:places, LIKE patterns,
NULL for everywhere): nothing outside them is drawn, numbers are added up over them only.
"""
from sqlalchemy import text

from .coverage import HOUSEHOLD_STATE

_EARTH_M = 40075016.68557849       # the Web Mercator world's width in metres
# Places are drawn from outlines simplified ahead, per band of zooms: each band's outline is simplified
# to one tile unit (a 4096th of a tile) at the band's highest zoom, so no tile shows the simplification.
SHAPE_BANDS = (5, 7, 9, 11, 13)


def shape_band(z: int) -> int:
    """The band of outlines a tile at zoom z draws: the lowest band at or above z (13 for every zoom above)."""
    return next((band for band in SHAPE_BANDS if z <= band), SHAPE_BANDS[-1])


def tile_unit_m(z: int) -> float:
    """A 4096th of a tile's width at zoom z, in Web Mercator metres."""
    return _EARTH_M / 2 ** z / 4096


# The outlines of places (:codes, NULL: every place), transformed and simplified for every band, replacing
# what they had. Run by each places import.
REBUILD_SHAPES = text(f"""
INSERT INTO admin_unit_shape (code, band, level, geom)
SELECT u.code, b.band, u.level, ST_MakeValid(ST_SimplifyPreserveTopology(ST_Transform(u.boundary, 3857), b.tolerance))
FROM admin_unit u, (VALUES {", ".join(f"({band}, {_EARTH_M / 2 ** band / 4096!r})" for band in SHAPE_BANDS)})
    AS b(band, tolerance)
WHERE u.boundary IS NOT NULL AND (CAST(:codes AS text[]) IS NULL OR u.code = ANY(:codes))
ON CONFLICT (code, band) DO UPDATE SET level = excluded.level, geom = excluded.geom
""")

_ENV = """env AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS box3857,
        ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => 64.0 / 4096), 4326) AS box
)"""
_WITHIN = "(CAST(:places AS text[]) IS NULL OR {column} LIKE ANY(CAST(:places AS text[])))"


def _unit_layer(layer: str, level: str, prefix: int) -> str:
    """One MVT layer of places at `level` (their codes' first `prefix` digits are what their villages share):
    each place in the tile drawn from the outline of the tile's band, with the campaign's numbers of its
    villages within the caller's places, read by a range of the (campaign, village) key, so that a tile
    adds up only the places it draws."""
    return f"""
(SELECT ST_AsMVT(f, '{layer}', 4096, 'geom') FROM (
    SELECT s.code, u.name, n.registered, n.screened, n.at_risk,
        CASE WHEN n.registered > 0 THEN round(n.screened::numeric / n.registered, 4)::float8 END AS coverage,
        CASE WHEN n.screened > 0 THEN round(n.at_risk::numeric / n.screened, 4)::float8 END AS at_risk_share,
        ST_AsMVTGeom(s.geom, env.box3857, 4096, 64, true) AS geom
    FROM env, admin_unit_shape s
    JOIN admin_unit u ON u.code = s.code
    CROSS JOIN LATERAL (
        SELECT sum(registered)::int AS registered, sum(screened)::int AS screened,
            sum(households_at_risk)::int AS at_risk
        FROM campaign_village
        WHERE campaign_id = :campaign
            AND village BETWEEN rpad(left(s.code, {prefix}), 12, '0') AND rpad(left(s.code, {prefix}), 12, '9')
            AND {_WITHIN.format(column="village")}
    ) n
    WHERE s.band = :band AND s.level = '{level}' AND s.geom && env.box3857 AND n.registered IS NOT NULL
        AND {_WITHIN.format(column="s.code")}
) f WHERE f.geom IS NOT NULL)"""


# The places' layers of a tile at each zoom: counties always, townships from zoom 7, villages from 9
# (below, a village is a few pixels and a province has thousands: a county opened on the map fills
# the view at zoom 8 to 10, a township at 10 to 12).
UNITS_TILE = text(f"""
WITH {_ENV}
SELECT {_unit_layer("counties", "county", 6)}
    || CASE WHEN :z >= 7 THEN {_unit_layer("townships", "township", 9)} ELSE ''::bytea END
    || CASE WHEN :z >= 9 THEN {_unit_layer("villages", "village", 12)} ELSE ''::bytea END
""")

# Every registered household of the caller's villages in the tile, as a point: at its latest campaign
# screening's first geopoint, else where the registry places it (none: not drawn). Only an opaque id
# (the row id), its state and its worst risk severity: no name, no ID number, no household code.
HOUSEHOLDS_TILE = text(f"""
WITH {_ENV},
villages AS (
    SELECT code FROM admin_unit, env
    WHERE level = 'village' AND boundary && env.box AND {_WITHIN.format(column="code")}
),
households AS (
    SELECT h.id, {HOUSEHOLD_STATE} AS state, coalesce(ch.flag_codes, '{{}}') AS codes,
        coalesce((SELECT g.geom FROM geo_answer g
                  WHERE g.submission_version_id = ch.screening_version_id AND g.kind = 'geopoint'
                      AND g.geom IS NOT NULL
                  ORDER BY g.id LIMIT 1), h.location) AS point
    FROM household h
    JOIN villages v ON v.code = h.admin_code
    LEFT JOIN campaign_household ch ON ch.campaign_id = :campaign AND ch.household_id = h.id
    WHERE h.project_id = :project
)
SELECT ST_AsMVT(f, 'households', 4096, 'geom', 'id') FROM (
    SELECT hh.id, hh.state,
        CASE WHEN hh.codes && CAST(:high AS varchar[]) THEN 'high'
             WHEN hh.codes && CAST(:medium AS varchar[]) THEN 'medium'
             WHEN hh.codes && CAST(:low AS varchar[]) THEN 'low' END AS severity,
        ST_AsMVTGeom(ST_Transform(hh.point, 3857), env.box3857, 4096, 64, true) AS geom
    FROM households hh, env
    WHERE hh.point && env.box
) f WHERE f.geom IS NOT NULL
""")
