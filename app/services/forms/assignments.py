"""A form's assignments as ODK Central's API has them (/projects/{id}/forms/{xmlFormId}/assignments), on
Dixian's form assignments: a form given to chosen device accounts (`form assign`, catalog.assign_form).

Central can give any role on a form; Dixian gives forms to device accounts only, so the one assignable role
is Central's app-user (core.central_roles.APP_USER). Unlike Central, a form assigned to nobody goes to every
device of the project (catalog.available_to): taking a form's last assignment away gives it to all devices.
For the same reason an assignment outlives its account's revocation (Central deletes it with the app user):
the form stays with the devices it was meant for, and the listings show the revoked account (its deletedAt
set) until the assignment is taken away.
"""
from dataclasses import dataclass

from sqlalchemy import select

from ...core.access import Access
from ...core.central_roles import APP_USER, CentralRole
from ...extensions import db
from ...models import Actor, AppUser, FormAssignment
from ...problems import not_found, unexpected_value
from ..accounts.app_users import DeviceAccount, device_account, visible_app_user, within_places
from .catalog import assign_form, project_form


@dataclass(frozen=True)
class Assignment:
    actor_id: int
    role_id: int


def assigned_devices(access: Access, xml_form_id: str) -> list[DeviceAccount]:
    """The device accounts the form is given to (revoked ones too), by id, those outside the caller's places
    left out (as app_users.visible_app_users). Raises Problem 404.1 for an unknown form."""
    form = project_form(access.project_id, xml_form_id)
    rows = db.session.scalars(select(AppUser).join(Actor).join(FormAssignment, FormAssignment.actor_id == Actor.id)
                              .where(FormAssignment.form_id == form.id).order_by(Actor.id)).all()
    return [device_account(app_user) for app_user in within_places(access, list(rows))]


def form_assignments(access: Access, xml_form_id: str) -> list[Assignment]:
    """GET …/assignments: (actorId, roleId) of each assignment (all of them app-user)."""
    return [Assignment(a.actor_id, APP_USER) for a in assigned_devices(access, xml_form_id)]


def role_assignees(access: Access, xml_form_id: str, role: CentralRole) -> list[DeviceAccount]:
    """GET …/assignments/{roleId}: the actors holding `role` on the form; none for a role other than
    app-user. Raises Problem 404.1 for an unknown form."""
    devices = assigned_devices(access, xml_form_id)
    return devices if role.id == APP_USER else []


def _assignable(role: CentralRole) -> None:
    if role.id != APP_USER:
        raise unexpected_value("roleId", f"Dixian gives forms to app users only (role {APP_USER}, app-user), not to "
                                         f"the role '{role.system}': give web users a role in the project instead.")


def assign(access: Access, xml_form_id: str, role: CentralRole, actor_id: int) -> None:
    """POST …/assignments/{roleId}/{actorId}: give the form to a device account, as `form assign` does, but
    never taking it from the others: its first assignment keeps it with every device that has it (which may
    then be taken away one by one, DELETE …/assignments/2/{actorId}).

    Raises Problem 404.1 for an unknown form or an actor that is no live device account of the project within
    the caller's places, 400.8 for a role other than app-user. An account that has the form already is left
    as it is (Central refuses with 409.3: lib/model/query/assignments.js inserts, the key refuses).
    """
    form = project_form(access.project_id, xml_form_id)
    _assignable(role)
    visible_app_user(access, actor_id)
    if db.session.get(FormAssignment, (form.id, actor_id)) is not None:
        # Already given (perhaps kept by the form's first assignment, below): done. Central answers 409.3, but
        # pyodk's create_app_users(forms=) makes all its devices before it assigns any, so the first
        # assignment has kept the form with the next ones, and a 409 would stop it half way.
        return
    # Through Central's API the form is given to this device *too*: pyodk's create_app_users(forms=) must not
    # take the form from every other cadre's phone (a form assigned to nobody goes to all of them).
    assign_form(access.project_id, form.xml_form_id, [actor_id], by=access.principal.actor_id, keep_others=True)


def unassign(access: Access, xml_form_id: str, role: CentralRole, actor_id: int) -> None:
    """DELETE …/assignments/{roleId}/{actorId}: take the form back (as `form assign --remove`), from a revoked
    account too. Raises Problem 404.1 for an unknown form or account, or an assignment that does not exist
    (Central's lib/resources/assignments.js since it counts what it deleted), 400.8 for a role other than
    app-user."""
    form = project_form(access.project_id, xml_form_id)
    _assignable(role)
    visible_app_user(access, actor_id, revoked=True)
    if db.session.get(FormAssignment, (form.id, actor_id)) is None:
        raise not_found(f"App user {actor_id} is not assigned the form '{form.xml_form_id}'.")
    assign_form(access.project_id, form.xml_form_id, [actor_id], assigned=False,
                by=access.principal.actor_id)
