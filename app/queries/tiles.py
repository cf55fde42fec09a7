"""Vector tiles (Mapbox Vector Tile, MVT) straight from PostGIS: one statement per tile.

Tiles are in Web Mercator (EPSG:3857) on the usual z/x/y grid (ST_TileEnvelope), 4096 units across
with a 64-unit buffer, the values MapLibre expects. Geometry is stored in WGS84 (EPSG:4326); the
statements select by the tile's box in 4326 (so the GiST indexes on boundary and location are used)
and transform only what they draw. Every statement takes the caller's places (:places, LIKE patterns,
NULL for everywhere): nothing outside them is drawn, numbers are added up over them only.
"""
from functools import cache

from sqlalchemy import text

from ..core.rules.flags import ALL_RISK_CODES, RISK_CODES
from ..models.place import DRAWN_FROM_ZOOM, PRE_TILED_TO_ZOOM, SHAPE_BANDS, SHAPES_KEPT
from .coverage import household_state

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

# Each place's geometry in every tile it reaches up to PRE_TILED_TO_ZOOM (with the tiles' 64-unit buffer),
# from its outline of the zoom's band, for the zooms its level is drawn at. Run by each places import,
# after REBUILD_SHAPES and REMOVE_TILES.
_PRE_TILED = [(z, level, shape_band(z)) for z in range(PRE_TILED_TO_ZOOM + 1)
              for level, from_zoom in DRAWN_FROM_ZOOM.items() if z >= from_zoom]
REMOVE_TILES = text("DELETE FROM admin_unit_tile")
REBUILD_TILES = text(f"""
INSERT INTO admin_unit_tile (z, x, y, level, code, geom)
SELECT d.z, tx, ty, s.level, s.code, g.geom
FROM (VALUES {", ".join(f"({z}, '{level}', {band})" for z, level, band in _PRE_TILED)}) AS d(z, level, band)
JOIN admin_unit_shape s ON s.band = d.band AND s.level = d.level
CROSS JOIN LATERAL (SELECT {_EARTH_M!r} / 2 ^ d.z AS size, {_EARTH_M / 2!r} AS half, 2 ^ d.z - 1 AS last) t
CROSS JOIN LATERAL generate_series(
    greatest(0, floor((ST_XMin(s.geom) + t.half) / t.size - 64.0 / 4096))::int,
    least(t.last, floor((ST_XMax(s.geom) + t.half) / t.size + 64.0 / 4096))::int) AS tx
CROSS JOIN LATERAL generate_series(
    greatest(0, floor((t.half - ST_YMax(s.geom)) / t.size - 64.0 / 4096))::int,
    least(t.last, floor((t.half - ST_YMin(s.geom)) / t.size + 64.0 / 4096))::int) AS ty
CROSS JOIN LATERAL (SELECT ST_AsMVTGeom(s.geom, ST_TileEnvelope(d.z, tx, ty), 4096, 64, true) AS geom) g
WHERE g.geom IS NOT NULL
""")

# Every campaign's places tiles are drawn anew (after a places import changed the outlines).
DRAW_ANEW = text("UPDATE campaign SET tiles_version = tiles_version + 1")

def _env(*, materialized: bool = False) -> str:
    """The CTE `env`: the tile's box in Web Mercator (box3857) and, with its 64-pixel margin, in WGS84 (box).
    `materialized` keeps the planner from inlining it (see households_tile)."""
    return f"""env AS {"MATERIALIZED " if materialized else ""}(
    SELECT ST_TileEnvelope(:z, :x, :y) AS box3857,
        ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => 64.0 / 4096), 4326) AS box
)"""
_WITHIN = "(CAST(:places AS text[]) IS NULL OR {column} LIKE ANY(CAST(:places AS text[])))"


def _unit_layer(layer: str, level: str, prefix: int, z: int) -> str:
    """One MVT layer of places at `level` (their codes' first `prefix` digits are what their villages share)
    for a tile at zoom z: each place in the tile with the campaign's numbers of its villages within the
    caller's places, read by a range of the (campaign, village) key, so that a tile adds up only the places
    it draws. Up to PRE_TILED_TO_ZOOM the places' geometries are read as made ahead (admin_unit_tile);
    above, each is drawn from its outline of the zoom's band, found by their own index
    (models.place.SHAPE_INDEXES; band and level are written into the statement for it). A place clipped
    away has a NULL geometry, which ST_AsMVT leaves out."""
    if z <= PRE_TILED_TO_ZOOM:
        source, geom = "admin_unit_tile s", "s.geom"
        where = f"s.z = :z AND s.x = :x AND s.y = :y AND s.level = '{level}'"
    else:
        source, geom = "env, admin_unit_shape s", "ST_AsMVTGeom(s.geom, env.box3857, 4096, 64, true)"
        where = f"s.band = {shape_band(z)} AND s.level = '{level}' AND s.geom && env.box3857"
    return f"""
(SELECT ST_AsMVT(f, '{layer}', 4096, 'geom') FROM (
    SELECT s.code, u.name, n.registered, n.screened, n.at_risk,
        CASE WHEN n.registered > 0 THEN round(n.screened::numeric / n.registered, 4)::float8 END AS coverage,
        CASE WHEN n.screened > 0 THEN round(n.at_risk::numeric / n.screened, 4)::float8 END AS at_risk_share,
        {geom} AS geom
    FROM {source}
    JOIN admin_unit u ON u.code = s.code
    CROSS JOIN LATERAL (
        SELECT sum(registered)::int AS registered, sum(screened)::int AS screened,
            sum(households_at_risk)::int AS at_risk
        FROM campaign_village
        WHERE campaign_id = :campaign
            AND village BETWEEN rpad(left(s.code, {prefix}), 12, '0') AND rpad(left(s.code, {prefix}), 12, '9')
            AND {_WITHIN.format(column="village")}
    ) n
    WHERE {where} AND n.registered IS NOT NULL AND {_WITHIN.format(column="s.code")}
) f)"""


# Each level's layer and the digits of code its villages share.
_UNIT_LAYERS = (("counties", "county", 6), ("townships", "township", 9), ("villages", "village", 12))


@cache
def units_tile(z: int):
    """The statement of a places tile at zoom z (parameters z, x, y, campaign, places): one per zoom."""
    layers = [_unit_layer(layer, level, prefix, z) for layer, level, prefix in _UNIT_LAYERS
              if z >= DRAWN_FROM_ZOOM[level]]
    return text(("" if z <= PRE_TILED_TO_ZOOM else f"WITH {_env()}\n") + "SELECT " + "\n    || ".join(layers))


def codes_array(codes: list[str]) -> str:
    """Flag codes (the rules' own constants: letters, digits and _) as an SQL varchar[] literal. Written into
    a tile's statement rather than sent: psycopg took ~0.2 ms to work out the type of each array parameter,
    a fifth of a zoom-16 household tile's time in the worker."""
    if not all(code.replace("_", "").isalnum() and code.isascii() for code in codes):
        raise ValueError("a flag code that is not a plain name")
    return "CAST(ARRAY[" + ", ".join(f"'{code}'" for code in codes) + "] AS varchar[])"


# Every registered household of the caller's places in the tile, as a point: at its latest campaign
# screening's first geopoint, else where the registry places it (none: not drawn), as campaign_point keeps
# them (models.risk.CampaignPoint: one spatial index over them all, where a tile read two tables and looked up
# the campaign row of each household the registry placed: 30% less time at zoom 12). The tile's box is read
# from a materialized CTE: inlined, it left the planner free to send a dense tile to a parallel worker, whose
# start took 20 ms of a 25 ms tile. Only an opaque id (the row id of the household), its state and its worst
# risk severity: no name, no ID number, no household code.
@cache
def households_tile(limited: bool):
    """The statement of a household tile (parameters z, x, y, campaign, places), for a caller `limited` to
    places or not (then :places is NULL). The risk codes of each severity are written in."""
    high, medium, low = (codes_array(RISK_CODES[severity]) for severity in ("high", "medium", "low"))
    state = household_state(codes_array(ALL_RISK_CODES), screened="p.screened", codes="p.flag_codes")
    within = "AND " + _WITHIN.format(column="p.admin_code") if limited else ""
    return text(f"""
WITH {_env(materialized=True)}
SELECT ST_AsMVT(f, 'households', 4096, 'geom', 'id') FROM (
    SELECT p.household_id AS id,
        {state} AS state,
        CASE WHEN p.flag_codes && {high} THEN 'high'
             WHEN p.flag_codes && {medium} THEN 'medium'
             WHEN p.flag_codes && {low} THEN 'low' END AS severity,
        ST_AsMVTGeom(ST_Transform(p.point, 3857), env.box3857, 4096, 64, true) AS geom
    FROM env, campaign_point p
    WHERE p.campaign_id = :campaign AND p.point && env.box {within}
) f
""")
