"""Vector tiles (Mapbox Vector Tile, MVT) straight from PostGIS: one statement per tile.

Tiles are in Web Mercator (EPSG:3857) on the usual z/x/y grid (ST_TileEnvelope), 4096 units across
with a 64-unit buffer, the values MapLibre expects. Geometry is stored in WGS84 (EPSG:4326); the
statements select by the tile's box in 4326 (so the GiST indexes on boundary and location are used)
and transform only what they draw. Every statement takes the caller's places (:places, LIKE patterns,
NULL for everywhere): nothing outside them is drawn, numbers are added up over them only.
"""
from functools import cache

from sqlalchemy import text

from ..models.place import DRAWN_FROM_ZOOM, SHAPE_BANDS, SHAPES_KEPT
from .coverage import HOUSEHOLD_STATE

_EARTH_M = 40075016.68557849       # the Web Mercator world's width in metres


def shape_band(z: int) -> int:
    """The band of outlines a tile at zoom z draws: the lowest band at or above z (13 for every zoom above)."""
    return next((band for band in SHAPE_BANDS if z <= band), SHAPE_BANDS[-1])


def tile_unit_m(z: int) -> float:
    """A 4096th of a tile's width at zoom z, in Web Mercator metres."""
    return _EARTH_M / 2 ** z / 4096


# The outlines of places (:codes, NULL: every place), transformed and simplified for each band their level
# is drawn in, replacing what they had. Run by each places import.
REBUILD_SHAPES = text(f"""
INSERT INTO admin_unit_shape (code, band, level, geom)
SELECT u.code, b.band, u.level, ST_MakeValid(ST_SimplifyPreserveTopology(ST_Transform(u.boundary, 3857), b.tolerance))
FROM admin_unit u
JOIN (VALUES {", ".join(f"({band}, '{level}', {tile_unit_m(band)!r})" for band, level in SHAPES_KEPT)})
    AS b(band, level, tolerance) ON b.level = u.level
WHERE u.boundary IS NOT NULL AND (CAST(:codes AS text[]) IS NULL OR u.code = ANY(:codes))
ON CONFLICT (code, band) DO UPDATE SET level = excluded.level, geom = excluded.geom
""")

# Every campaign's places tiles are drawn anew (after a places import changed the outlines).
DRAW_ANEW = text("UPDATE campaign SET tiles_version = tiles_version + 1")

_ENV = """env AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS box3857,
        ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => 64.0 / 4096), 4326) AS box
)"""
_WITHIN = "(CAST(:places AS text[]) IS NULL OR {column} LIKE ANY(CAST(:places AS text[])))"


def _unit_layer(layer: str, level: str, prefix: int, band: int) -> str:
    """One MVT layer of places at `level` (their codes' first `prefix` digits are what their villages share):
    each place in the tile drawn from its outline of `band`, with the campaign's numbers of its villages
    within the caller's places, read by a range of the (campaign, village) key, so that a tile adds up only
    the places it draws. Band and level are written into the statement, so that it reads their own index
    (models.place.SHAPE_INDEXES). A place clipped away has a NULL geometry, which ST_AsMVT leaves out."""
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
    WHERE s.band = {band} AND s.level = '{level}' AND s.geom && env.box3857 AND n.registered IS NOT NULL
        AND {_WITHIN.format(column="s.code")}
) f)"""


# Each level's layer and the digits of code its villages share.
_UNIT_LAYERS = (("counties", "county", 6), ("townships", "township", 9), ("villages", "village", 12))


@cache
def units_tile(z: int):
    """The statement of a places tile at zoom z (parameters z, x, y, campaign, places): one per zoom."""
    band = shape_band(z)
    layers = [_unit_layer(layer, level, prefix, band) for layer, level, prefix in _UNIT_LAYERS
              if z >= DRAWN_FROM_ZOOM[level]]
    return text(f"WITH {_ENV}\nSELECT " + "\n    || ".join(layers))


# Every registered household of the caller's places in the tile, as a point: at its latest campaign
# screening's first geopoint (kept with its campaign row), else where the registry places it (none: not
# drawn). Each kind of point is found by its own spatial index: the campaign's screened households by
# their screening's point, the others by the registry's. Only an opaque id (the row id), its state and its
# worst risk severity: no name, no ID number, no household code.
HOUSEHOLDS_TILE = text(f"""
WITH {_ENV},
households AS (
    SELECT ch.household_id AS id, {HOUSEHOLD_STATE} AS state, ch.flag_codes AS codes, ch.screening_location AS point
    FROM env, campaign_household ch
    WHERE ch.campaign_id = :campaign AND ch.screening_location && env.box AND {_WITHIN.format(column="ch.village")}
    UNION ALL
    SELECT h.id, {HOUSEHOLD_STATE}, coalesce(ch.flag_codes, '{{}}'), h.location
    FROM env, household h
    LEFT JOIN campaign_household ch ON ch.campaign_id = :campaign AND ch.household_id = h.id
    WHERE h.project_id = :project AND h.location && env.box AND ch.screening_location IS NULL
        AND {_WITHIN.format(column="h.admin_code")}
)
SELECT ST_AsMVT(f, 'households', 4096, 'geom', 'id') FROM (
    SELECT hh.id, hh.state,
        CASE WHEN hh.codes && CAST(:high AS varchar[]) THEN 'high'
             WHEN hh.codes && CAST(:medium AS varchar[]) THEN 'medium'
             WHEN hh.codes && CAST(:low AS varchar[]) THEN 'low' END AS severity,
        ST_AsMVTGeom(ST_Transform(hh.point, 3857), env.box3857, 4096, 64, true) AS geom
    FROM households hh, env
) f
""")
