"""Statements of the console's map that are not tiles: the places a map unit holds, with their outline."""
from sqlalchemy import text

# Places (:codes) with their bounding box and their outline simplified to :tolerance degrees (a few
# hundred at most: the children of one place), as GeoJSON in WGS84.
UNIT_SHAPES = text("""
SELECT code, name, level,
    ST_XMin(box) AS west, ST_YMin(box) AS south, ST_XMax(box) AS east, ST_YMax(box) AS north,
    ST_AsGeoJSON(ST_Simplify(boundary, :tolerance, true), 6) AS outline
FROM (SELECT code, name, level, boundary, ST_Envelope(boundary) AS box FROM admin_unit WHERE code = ANY(:codes)) u
""")
