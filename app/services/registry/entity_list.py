"""The household registry as ODK Central's Entity List `households`, read-only (next-capabilities C.4 item 7).

Each project has this one list; each of its households (in the caller's places, as every read of households
is) is an Entity named by household.uuid (migration 0026). Shapes follow central-backend lib/model/frames/
dataset.js and entity.js and lib/model/query/datasets.js getMetadata; the OData feed is entity_feed.py.

Properties are the registry's fields as strings (Central's entity properties are text), "" when unknown:
household_id (户编号), village (12-digit code), village_name, head_name, head_idno (masked as the console and
exports mask it unless the caller may read personal data; the registry keeps no phone), poverty_status,
category, status (the codes of `households import`), last_pc_income, hh_size (members the registry lists) and
geometry (where the registry places the household, as an ODK geopoint "lat lon"; "" if it does not). The
label is the head's name and the household id.

What Dixian keeps no record of: who created a household (creatorId is 0, the registry's, for every entity) and
its earlier versions (version is 1; updatedAt says when the registry last changed it). Nothing is ever
deleted or in conflict.
"""
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, case, func, select

from ...core.access import Access, Permission
from ...core.personal_fields import mask_idno
from ...extensions import db
from ...models import AdminUnit, Form, FormAttachment, FormVersion, Household, Project
from ...problems import not_found
from ...queries.places import within
from ..forms.pick_lists import HOUSEHOLDS

NAME = "households"
PROPERTIES = ("household_id", "village", "village_name", "head_name", "head_idno", "poverty_status", "category",
              "status", "last_pc_income", "hh_size", "geometry")
# The metadata Central gives each entity in its feed (lib/formats/odata.js edmxTemplaterForEntities).
SYSTEM_FIELDS = ("createdAt", "creatorId", "creatorName", "updates", "updatedAt", "deletedAt", "version", "conflict")
CREATOR_ID = 0                                   # the registry itself (core.access.SYSTEM's actor id)
CREATOR_NAME = "农户登记库 household registry"
USER_AGENT = "Dixian household registry"        # pyodk requires a string here
VERSION = 1


@dataclass(frozen=True)
class EntityList:
    """The list as Central describes a dataset; counts and dates are of the caller's places."""
    name: str
    project_id: int
    created_at: datetime
    entities: int
    last_entity: datetime | None
    last_update: datetime | None
    properties: tuple[str, ...] = PROPERTIES
    linked_forms: tuple[tuple[str, str], ...] = ()     # (xmlFormId, name) of forms whose pick-list it is
    approval_required: bool = False


@dataclass(frozen=True)
class HouseholdEntity:
    uuid: str
    label: str
    created_at: datetime
    updated_at: datetime | None
    data: dict[str, str]
    creator_id: int = CREATOR_ID
    version: int = VERSION
    user_agent: str = USER_AGENT


def require_list(name: str) -> None:
    """Raises Problem 404.1 for any name but `households`."""
    if name != NAME:
        raise not_found(f"There is no entity list '{name}'; this server has one, '{NAME}': the household registry.")


def entity_lists(access: Access) -> list[EntityList]:
    """GET /projects/{id}/datasets: the one list."""
    return [_list(access)]


def entity_list(access: Access, name: str) -> EntityList:
    """GET /projects/{id}/datasets/{name}: the list with its properties and the forms that read it as their
    households.csv pick-list. Raises Problem 404.1 for another name."""
    require_list(name)
    forms = db.session.execute(
        select(Form.xml_form_id, func.coalesce(FormVersion.title, Form.xml_form_id))
        .join(FormVersion, FormVersion.id == Form.current_version_id)
        .join(FormAttachment, FormAttachment.form_version_id == FormVersion.id)
        .where(Form.project_id == access.project_id, FormAttachment.name == HOUSEHOLDS,
               FormAttachment.kind == "generated").order_by(Form.xml_form_id)).all()
    listed = _list(access)
    return EntityList(listed.name, listed.project_id, listed.created_at, listed.entities, listed.last_entity,
                      listed.last_update, linked_forms=tuple((f, t) for f, t in forms))


def _list(access: Access) -> EntityList:
    # The registry comes with the project: the list is as old as it (and so are its properties).
    created = db.session.scalar(select(Project.created_at).where(Project.id == access.project_id))
    count, last_entity, last_update = db.session.execute(
        select(func.count(), func.max(Household.created_at),
               func.max(func.coalesce(Household.updated_at, Household.created_at)))
        .where(Household.project_id == access.project_id, within(Household.admin_code, access.places))).one()
    return EntityList(NAME, access.project_id, created, count, last_entity, last_update)


def entity_columns() -> Select:
    """The columns an entity is read from (to_entity), on Household joined to its village."""
    members = case((func.jsonb_typeof(Household.members) == "array", func.jsonb_array_length(Household.members)))
    return (select(Household.uuid, Household.household_code, Household.admin_code, AdminUnit.name.label("village_name"),
                   Household.head_name, Household.head_idno, Household.poverty_status, Household.category,
                   Household.status, Household.last_pc_income, members.label("hh_size"),
                   func.ST_Y(Household.location).label("lat"), func.ST_X(Household.location).label("lon"),
                   Household.created_at, Household.updated_at)
            .outerjoin(AdminUnit, AdminUnit.code == Household.admin_code))


def readable(access: Access, query: Select) -> Select:
    """`query` (over entity_columns) cut to the caller's project and places."""
    return query.where(Household.project_id == access.project_id, within(Household.admin_code, access.places))


NEWEST_FIRST = (Household.created_at.desc(), Household.id.desc())    # Central's order for entities


def to_entity(row, show_ids: bool) -> HouseholdEntity:
    """An entity from a row of entity_columns; the head's ID number masked unless `show_ids`."""
    idno = row.head_idno if show_ids else mask_idno(row.head_idno)
    income = row.last_pc_income
    data = {
        "household_id": row.household_code,
        "village": row.admin_code,
        "village_name": row.village_name or "",
        "head_name": row.head_name,
        "head_idno": idno or "",
        "poverty_status": row.poverty_status or "",
        "category": row.category or "",
        "status": row.status or "",
        "last_pc_income": "" if income is None else (str(int(income)) if income.is_integer() else str(income)),
        "hh_size": "" if row.hh_size is None else str(row.hh_size),
        "geometry": "" if row.lat is None else f"{row.lat} {row.lon}",
    }
    return HouseholdEntity(str(row.uuid), f"{row.head_name} {row.household_code}", row.created_at, row.updated_at,
                           data)


def household_entities(access: Access, name: str) -> Iterator[HouseholdEntity]:
    """GET …/datasets/{name}/entities: every household of the caller's places, newest first, read a batch at
    a time (a county's registry is large). Raises Problem 404.1 for another list, before the first row."""
    require_list(name)
    return _rows(access, readable(access, entity_columns()).order_by(*NEWEST_FIRST))


def _rows(access: Access, query: Select) -> Iterator[HouseholdEntity]:
    show_ids = access.can(Permission.PERSONAL_DATA_READ)
    for row in db.session.execute(query, execution_options={"yield_per": 500}):
        yield to_entity(row, show_ids)


def household_entity(access: Access, name: str, uuid: str) -> HouseholdEntity:
    """GET …/entities/{uuid}: one household of the caller's places. Raises Problem 404.1 for another list, a
    uuid that is none (Central's 'uuid:' prefix is read), or a household elsewhere."""
    require_list(name)
    try:
        wanted = UUID(uuid.removeprefix("uuid:"))
    except ValueError:
        wanted = None
    row = db.session.execute(readable(access, entity_columns()).where(Household.uuid == wanted)).first() \
        if wanted is not None else None
    if row is None:
        raise not_found(f"There is no entity {uuid} in '{NAME}'.")
    return to_entity(row, access.can(Permission.PERSONAL_DATA_READ))
