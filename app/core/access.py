"""Who may do what, and where: roles grant permissions, grants may be limited to places.

Modelled on ODK Central's roles and verbs (central-backend `lib/model/migrations/*roles*`,
docs "Role-based access"): a role is a set of permissions in one project; app users (device
tokens) and Data Collectors may only list and read forms and create submissions; Project
Viewers read; Project Managers also review, see unmasked personal data and manage the project.
Dixian adds place scope: a grant may be limited to administrative codes (county, township or
village), and every read is cut to the places under them.

Pure: no Flask, no SQLAlchemy. Services turn an `Access` into SQL (`queries.places`).
"""
from dataclasses import dataclass
from enum import StrEnum


class Permission(StrEnum):
    """What a caller may do in a project. Central's verb names where Central has the verb."""
    PROJECT_READ = "project.read"                  # see the project in listings
    FORM_LIST = "form.list"                        # OpenRosa formList, API form listing
    FORM_READ = "form.read"                        # XForm, manifest, media files
    FORM_MANAGE = "form.update"                    # publish, open/close, assign to devices
    SUBMISSION_CREATE = "submission.create"
    SUBMISSION_READ = "submission.read"            # submissions, their flags
    SUBMISSION_REVIEW = "submission.update"        # review states and comments (Central: submission.update)
    SUBMISSION_EXPORT = "submission.export"        # CSV / Excel / GeoJSON downloads
    HOUSEHOLD_READ = "household.read"              # the registry and a household's record
    PERSONAL_DATA_READ = "personal_data.read"      # ID numbers and phones unmasked (PIPL)
    COVERAGE_READ = "coverage.read"
    USER_MANAGE = "assignment.create"              # grant roles, create and revoke device accounts
    PUBLIC_LINK_MANAGE = "public_link.create"      # residents' links and posters: administrators only (no role)
    LEAD_READ = "lead.read"                        # risk leads from residents' self-reports, in the inbox
    LEAD_DECIDE = "lead.update"                    # accept, reject or merge a lead


# A device token: ODK Central's app-user role.
DEVICE = frozenset({Permission.FORM_LIST, Permission.FORM_READ, Permission.SUBMISSION_CREATE})

_READ = frozenset({Permission.PROJECT_READ, Permission.FORM_LIST, Permission.FORM_READ,
                   Permission.SUBMISSION_READ, Permission.SUBMISSION_EXPORT, Permission.HOUSEHOLD_READ,
                   Permission.COVERAGE_READ, Permission.LEAD_READ})

ROLES: dict[str, frozenset[Permission]] = {
    # Central's "formfill": fills forms on a phone with a user name and password; reads nothing back.
    "data_collector": DEVICE | {Permission.PROJECT_READ},
    # Central's "viewer": reads everything in its places, personal data masked, never submits.
    "viewer": _READ,
    # Central's "manager": reads, reviews, sees personal data, submits, runs the project.
    "manager": _READ | {Permission.SUBMISSION_CREATE, Permission.SUBMISSION_REVIEW, Permission.LEAD_DECIDE,
                        Permission.PERSONAL_DATA_READ, Permission.FORM_MANAGE, Permission.USER_MANAGE},
}
EVERYTHING = frozenset(Permission)

# Digits of the 12-digit statistical code that name a place at each level
# (GB/T 2260 + 统计用区划代码: province 2, city 2, county 2, township 3, village 3).
LEVEL_DIGITS = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12, "group": 15}


@dataclass(frozen=True)
class Principal:
    """Who is asking, as the doors and services need to know it."""
    actor_id: int
    kind: str                       # user | app_user | draft_tester
    display_name: str
    is_admin: bool = False
    project_id: int | None = None   # an app user's (or draft tester's) only project
    villages: tuple[str, ...] = ()  # an app user's assigned villages (its pick-lists, its expected places)


@dataclass(frozen=True)
class Access:
    """What one principal may do in one project, and where.

    `places` are code prefixes ('420102' a county, '420102001' a township, a 12-digit village);
    None means the whole project. Reads of households, submissions, flags, coverage, tiles and
    exports are limited to rows whose place code starts with one of them.
    """
    principal: Principal
    project_id: int
    permissions: frozenset[Permission]
    places: tuple[str, ...] | None = None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def covers(self, code: str | None) -> bool:
        """Whether a place code lies within these places (an unknown place only in an unlimited grant)."""
        if self.places is None:
            return True
        return code is not None and code.startswith(self.places)


def place_prefix(code: str, level: str) -> str:
    """The prefix of a place's code that every place under it shares: '420102001000' (township)
    -> '420102001'. Raises KeyError for an unknown level."""
    return code[:LEVEL_DIGITS[level]]


def level_of(code: str) -> str | None:
    """county, township or village for a 12-digit code, by how many of its last digits are zero (a
    township's code is its prefix padded with zeros, place_code); None for anything else."""
    if len(code) != 12 or not (code.isascii() and code.isdigit()):
        return None
    return "county" if code.endswith("000000") else "township" if code.endswith("000") else "village"


def place_code(prefix: str) -> str:
    """The 12-digit code a prefix stands for (a township '420102001' is place '420102001000')."""
    return prefix.ljust(12, "0") if len(prefix) <= 12 else prefix


SYSTEM = Principal(0, "system", "the server itself")


def system_access(project_id: int) -> Access:
    """The server's own access to a project (administrator commands, demos, benchmarks):
    everything, everywhere."""
    return Access(SYSTEM, project_id, EVERYTHING)
