"""Checking administrative places before they are stored: codes, levels, parents, boundaries.

Pure: rows in, problems out. The import service stores nothing unless every row passes.
"""
import json
from dataclasses import dataclass

from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

LEVEL_ORDER = ("province", "city", "county", "township", "village", "group")
_PARENT_LEVEL = {"city": "province", "county": "city", "township": "county", "village": "township",
                 "group": "village"}
# How many leading digits a unit shares with its parent, and how its own code must look.
_SHARED_PREFIX = {"city": 2, "county": 4, "township": 6, "village": 9, "group": 12}
_TRUE = {"1", "true", "yes", "y", "是"}
_FALSE = {"0", "false", "no", "n", "否"}


@dataclass
class PlaceRow:
    row: int
    code: str
    level: str
    parent_code: str | None
    name: str
    boundary: BaseGeometry | None
    # None: the file does not say (a blank cell, or no such column), so the place's mark is unknown, or stays as
    # it was when the place is imported again. Never read as "no": a village whose intensity nobody entered is
    # not below 7 (R8b), nor one whose scarcity nobody entered rich in water (R9a).
    seismic_ge7: bool | None
    water_scarce: bool | None


@dataclass
class RowError:
    row: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row} ({self.code or 'no code'}): {self.message}"


def code_problem(code: str, level: str) -> str | None:
    """What is wrong with a code for its level, or None."""
    if level not in LEVEL_ORDER:
        return f"unknown level '{level}'; use one of {', '.join(LEVEL_ORDER)}"
    # ASCII digits only: str.isdigit also takes full-width '１', which no other record would match.
    digits = code.isascii() and code.isdigit()
    if level == "group":
        return None if len(code) == 15 and digits else "a group code is the village code plus 3 digits"
    if len(code) != 12 or not digits:
        return "a place code has 12 digits"
    depth = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}[level]
    if code[depth:] != "0" * (12 - depth):
        return f"a {level} code ends in {12 - depth} zeros"
    if code[depth - (3 if depth > 6 else 2):depth].strip("0") == "":
        return f"the {level} part of the code is zero"
    return None


def read_csv_row(row: int, record: dict) -> PlaceRow:
    boundary = None
    if record.get("boundary_geojson"):
        boundary = shape(json.loads(record["boundary_geojson"]))
    return PlaceRow(row, (record.get("code") or "").strip(), (record.get("level") or "").strip(),
                    (record.get("parent_code") or "").strip() or None, (record.get("name") or "").strip(),
                    boundary, _flag(record.get("seismic_ge7")), _flag(record.get("water_scarce")))


def read_feature(row: int, feature: dict) -> PlaceRow:
    props = feature.get("properties") or {}
    geometry = feature.get("geometry")
    return PlaceRow(row, str(props.get("code") or "").strip(), str(props.get("level") or "").strip(),
                    str(props.get("parent_code") or "").strip() or None, str(props.get("name") or "").strip(),
                    shape(geometry) if geometry else None,
                    _flag(props.get("seismic_ge7")), _flag(props.get("water_scarce")))


def check_places(rows: list[PlaceRow], known: dict[str, str]) -> list[RowError]:
    """Problems with the rows, given the places already stored (code -> level)."""
    errors = []
    levels = {**known, **{r.code: r.level for r in rows}}
    seen: set[str] = set()
    for r in rows:
        problem = code_problem(r.code, r.level)
        if problem:
            errors.append(RowError(r.row, r.code, problem))
            continue
        if r.code in seen:
            errors.append(RowError(r.row, r.code, "the code appears twice in the file"))
        seen.add(r.code)
        if not r.name:
            errors.append(RowError(r.row, r.code, "the name is empty"))
        errors += _parent_errors(r, levels)
        if r.boundary is not None:
            errors += _boundary_errors(r)
    return errors


def multipolygon(geometry: BaseGeometry) -> MultiPolygon:
    return MultiPolygon([geometry]) if isinstance(geometry, Polygon) else geometry


def _parent_errors(r: PlaceRow, levels: dict[str, str]) -> list[RowError]:
    wanted = _PARENT_LEVEL.get(r.level)
    if r.parent_code is None:
        # Townships and below hang off a parent; a county may stand alone.
        return [RowError(r.row, r.code, f"a {r.level} needs a parent_code")] if r.level in (
            "township", "village", "group") else []
    if r.parent_code not in levels:
        return [RowError(r.row, r.code, f"unknown parent {r.parent_code}")]
    if levels[r.parent_code] != wanted:
        return [RowError(r.row, r.code, f"the parent of a {r.level} must be a {wanted}, "
                                        f"but {r.parent_code} is a {levels[r.parent_code]}")]
    shared = _SHARED_PREFIX[r.level]
    if r.code[:shared] != r.parent_code[:shared]:
        return [RowError(r.row, r.code, f"the code does not start with its parent's {shared} digits")]
    return []


def _boundary_errors(r: PlaceRow) -> list[RowError]:
    g = r.boundary
    if not isinstance(g, (Polygon, MultiPolygon)):
        return [RowError(r.row, r.code, f"the boundary must be a Polygon or MultiPolygon, not {g.geom_type}")]
    if g.is_empty:
        return [RowError(r.row, r.code, "the boundary is empty")]
    if not g.is_valid:
        return [RowError(r.row, r.code, f"invalid boundary geometry: {explain_validity(g)}")]
    minx, miny, maxx, maxy = g.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        return [RowError(r.row, r.code, "the boundary is not in longitude/latitude (EPSG:4326)")]
    return []


def _flag(value) -> bool | None:
    """A yes/no mark of a place: True, False, or None when blank (unknown); ValueError for anything else (the
    row is reported, not guessed at)."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"a yes/no mark (1 or 0) is expected, not {str(value)[:20]!r}")
