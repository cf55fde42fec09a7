"""ODK Central's roles, as GET /v1/roles lists them, mapped onto Dixian's (core.access).

Central numbers its roles in the order its migrations made them (central-backend
lib/model/migrations/20181212-01-add-roles.js and the later add-*-role migrations; the ids pyodk's own
tests record in tests/resources/projects_data.py): 1 admin, 2 app-user, 5 manager, 6 viewer, 8 formfill
(Data Collector), 9 pub-link. pyodk's projects.create_app_users assigns forms with role id 2 without
looking it up, so the ids must be Central's. Central's internal roles (3 pwreset, 7 formview) have nothing
here and are not listed.

A role's verbs are the permissions it has here (Central's verb names where Central has the verb), with
Central's companion verbs for the same ability (a viewer's submission.read also lists submission.list):
a client that reads verbs to decide what to offer sees what Dixian allows. No role has entity.create:
the households Entity List is read-only.

Pure: no Flask, no SQLAlchemy.
"""
from dataclasses import dataclass

from .access import DEVICE, EVERYTHING, ROLES, Permission


@dataclass(frozen=True)
class CentralRole:
    id: int
    name: str
    system: str
    permissions: frozenset[Permission]

    @property
    def verbs(self) -> list[str]:
        """The role's verbs, sorted: its permissions and Central's companions of each."""
        verbs = {str(p) for p in self.permissions}
        for permission in self.permissions:
            verbs.update(_COMPANIONS.get(permission, ()))
        return sorted(verbs)


# Central's verbs that go with a Dixian permission (central-backend lib/model/migrations: the verbs each
# role was given alongside).
_COMPANIONS = {
    Permission.SUBMISSION_READ: ("submission.list",),
    Permission.HOUSEHOLD_READ: ("dataset.list", "entity.list"),
    Permission.USER_MANAGE: ("assignment.list", "assignment.delete",
                             "field_key.create", "field_key.delete", "field_key.list"),
    Permission.PUBLIC_LINK_MANAGE: ("public_link.list", "public_link.read", "public_link.delete"),
}

APP_USER = 2      # the only role Dixian assigns per form: a form given to chosen device accounts

CENTRAL_ROLES = (
    CentralRole(1, "Administrator", "admin", EVERYTHING),
    CentralRole(APP_USER, "App User", "app-user", DEVICE),
    CentralRole(5, "Project Manager", "manager", ROLES["manager"]),
    CentralRole(6, "Project Viewer", "viewer", ROLES["viewer"]),
    CentralRole(8, "Data Collector", "formfill", ROLES["data_collector"]),
    # What a public link's holder may do (services/self_report/links.LINK_PERMISSIONS).
    CentralRole(9, "Public Link", "pub-link", frozenset({Permission.FORM_READ, Permission.SUBMISSION_CREATE})),
)


def role_named(param: str) -> CentralRole | None:
    """The role a URL names, as Central reads it (lib/resources/assignments.js getRoleByParam): by system
    name when it holds a lower-case letter, else by id; None for no such role."""
    if any("a" <= c <= "z" for c in param):
        return next((r for r in CENTRAL_ROLES if r.system == param), None)
    if not (param.isascii() and param.isdigit()) or len(param) > 9:
        return None
    return next((r for r in CENTRAL_ROLES if r.id == int(param)), None)
