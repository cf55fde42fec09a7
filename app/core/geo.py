"""ODK geo answers ("lat lon alt acc", points joined by ';') -> shapely geometries.

A bad coordinate never rejects a submission: the answer is kept with a problem
that says what is wrong, and no geometry.
"""
from dataclasses import dataclass

from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from .numbers import NotANumber, read_decimal


@dataclass(frozen=True)
class GeoValue:
    geometry: BaseGeometry | None
    altitude: float | None = None
    accuracy: float | None = None
    problem: str | None = None


@dataclass(frozen=True)
class _Vertex:
    lat: float
    lon: float
    altitude: float | None
    accuracy: float | None


def read_geo(kind: str, text: str) -> GeoValue:
    """Read a geopoint, geotrace or geoshape answer; `kind` is the field type."""
    try:
        vertices = [_vertex(chunk) for chunk in text.split(";") if chunk.strip()]
    except ValueError as e:
        return GeoValue(None, problem=str(e))
    if not vertices:
        return GeoValue(None, problem="no coordinates")
    for v in vertices:
        if not (-90 <= v.lat <= 90 and -180 <= v.lon <= 180):
            return GeoValue(None, problem=f"coordinate out of range: lat {v.lat}, lon {v.lon}")
    coords = [(v.lon, v.lat) for v in vertices]
    if kind == "geopoint":
        if len(vertices) != 1:
            return GeoValue(None, problem=f"a geopoint has one coordinate, not {len(vertices)}")
        v = vertices[0]
        return GeoValue(Point(coords[0]), v.altitude, v.accuracy)
    if kind == "geotrace":
        if len(vertices) < 2:
            return GeoValue(None, problem="a geotrace needs at least 2 points")
        return GeoValue(LineString(coords))
    if kind == "geoshape":
        if coords[0] != coords[-1]:
            coords.append(coords[0])   # Collect closes the ring; other clients may not
        if len(coords) < 4:
            return GeoValue(None, problem="a geoshape needs at least 3 distinct points")
        polygon = Polygon(coords)
        if not polygon.is_valid:
            return GeoValue(polygon, problem="the shape crosses itself")
        return GeoValue(polygon)
    raise ValueError(f"not a geo type: {kind}")


def _vertex(chunk: str) -> _Vertex:
    parts = chunk.split()
    if len(parts) < 2 or len(parts) > 4:
        raise ValueError(f"expected 'lat lon [alt [acc]]', got {chunk.strip()[:60]!r}")
    try:
        numbers = [read_decimal(p) for p in parts]    # finite, ASCII digits: no 'inf', 'nan', '١٢'
    except NotANumber as e:
        raise ValueError(f"{e} in {chunk.strip()[:60]!r}") from None
    numbers += [None] * (4 - len(numbers))
    return _Vertex(*numbers)
