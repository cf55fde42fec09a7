"""Importing places (CSV or GeoJSON) and the household registry (CSV): all rows or none.

Every row is checked first and every problem reported with its row number, so
an administrator fixes the file once instead of once per error.
"""
import csv
import io
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone

from geoalchemy2.shape import from_shape
from shapely.errors import GEOSException
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from ... import events
from ...core import idcard
from ...core.household_standing import TERMS, read_term, standing_problems
from ...core.places import PlaceRow, RowError, check_places, multipolygon, read_csv_row, read_feature
from ...events import Kind
from ...extensions import db
from ...models import AdminUnit, Household
from ...problems import Problem, import_rejected, missing_parameter, unparseable
from ...queries.registry import BOUNDARY_FROM_CHILDREN, SHARED_HEAD_IDNOS, SHARED_PERSONS
from ...queries.tiles import DRAW_ANEW, REBUILD_SHAPES, REBUILD_TILES, REMOVE_TILES
from .. import column_limits as limits
from ..coverage.campaign_households import forget_coverage
from .persons import household_idnos, store_registry_persons

MAX_ERRORS_SHOWN = 50


@dataclass
class ImportReport:
    created: int
    updated: int
    # Households sharing a head's ID number (a data-quality problem to check, not a reason to refuse
    # the file): one tuple of household ids per shared number.
    shared_ids: list[tuple[str, ...]] = field(default_factory=list)
    # R22 person in two households: one tuple of household ids per person (head or member) that several
    # households list, in the registry or in their latest screening.
    shared_persons: list[tuple[str, ...]] = field(default_factory=list)


def import_places(file_name: str, data: bytes) -> ImportReport:
    """Add or update places from a CSV or GeoJSON file (README, "Administration"); all rows or none.
    A township, county, city or province without a boundary takes the union of its children's, so the
    map can draw it. Raises Problem 400.91 listing every bad row."""
    rows, errors = _read_place_rows(file_name, data)
    known = dict(db.session.execute(select(AdminUnit.code, AdminUnit.level)).all())
    errors += check_places(rows, known)
    errors += [RowError(r.row, r.code, p) for r in rows if (p := limits.PLACE_NAME.row_problem(r.name))]
    if errors:
        raise _rejected(errors)
    # Parents before children, so every foreign key finds its row.
    rows.sort(key=lambda r: ("province", "city", "county", "township", "village", "group").index(r.level))
    created = sum(1 for r in rows if r.code not in known)
    for r in rows:
        values = dict(code=r.code, level=r.level, parent_code=r.parent_code, name=r.name,
                      seismic_ge7=r.seismic_ge7, water_scarce=r.water_scarce,
                      boundary=from_shape(multipolygon(r.boundary), srid=4326) if r.boundary is not None else None)
        # A place imported again keeps what the file does not say: its outline, and its seismic and water marks
        # where the cell is blank or the column absent (a file fixing names must not reset every village's).
        update = {k: v for k, v in values.items()
                  if k != "code" and (k not in ("boundary", "seismic_ge7", "water_scarce") or v is not None)}
        db.session.execute(insert(AdminUnit).values(**values).on_conflict_do_update(
            index_elements=["code"], set_=update))
    for level in ("township", "county", "city", "province"):
        db.session.execute(BOUNDARY_FROM_CHILDREN, {"level": level})
    db.session.execute(REBUILD_SHAPES, {"codes": None})      # a union above may have changed with any row
    db.session.execute(REMOVE_TILES)
    db.session.execute(REBUILD_TILES)
    db.session.execute(DRAW_ANEW)                            # every campaign's map shows the new outlines
    events.record(Kind.PLACES_IMPORT, subject=file_name[:320], payload={"rows": len(rows), "created": created})
    db.session.commit()
    return ImportReport(created=created, updated=len(rows) - created)


def _read_place_rows(file_name: str, data: bytes) -> tuple[list[PlaceRow], list[RowError]]:
    rows, errors = [], []
    if file_name.lower().endswith((".geojson", ".json")):
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
            raise unparseable(f"file {file_name}", f"It is not GeoJSON: {e}") from None
        records = [(i, f) for i, f in enumerate(document.get("features") or [], start=1)]
        reader = read_feature
    else:
        records = list(enumerate(_csv_records(file_name, data), start=2))   # row 1 is the header
        reader = read_csv_row
    for row, record in records:
        try:
            rows.append(reader(row, record))
        except (ValueError, TypeError, AttributeError, KeyError, GEOSException, RecursionError) as e:
            errors.append(RowError(row, "", f"unreadable: {e}"))
    return rows, errors


HOUSEHOLD_COLUMNS = ("household_id", "village", "head_name")
MAX_HH_SIZE = 99          # 家庭人口数: two digits; a bigger number is a typing slip


def import_households(project_id: int, file_name: str, data: bytes) -> ImportReport:
    """Add or update the project's registered households from a CSV (one row per household).

    Columns: household_id, village, head_name[, head_idno, poverty_status, category, status,
    last_pc_income, members, hh_size, lon, lat]. poverty_status, category and status take the codes
    (or Chinese terms) of app.core.household_standing. members is a JSON list of {name, relation, idno};
    hh_size (家庭人口数) may stand in for it, and must match it when both are given. lon and lat (WGS84
    degrees, both or neither) place the household on the map until a screening locates it; a household
    imported again without them keeps its location. Raises
    Problem 400.91 listing every bad row (nothing is imported), or 400 for a missing column.
    """
    records = _csv_records(file_name, data)
    if records and (missing := [c for c in HOUSEHOLD_COLUMNS if c not in records[0]]):
        raise missing_parameter(", ".join(missing), f"{file_name} lacks the column(s) {', '.join(missing)}.")
    villages = set(db.session.scalars(select(AdminUnit.code).where(AdminUnit.level == "village")))
    errors, rows, seen = [], [], set()
    for row, record in enumerate(records, start=2):
        values, problems = _household_row(project_id, record, villages, seen)
        errors += [RowError(row, values["household_code"], p) for p in problems]
        rows.append(values)
    if errors:
        raise _rejected(errors)
    existing = set(db.session.scalars(select(Household.household_code).where(Household.project_id == project_id)))
    now = datetime.now(timezone.utc)
    for start in range(0, len(rows), 1000):
        batch = rows[start:start + 1000]
        statement = insert(Household).values(batch)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["project_id", "household_code"],
            set_={c: statement.excluded[c] for c in ("admin_code", "head_name", "head_idno", "poverty_status",
                                                     "category", "status", "last_pc_income", "members")}
            | {"location": func.coalesce(statement.excluded.location, Household.location), "updated_at": now}))
    forget_coverage(db.session.connection(), project_id)   # registered households per village changed
    store_registry_persons(db.session.connection(), project_id, [r["household_code"] for r in rows])
    created = sum(1 for r in rows if r["household_code"] not in existing)
    events.record(Kind.HOUSEHOLDS_IMPORT, project_id=project_id, subject=file_name[:320],
                  payload={"rows": len(rows), "created": created})
    db.session.commit()
    return ImportReport(created=created, updated=len(rows) - created, shared_ids=_shared_ids(project_id, rows),
                        shared_persons=_shared_persons(project_id, rows))





def _shared_persons(project_id: int, rows: list[dict]) -> list[tuple[str, ...]]:
    """R22 person in two households, at import: the groups of the project's households (registry or latest
    screening) that list one person's ID number with a household imported now (its head or a member)."""
    imported = sorted({n for r in rows for n in household_idnos(r["head_idno"], r["members"])})
    groups = db.session.execute(SHARED_PERSONS, {"project": project_id, "idnos": imported}).scalars()
    return sorted({tuple(g) for g in groups})


def _shared_ids(project_id: int, rows: list[dict]) -> list[tuple[str, ...]]:
    """The groups of the project's households that share a head's ID number with a household imported now."""
    imported = sorted({r["head_idno"] for r in rows if r["head_idno"]})
    groups = db.session.execute(SHARED_HEAD_IDNOS, {"project": project_id, "idnos": imported}).scalars()
    return sorted(tuple(g) for g in groups)


def _household_row(project_id: int, record: dict, villages: set[str], seen: set[str]) -> tuple[dict, list[str]]:
    """One CSV record as the household table's values, and what is wrong with it."""
    code = limits.nfc((record.get("household_id") or "").strip())
    village = (record.get("village") or "").strip()
    head_name = (record.get("head_name") or "").strip()
    idno = (record.get("head_idno") or "").strip().upper() or None
    # Too long for its column, or holding NUL: reported here, never a database error.
    problems = [p for field, text in ((limits.HOUSEHOLD_ID, code), (limits.HOUSEHOLD_HEAD_NAME, head_name))
                if (p := field.row_problem(text))]
    if not code:
        problems.append("household_id is empty")
    elif code in seen:
        problems.append("household_id appears twice in the file")
    seen.add(code)
    if village not in villages:
        problems.append(f"unknown village {village or '(empty)'}; import the places first")
    if not head_name:
        problems.append("head_name is empty")
    if idno and idcard.problem(idno):
        problems.append(f"head_idno: {idcard.problem(idno)}")
    income = (record.get("last_pc_income") or "").strip()
    try:
        income_value = float(income) if income else None
        if income_value is not None and not math.isfinite(income_value):
            raise ValueError(income)   # inf and nan read as floats, but are no income (nor valid JSON)
    except ValueError:
        problems.append(f"last_pc_income is not a number{_shown(income)}")
        income_value = None
    standing = {}
    for column in TERMS:
        standing[column], problem = read_term(column, record.get(column))
        if problem:
            problems.append(problem + _shown(record.get(column)))
    problems += standing_problems(**standing)
    members = _members(record.get("members"), record.get("hh_size"), problems)
    location = _location(record.get("lon"), record.get("lat"), problems)
    return dict(project_id=project_id, household_code=code, admin_code=village, head_name=head_name,
                head_idno=idno, **standing, last_pc_income=income_value, members=members,
                location=location), problems


def _location(raw_lon: str | None, raw_lat: str | None, problems: list[str]) -> str | None:
    """The household's registered location as EWKT, None if not given; both degrees, finite, in range."""
    lon, lat = (raw_lon or "").strip(), (raw_lat or "").strip()
    if not lon and not lat:
        return None
    try:
        x, y = float(lon), float(lat)
        if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
            raise ValueError
    except ValueError:
        problems.append("lon and lat must both be WGS84 degrees (lon -180 to 180, lat -90 to 90)")
        return None
    return f"SRID=4326;POINT({x!r} {y!r})"


def _members(raw: str | None, raw_size: str | None, problems: list[str]) -> list:
    """The member list; where only hh_size is given, that many members of whom nothing else is known
    ({name, relation, idno} all null), so its length is the household's size wherever it is read."""
    members = _member_list(raw, problems)
    size = (raw_size or "").strip()
    if not size:
        return members
    if not (size.isascii() and size.isdigit() and 1 <= int(size) <= MAX_HH_SIZE):
        problems.append(f"hh_size is not a whole number from 1 to {MAX_HH_SIZE}{_shown(size)}")
        return members
    if members and len(members) != int(size):
        problems.append(f"hh_size is {int(size)} but members lists {len(members)}")
        return members
    return members or [{"name": None, "relation": None, "idno": None} for _ in range(int(size))]


def _member_list(raw: str | None, problems: list[str]) -> list:
    if not raw or not raw.strip():
        return []
    try:
        members = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        problems.append("members is not a JSON list")
        return []
    if not isinstance(members, list):
        problems.append("members is not a JSON list")
        return []
    if _holds_nul(members):
        problems.append("members contains a NUL character (\\u0000), which the database cannot store")
        return []
    for position, member in enumerate(members, start=1):
        if not isinstance(member, dict):
            problems.append(f"member {position} is not an object like {{\"name\": ..., \"idno\": ...}}")
            continue
        idno = str(member.get("idno") or "")
        if idno and idcard.problem(idno):
            problems.append(f"member {position} idno: {idcard.problem(idno)}")
    return members


def _shown(value: str | None) -> str:
    """': "value"' to quote a wrong value back, unless it could be an ID number or a phone number
    (a column shifted by one puts them anywhere): those are personal data and stay out of messages."""
    value = (value or "").strip()
    if not value or len(value) > 20 or sum(c.isdigit() for c in value) > 6:
        return ""
    return f": {value!r}"


def _holds_nul(value) -> bool:
    """PostgreSQL's jsonb refuses the escape \\u0000 in any string, key or value."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _csv_records(file_name: str, data: bytes) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")   # Excel on Chinese Windows saves CSV as GBK
        except UnicodeDecodeError:
            raise unparseable(f"file {file_name}", "It is neither UTF-8 nor GB18030 text.") from None
    try:
        return [{(k or "").strip(): v for k, v in r.items()} for r in csv.DictReader(io.StringIO(text))]
    except csv.Error as e:   # e.g. a field over csv.field_size_limit() (131,072 characters)
        raise unparseable(f"file {file_name}", f"It is not readable as CSV: {e}.") from None


def _rejected(errors: list[RowError]) -> Problem:
    shown = "\n".join(str(e) for e in errors[:MAX_ERRORS_SHOWN])
    more = f"\n... and {len(errors) - MAX_ERRORS_SHOWN} more" if len(errors) > MAX_ERRORS_SHOWN else ""
    return import_rejected(f"Nothing was imported: {len(errors)} problem(s).\n{shown}{more}",
                           [{"row": e.row, "code": e.code, "message": e.message} for e in errors])
