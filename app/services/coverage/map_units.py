"""The console map's places: the children of one place (or the caller's own places at the top), each
with its campaign numbers, bounding box and outline. The table beside the map, its breadcrumb, the
drill-down and the map without WebGL all read this; the polygons of the WebGL map come as tiles."""
import json
from dataclasses import dataclass

from ...core.access import LEVEL_DIGITS, Access, level_of
from ...extensions import db
from ...models import Campaign
from ...problems import not_found
from ...queries.map import UNIT_SHAPES
from .campaigns import UnitCoverage, coverage

CHILD_LEVEL = {"county": "township", "township": "village"}
_LEVEL_OF_DIGITS = {digits: level for level, digits in LEVEL_DIGITS.items()}
_TOLERANCE_DEGREES = {"county": 0.002, "township": 0.0005, "village": 0.0001}   # ~200, 50, 10 m


@dataclass(frozen=True)
class MapUnit:
    numbers: UnitCoverage
    level: str
    bounds: tuple[float, float, float, float] | None      # west, south, east, north (WGS84), None: no outline
    outline: dict | None                                    # GeoJSON geometry, simplified


def map_units(access: Access, campaign: Campaign, parent: str | None) -> list[MapUnit]:
    """The children of `parent` (a county or township code) within the caller's places; without a parent,
    the top of what the caller covers: every county, or the caller's own townships or villages. Raises
    Problem 404.1 for a parent that is a village, unknown, or outside the caller's places."""
    if parent is None:
        level = _top_level(access)
    else:
        parent_level = level_of(parent)
        if parent_level not in ("county", "township") or not _visible(access, parent):
            raise not_found(f"There is no place {parent} to open here.")
        level = CHILD_LEVEL[parent_level]
    units = coverage(access, campaign, level)
    if parent is not None:
        prefix = parent[:LEVEL_DIGITS[parent_level]]
        units = [u for u in units if u.code.startswith(prefix)]
    shapes = {row.code: row for row in db.session.execute(UNIT_SHAPES, {
        "codes": [u.code for u in units], "tolerance": _TOLERANCE_DEGREES[level]})}
    return [_map_unit(u, level, shapes.get(u.code)) for u in units]


def _map_unit(numbers: UnitCoverage, level: str, shape) -> MapUnit:
    if shape is None or shape.outline is None:
        return MapUnit(numbers, level, None, None)
    return MapUnit(numbers, level, (shape.west, shape.south, shape.east, shape.north), json.loads(shape.outline))


def _top_level(access: Access) -> str:
    """Counties for an unlimited caller; else the level of the caller's widest place."""
    if access.places is None:
        return "county"
    if not access.places:
        return "village"
    widest = min(len(p) for p in access.places)        # a province or city grant opens on its counties
    return "county" if widest <= LEVEL_DIGITS["county"] else _LEVEL_OF_DIGITS.get(widest, "village")


def _visible(access: Access, code: str) -> bool:
    """Whether the caller may open `code`: it lies within their places, or holds one of them."""
    if access.places is None:
        return True
    prefix = code[:LEVEL_DIGITS[level_of(code)]]
    return any(p.startswith(prefix) or prefix.startswith(p) for p in access.places)
