"""Pick-lists the server writes for each device: its places and its households, as CSV media.

A form that names admin_units.csv or households.csv (select_one_from_file, pulldata)
gets them from here instead of from an uploaded file. Each device account gets
only the villages assigned to it, and their households; the CSV is written the
same way every time, so its MD5 changes exactly when its content does and Collect
downloads it again only then.
"""
import csv
import io

from sqlalchemy import or_, select

from ..extensions import db
from ..models import AdminUnit, AppUserPlace, Household
from .accounts import Principal

ADMIN_UNITS = "admin_units.csv"
HOUSEHOLDS = "households.csv"
GENERATED = (ADMIN_UNITS, HOUSEHOLDS)
NEW_HOUSEHOLD = "new"        # the row that lets a cadre register a household the registry lacks


def render(name: str, project_id: int, principal: Principal) -> bytes:
    villages = _villages(principal)
    if name == ADMIN_UNITS:
        return _admin_units_csv(villages)
    if name == HOUSEHOLDS:
        return _households_csv(project_id, villages)
    raise KeyError(name)


def _villages(principal: Principal) -> list[str] | None:
    """The device's villages; None means every place (web users, testers)."""
    if principal.kind != "app_user":
        return None
    return list(db.session.scalars(select(AppUserPlace.admin_code).where(AppUserPlace.actor_id == principal.actor_id)
                                   .order_by(AppUserPlace.admin_code)))


def _admin_units_csv(villages: list[str] | None) -> bytes:
    query = select(AdminUnit.code, AdminUnit.name, AdminUnit.level, AdminUnit.parent_code,
                   AdminUnit.seismic_ge7, AdminUnit.water_scarce).order_by(AdminUnit.code)
    if villages is not None:
        # The villages, their groups, and the township and county above them.
        above = {v[:9] + "000" for v in villages} | {v[:6] + "000000" for v in villages}
        query = query.where(or_(AdminUnit.code.in_(villages + sorted(above)), AdminUnit.parent_code.in_(villages)))
    rows = [("name", "label", "level", "parent", "seismic_ge7", "water_scarce")]
    rows += [(code, name, level, parent or "", int(seismic), int(scarce))
             for code, name, level, parent, seismic, scarce in db.session.execute(query)]
    return _csv(rows)


def _households_csv(project_id: int, villages: list[str] | None) -> bytes:
    query = select(Household.household_code, Household.head_name, Household.admin_code, Household.poverty_status,
                   Household.category, Household.status, Household.last_pc_income) \
        .where(Household.project_id == project_id).order_by(Household.admin_code, Household.household_code)
    if villages is not None:
        query = query.where(Household.admin_code.in_(villages))
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
