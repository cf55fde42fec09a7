"""Map tiles of a campaign (Mapbox Vector Tiles): places coloured by their numbers, and households.

Tiles are cut to the caller's places in SQL (app/queries/tiles.py): a township's supervisor gets empty
tiles over the next township. Household tiles carry an opaque id, a state and a severity, never a
name or an ID number (personal data stays behind the household page, which checks access again).
"""
import hashlib
from dataclasses import dataclass

from ...core.access import Access
from ...problems import unexpected_value
from ...queries import tiles as statements
from ...queries.places import sql_patterns
from ..single_reads import scalar_alone
from . import tile_cache
from .campaigns import TiledCampaign

MAX_ZOOM = 22
HOUSEHOLDS_FROM_ZOOM = 12          # below, a tile would hold tens of thousands of points: it is empty


@dataclass(frozen=True)
class Tile:
    data: bytes                    # the MVT (empty: nothing to draw)
    etag: str                      # of the content (unquoted): an unchanged tile answers 304


def check_tile(z: int, x: int, y: int) -> None:
    """Raises Problem 400 unless (z, x, y) is a tile of the Web Mercator grid: 0 <= z <= MAX_ZOOM,
    0 <= x, y < 2^z."""
    if not 0 <= z <= MAX_ZOOM:
        raise unexpected_value("z", f"Zoom must be from 0 to {MAX_ZOOM}.")
    if not (0 <= x < 2 ** z and 0 <= y < 2 ** z):
        raise unexpected_value("x/y", f"At zoom {z}, x and y must be from 0 to {2 ** z - 1}.")


def units_tile(access: Access, campaign: TiledCampaign, z: int, x: int, y: int) -> Tile:
    """Counties, townships (z >= 7) and villages (z >= 9) with the campaign's numbers: registered,
    screened, at_risk, coverage (screened / registered) and at_risk_share (at risk / screened). Kept by
    this worker once drawn (tile_cache), under the campaign's tiles_version. Raises Problem 400 for a
    tile off the grid."""
    check_tile(z, x, y)

    def draw() -> Tile:
        return _tile(scalar_alone(statements.units_tile(z), {
            "z": z, "x": x, "y": y, "campaign": campaign.id, "places": sql_patterns(access.places)}))
    return tile_cache.kept(("units", campaign.id, campaign.tiles_version, access.places, z, x, y), draw)


def households_tile(access: Access, campaign: TiledCampaign, z: int, x: int, y: int) -> Tile:
    """Each registered household of the caller's places as a point, from HOUSEHOLDS_FROM_ZOOM on:
    state unscreened | screened | flagged, and severity high | medium | low for flagged ones."""
    check_tile(z, x, y)
    if z < HOUSEHOLDS_FROM_ZOOM:
        return _tile(b"")
    data = scalar_alone(statements.households_tile(access.places is not None), {
        "z": z, "x": x, "y": y, "campaign": campaign.id, "places": sql_patterns(access.places)})
    return _tile(data)


def _tile(data: bytes | None) -> Tile:
    data = bytes(data or b"")
    return Tile(data, hashlib.sha256(data).hexdigest()[:32])
