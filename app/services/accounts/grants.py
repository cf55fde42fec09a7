"""Roles in a project, limited to places, and the access they give (core.access says what each allows)."""
from dataclasses import dataclass

from sqlalchemy import select

from ... import events
from ...core.access import DEVICE, EVERYTHING, ROLES, Access, Permission, Principal, place_code, place_prefix
from ...events import Kind
from ...extensions import db
from ...models import AdminUnit, Project, ProjectRole, User
from ...problems import insufficient_rights, not_found, unexpected_value
from ...queries.accounts import GRANT
from . import access_cache
from .projects import require_project
from .users import user_by_email


def grant_role(project_id: int, email: str, role: str, places: list[str] | tuple[str, ...] = (), *,
               actor_id: int | None = None) -> ProjectRole:
    """Give a web user a role in a project (replacing any earlier one), limited to `places` (place
    codes of a county, township or village; none: the whole project). `actor_id`: who grants it (None:
    the command line).

    Raises Problem 400.8 for an unknown role or place, 404.1 for an unknown user or project.
    """
    if role not in ROLES:
        raise unexpected_value("role", f"Unknown role '{role}'; use one of {', '.join(ROLES)}.")
    user = user_by_email(email)
    if user is None:
        raise not_found(f"No user with the email {email}.")
    require_project(project_id, archived=True)
    grant = db.session.merge(ProjectRole(project_id=project_id, actor_id=user.actor_id, role=role,
                                         places=place_prefixes(places)))
    events.record(Kind.GRANT, actor_id=actor_id, project_id=project_id, subject=str(user.actor_id),
                  payload={"role": role, "places": grant.places})
    db.session.commit()
    access_cache.forget_all()
    return grant


@dataclass(frozen=True)
class Grant:
    email: str
    role: str
    places: list[str]               # place codes (12 digits); empty: the whole project


def project_grants(access: Access) -> list[Grant]:
    """The roles given in the caller's project, by email; a place-limited caller sees only the grants that
    lie within their own places."""
    rows = db.session.execute(select(User.email, ProjectRole.role, ProjectRole.places)
                              .join(ProjectRole, ProjectRole.actor_id == User.actor_id)
                              .where(ProjectRole.project_id == access.project_id).order_by(User.email)).all()
    return [Grant(r.email, r.role, [place_code(p) for p in r.places or []]) for r in rows
            if within_grantor(access, r.places or [])]


def within_grantor(access: Access, prefixes: list[str]) -> bool:
    """Whether a grant limited to `prefixes` (none: everywhere) lies within the caller's places: a
    place-limited manager may give and take roles only there (else they could give more than they hold)."""
    if access.places is None:
        return True
    return bool(prefixes) and all(p.startswith(access.places) for p in prefixes)


def grant_within(access: Access, email: str, role: str, places: list[str]) -> ProjectRole:
    """grant_role on behalf of the caller, who may grant only within their places. Raises Problem 403.1
    otherwise, and grant_role's problems."""
    if not within_grantor(access, place_prefixes(places) if places else []):
        raise insufficient_rights("You may give roles only within your own places.")
    return grant_role(access.project_id, email, role, places, actor_id=access.principal.actor_id)


def revoke_role(access: Access, email: str) -> None:
    """Take a user's role in the caller's project. Raises Problem 404.1 for a user without one, 403.1 for
    a grant outside the caller's places."""
    user = user_by_email(email)
    grant = db.session.get(ProjectRole, (access.project_id, user.actor_id)) if user else None
    if grant is None:
        raise not_found(f"{email} has no role in project {access.project_id}.")
    if not within_grantor(access, grant.places or []):
        raise insufficient_rights("You may take roles only within your own places.")
    db.session.delete(grant)
    events.record(Kind.REVOKE, actor_id=access.principal.actor_id, project_id=access.project_id,
                  subject=str(user.actor_id), payload={"role": grant.role})
    db.session.commit()
    access_cache.forget_all()


def place_prefixes(codes: list[str] | tuple[str, ...]) -> list[str]:
    """The code prefixes of known places, in order, a place inside another given place dropped.

    Raises Problem 400.8 naming the codes that are no place (or a group, too small to hold a grant).
    """
    codes = list(dict.fromkeys(c.strip() for c in codes))
    levels = dict(db.session.execute(select(AdminUnit.code, AdminUnit.level).where(AdminUnit.code.in_(codes))).all())
    unknown = [c for c in codes if levels.get(c) in (None, "group")]
    if unknown:
        raise unexpected_value("places", f"Unknown place code(s): {', '.join(unknown)}. Import the places first.")
    prefixes = sorted(place_prefix(code, levels[code]) for code in codes)
    return [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]


def access_in(principal: Principal, project_id: int) -> Access | None:
    """What `principal` may do in a live project, and where; None if it has no standing there.

    Raises Problem 404.1 when there is no such project (or it is archived). A device token is
    bound to one live project (checked with the token), so a device asking about it costs no query.
    """
    if principal.kind in ("app_user", "draft_tester"):
        if principal.project_id == project_id:
            # A device covers its assigned villages, none until it is assigned some (as its pick-lists):
            # what it sends from elsewhere is flagged and changes no registry record (found by the attack
            # test: an unassigned device counted as covering everywhere). A draft's tester writes nothing
            # real, and tests anywhere.
            places = tuple(principal.villages) if principal.kind == "app_user" else None
            return Access(principal, project_id, DEVICE, places)
        require_project(project_id)
        return None
    # (permissions, places), remembered by this worker for a few seconds (access_cache).
    standing = access_cache.remembered(("grant", principal.actor_id, principal.is_admin, project_id),
                                       lambda: _standing(principal, project_id))
    return Access(principal, project_id, *standing) if standing else None


def _standing(principal: Principal, project_id: int) -> tuple[frozenset[Permission], tuple[str, ...] | None] | None:
    row = db.session.execute(GRANT, {"actor": principal.actor_id, "project": project_id}).first()
    if row is None:
        raise not_found(f"There is no project {project_id}.")
    if principal.is_admin:
        return EVERYTHING, None
    if row.role is None:
        return None
    return ROLES.get(row.role, frozenset()), tuple(row.places) or None


def require(principal: Principal, permission: Permission, project_id: int) -> Access:
    """The principal's access in the project, if it includes `permission`.

    Raises Problem 404.1 (no such project) or 403.1 (no standing, or not this permission).
    """
    access = access_in(principal, project_id)
    if access is None or not access.can(permission):
        raise insufficient_rights()
    return access


def readable_projects(principal: Principal) -> list[Project]:
    """The live projects the principal may see in listings (project.read)."""
    if principal.kind != "user":
        return []
    query = select(Project).where(Project.archived.is_(False)).order_by(Project.id)
    if not principal.is_admin:
        roles = [role for role, permissions in ROLES.items() if Permission.PROJECT_READ in permissions]
        query = query.join(ProjectRole, ProjectRole.project_id == Project.id).where(
            ProjectRole.actor_id == principal.actor_id, ProjectRole.role.in_(roles))
    return list(db.session.scalars(query))
