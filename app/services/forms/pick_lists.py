"""Pick-lists the server writes for each caller: its places and their households, as CSV media.

A form that names admin_units.csv or households.csv (select_one_from_file, pulldata)
gets them from here instead of from an uploaded file. A device account gets only the
villages assigned to it and their households; a web user those under their grant's places.
The CSV is written the same way every time, so its MD5 changes exactly when its content
does and Collect downloads it again only then.
"""
import csv
import io

from sqlalchemy import or_, select

from ...core.access import Access
from ...extensions import db
from ...models import AdminUnit, Household
from ...queries.places import within

ADMIN_UNITS = "admin_units.csv"
HOUSEHOLDS = "households.csv"
GENERATED = (ADMIN_UNITS, HOUSEHOLDS)
NEW_HOUSEHOLD = "new"        # the row that lets a cadre register a household the registry lacks


def render(name: str, access: Access) -> bytes:
    """The CSV bytes of a generated pick-list for this caller; raises KeyError for another name."""
    places = _places(access)
    if name == ADMIN_UNITS:
        return _admin_units_csv(places)
    if name == HOUSEHOLDS:
        return _households_csv(access.project_id, _household_places(access))
    raise KeyError(name)


def _places(access: Access) -> tuple[str, ...] | None:
    """Code prefixes the lists cover; None: everywhere. A device covers its villages, and none
    until it is assigned some (a phone that is lost before assignment carries no household)."""
    if access.principal.kind == "app_user":
        return access.principal.villages
    return access.places


def _household_places(access: Access) -> tuple[str, ...] | None:
    """Whose households the list holds: a draft's tester none at all (the test code in its URL is
    shared with whoever tests the form, and the draft's places and registry are not theirs to see), nor
    the holder of a public link (anyone who scanned a poster)."""
    return () if access.principal.kind in ("draft_tester", "public_link") else _places(access)


def _admin_units_csv(places: tuple[str, ...] | None) -> bytes:
    query = select(AdminUnit.code, AdminUnit.name, AdminUnit.level, AdminUnit.parent_code,
                   AdminUnit.seismic_ge7, AdminUnit.water_scarce).order_by(AdminUnit.code)
    if places is not None:
        # The places, what lies in them (down to groups), and the township and county above them.
        above = sorted({p[:6] + "000000" for p in places} | {p[:9] + "000" for p in places if len(p) >= 9})
        query = query.where(or_(within(AdminUnit.code, places), AdminUnit.code.in_(above)))
    rows = [("name", "label", "level", "parent", "seismic_ge7", "water_scarce")]
    # An unknown mark is blank: the forms' seismic7 and scarce_area are then blank, and the rules ask for them.
    rows += [(code, name, level, parent or "", _mark(seismic), _mark(scarce))
             for code, name, level, parent, seismic, scarce in db.session.execute(query)]
    return _csv(rows)


def _mark(value: bool | None) -> int | str:
    return "" if value is None else int(value)


def _households_csv(project_id: int, places: tuple[str, ...] | None) -> bytes:
    query = select(Household.household_code, Household.head_name, Household.admin_code, Household.poverty_status,
                   Household.category, Household.status, Household.last_pc_income) \
        .where(Household.project_id == project_id, within(Household.admin_code, places)) \
        .order_by(Household.admin_code, Household.household_code)
    rows = [("name", "label", "village", "poverty_status", "category", "status", "last_pc_income"),
            (NEW_HOUSEHOLD, "新建农户 New household", "", "", "", "", "")]
    for code, head, village, poverty, category, status, income in db.session.execute(query):
        # The head's name is shortened: enough for the cadre who knows the family, less if a phone is lost.
        rows.append((code, f"{_short_name(head)} {code}", village, poverty or "", category or "", status or "",
                     "" if income is None else f"{income:.0f}"))
    return _csv(rows)


def _short_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else name


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")
