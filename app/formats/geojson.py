"""A GeoJSON FeatureCollection (RFC 7946) written as a stream of bytes, one feature at a time."""
import json
from collections.abc import Iterable, Iterator

FLUSH_FEATURES = 500


def feature_collection(features: Iterable[tuple[str, dict]]) -> Iterator[bytes]:
    """`features` gives (geometry as GeoJSON text, properties); the geometry text is written as it is
    (PostGIS's ST_AsGeoJSON), the properties as JSON (non-ASCII as it is, UTF-8)."""
    yield b'{"type":"FeatureCollection","features":['
    waiting: list[str] = []
    first = True
    for geometry, properties in features:
        waiting.append(('' if first else ',') + '{"type":"Feature","geometry":' + geometry + ',"properties":'
                       + json.dumps(properties, ensure_ascii=False, separators=(",", ":")) + "}")
        first = False
        if len(waiting) >= FLUSH_FEATURES:
            yield "".join(waiting).encode("utf-8")
            waiting.clear()
    yield ("".join(waiting) + "]}").encode("utf-8")
