"""Web users, device accounts (app users), API sessions, and who may do what in a project."""
import secrets
import threading
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, func, select, text
from werkzeug.security import check_password_hash, generate_password_hash

from ...core.access import DEVICE, EVERYTHING, ROLES, Access, Permission, Principal, place_prefix
from ...core.digest_auth import NONCE_LIFETIME_S, ha1
from ...core.tokens import new_token, token_digest
from ...extensions import db
from ...models import Actor, AdminUnit, ApiSession, AppUser, AppUserPlace, Project, ProjectRole, User
from ...problems import Problem, bad_request, forbidden, not_found
from ..column_limits import ACTOR_ID, DEVICE_ACCOUNT_NAME, EMAIL, nfc

__all__ = ["Principal", "ROLES"]   # Principal lives in core.access; re-exported for the services

# Every device request runs this; built once. It brings the device's villages along, so a
# submission can be checked against them without another round trip.
_APP_TOKEN = (
    select(Actor.id, Actor.display_name, AppUser.project_id,
           func.array(select(AppUserPlace.admin_code).where(AppUserPlace.actor_id == Actor.id)
                      .order_by(AppUserPlace.admin_code).scalar_subquery()).label("villages"))
    .join(AppUser, AppUser.actor_id == Actor.id)
    .join(Project, Project.id == AppUser.project_id)
    .where(AppUser.token_sha256 == bindparam("digest"), Actor.deleted_at.is_(None), Project.archived.is_(False))
)
# A web user's standing in a project: whether the project is there, and their grant in it.
_GRANT = (
    select(Project.id, ProjectRole.role, ProjectRole.places)
    .outerjoin(ProjectRole, (ProjectRole.project_id == Project.id) & (ProjectRole.actor_id == bindparam("actor")))
    .where(Project.id == bindparam("project"), Project.archived.is_(False))
)


def create_user(email: str, password: str, realm: str, *, admin: bool = False) -> User:
    email = EMAIL.clean(email.strip().lower())
    if "@" not in email:
        raise bad_request(f"'{email}' is not an email address.")
    if len(password) < 10:
        raise bad_request("The password must be at least 10 characters long.")
    if db.session.scalar(select(User).where(User.email == email)):
        raise Problem(409.3, f"A user with the email {email} already exists.")
    actor = Actor(kind="user", display_name=email)
    user = User(actor=actor, email=email, password_hash=generate_password_hash(password),
                digest_ha1=ha1(email, realm, password), is_admin=admin)
    db.session.add(user)
    db.session.commit()
    return user


def user_by_email(email: str) -> User | None:
    """The user with this email (compared lower-cased and in NFC); None for any other string."""
    email = nfc(email.strip().lower())
    if "\0" in email or len(email) > EMAIL.limit:
        return None             # no stored email is like it, and PostgreSQL text cannot hold NUL
    return db.session.scalar(select(User).where(User.email == email))


# A password hash is made to be slow (scrypt, tens of milliseconds of a core). One at a time per
# process, so a flood of sign-ins (each a hash) cannot take every core from Collect's requests.
_HASHING = threading.BoundedSemaphore(1)
HASH_WAIT_S = 10


def check_password(email: str, password: str) -> User | None:
    """The user these credentials belong to, or None.

    Raises Problem 503.1 when the process has been hashing other passwords for HASH_WAIT_S.
    """
    user = user_by_email(email)
    if not _HASHING.acquire(timeout=HASH_WAIT_S):
        raise Problem(503.1, "The server is busy checking other sign-ins; try again in a moment.",
                      headers=[("Retry-After", "5")])
    try:
        if user is None or user.actor.deleted_at is not None:
            # Hash anyway, so an unknown email takes as long to refuse as a wrong password.
            check_password_hash(_UNKNOWN_USER_HASH, password)
            return None
        return user if check_password_hash(user.password_hash, password) else None
    finally:
        _HASHING.release()


_UNKNOWN_USER_HASH = generate_password_hash("not anyone's password")


def grant_role(project_id: int, email: str, role: str, places: list[str] | tuple[str, ...] = ()) -> ProjectRole:
    """Give a web user a role in a project (replacing any earlier one), limited to `places` (place
    codes of a county, township or village; none: the whole project).

    Raises Problem 400 for an unknown role or place, 404 for an unknown user or project.
    """
    if role not in ROLES:
        raise bad_request(f"Unknown role '{role}'; use one of {', '.join(ROLES)}.")
    user = user_by_email(email)
    if user is None:
        raise not_found(f"No user with the email {email}.")
    _require_project(project_id)
    grant = ProjectRole(project_id=project_id, actor_id=user.actor_id, role=role,
                        places=place_prefixes(places))
    grant = db.session.merge(grant)
    db.session.commit()
    return grant


def place_prefixes(codes: list[str] | tuple[str, ...]) -> list[str]:
    """The code prefixes of known places, in order, a place inside another given place dropped.

    Raises Problem 400 naming the codes that are no place (or a group, too small to hold a grant).
    """
    codes = list(dict.fromkeys(c.strip() for c in codes))
    levels = dict(db.session.execute(select(AdminUnit.code, AdminUnit.level).where(AdminUnit.code.in_(codes))).all())
    unknown = [c for c in codes if levels.get(c) in (None, "group")]
    if unknown:
        raise bad_request(f"Unknown place code(s): {', '.join(unknown)}. Import the places first.")
    prefixes = sorted(place_prefix(code, levels[code]) for code in codes)
    return [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]


def principal_for_user(user: User) -> Principal:
    return Principal(user.actor_id, "user", user.email, is_admin=user.is_admin)


def access_in(principal: Principal, project_id: int) -> Access | None:
    """What `principal` may do in a live project, and where; None if it has no standing there.

    Raises Problem 404.1 when there is no such project (or it is archived). A device token is
    bound to one live project (checked with the token), so a device asking about it costs no query.
    """
    if principal.kind in ("app_user", "draft_tester"):
        if principal.project_id == project_id:
            return Access(principal, project_id, DEVICE, principal.villages or None)
        _require_live_project(project_id)
        return None
    row = db.session.execute(_GRANT, {"actor": principal.actor_id, "project": project_id}).first()
    if row is None:
        raise not_found(f"There is no project {project_id}.")
    if principal.is_admin:
        return Access(principal, project_id, EVERYTHING)
    if row.role is None:
        return None
    return Access(principal, project_id, ROLES.get(row.role, frozenset()), tuple(row.places) or None)


def require(principal: Principal, permission: Permission, project_id: int) -> Access:
    """The principal's access in the project, if it includes `permission`.

    Raises Problem 404.1 (no such project) or 403.1 (no standing, or not this permission).
    """
    access = access_in(principal, project_id)
    if access is None or not access.can(permission):
        raise forbidden()
    return access


def readable_projects(principal: Principal) -> list[Project]:
    """The live projects the principal may see in listings (project.read)."""
    query = select(Project).where(Project.archived.is_(False)).order_by(Project.id)
    if principal.kind != "user":
        return []
    if not principal.is_admin:
        roles = [role for role, permissions in ROLES.items() if Permission.PROJECT_READ in permissions]
        query = query.join(ProjectRole, ProjectRole.project_id == Project.id).where(
            ProjectRole.actor_id == principal.actor_id, ProjectRole.role.in_(roles))
    return list(db.session.scalars(query))


def open_session(user: User, hours: int) -> tuple[str, ApiSession]:
    token = new_token()
    now = datetime.now(timezone.utc)
    session = ApiSession(token_sha256=token_digest(token), actor_id=user.actor_id,
                         csrf=secrets.token_urlsafe(32), created_at=now, expires_at=now + timedelta(hours=hours))
    db.session.add(session)
    db.session.commit()
    return token, session


def principal_for_session(token: str) -> Principal | None:
    row = db.session.execute(
        select(User, ApiSession.expires_at)
        .join(ApiSession, ApiSession.actor_id == User.actor_id)
        .where(ApiSession.token_sha256 == token_digest(token))
    ).first()
    if row is None or row.expires_at < datetime.now(timezone.utc) or row.User.actor.deleted_at:
        return None
    return principal_for_user(row.User)


def close_session(token: str) -> None:
    db.session.query(ApiSession).filter_by(token_sha256=token_digest(token)).delete()
    db.session.commit()


def create_app_user(project_id: int, name: str, created_by: int | None = None) -> tuple[AppUser, str]:
    """A device account; the token is returned once and only its digest is kept."""
    _require_project(project_id)
    name = DEVICE_ACCOUNT_NAME.clean(name.strip())
    if not name:
        raise bad_request("A device account needs a name.")
    token = new_token()
    app_user = AppUser(actor=Actor(kind="app_user", display_name=name),
                       project_id=project_id, token_sha256=token_digest(token))
    db.session.add(app_user)
    db.session.commit()
    return app_user, token


def find_app_user(project_id: int, name_or_id: str) -> AppUser:
    """A live device account of the project, by id (ASCII digits) or by name (NFC).

    Raises Problem 404.1 if there is none, 409 if several share the name.
    """
    query = select(AppUser).join(Actor).where(AppUser.project_id == project_id, Actor.deleted_at.is_(None))
    actor_id = ACTOR_ID.parse(name_or_id)
    if actor_id is not None:
        found = db.session.scalar(query.where(Actor.id == actor_id))
    elif "\0" in name_or_id or len(name_or_id) > DEVICE_ACCOUNT_NAME.limit:
        found = None
    else:
        matches = db.session.scalars(query.where(Actor.display_name == nfc(name_or_id))).all()
        if len(matches) > 1:
            raise Problem(409.1, f"Several device accounts are named '{name_or_id}'; give the id instead.")
        found = matches[0] if matches else None
    if found is None:
        raise not_found(f"No device account '{name_or_id}' in project {project_id}.")
    return found


def forget_cached_token(app_user: AppUser) -> None:
    """Drop this process's cached view of a device (revoked, or given other villages); other
    workers see the change within _TOKEN_CACHE_TTL_S."""
    _token_cache.pop(app_user.token_sha256 or "", None)


def revoke_app_user(app_user: AppUser) -> None:
    forget_cached_token(app_user)
    app_user.token_sha256 = None
    app_user.actor.deleted_at = datetime.now(timezone.utc)
    db.session.commit()


# Devices call HEAD and POST for every submission; a token seen a moment ago need not be looked
# up again. Revocation clears this process's entry at once and reaches other workers within TTL.
_TOKEN_CACHE_TTL_S = 3.0
_token_cache: dict[str, tuple[float, Principal]] = {}


def principal_for_app_token(token: str) -> Principal | None:
    """The device behind a token, if the token is live and its project is not archived."""
    digest = token_digest(token)
    cached = _token_cache.get(digest)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    row = db.session.connection().execute(_APP_TOKEN, {"digest": digest}).first()
    if row is None:
        _token_cache.pop(digest, None)
        return None
    principal = Principal(row.id, "app_user", row.display_name, project_id=row.project_id,
                          villages=tuple(row.villages or ()))
    if len(_token_cache) > 10_000:
        _token_cache.clear()
    _token_cache[digest] = (now + _TOKEN_CACHE_TTL_S, principal)
    return principal


def _require_project(project_id: int) -> Project:
    """The project, archived or not (grants and device accounts may be made in either)."""
    project = db.session.get(Project, project_id)
    if project is None:
        raise not_found(f"There is no project {project_id}.")
    return project


def _require_live_project(project_id: int) -> None:
    if db.session.scalar(select(Project.id).where(Project.id == project_id, Project.archived.is_(False))) is None:
        raise not_found(f"There is no project {project_id}.")


_USE_NONCE = text("INSERT INTO digest_nonce_use (nonce, nc) VALUES (:nonce, :nc) ON CONFLICT DO NOTHING RETURNING 1")
_FORGET_NONCES = text("DELETE FROM digest_nonce_use WHERE used_at < now() - :lifetime")


def use_digest_nonce(nonce: str, nc: str) -> bool:
    """Record that a Digest (nonce, nc) pair has opened a request; False if it had already.

    Committed at once, so a replay is refused even when the first request later fails. Pairs of
    expired nonces are forgotten now and then (an expired nonce is refused before it gets here).
    """
    used = db.session.execute(_USE_NONCE, {"nonce": nonce[:100], "nc": nc[:16]}).first() is None
    if secrets.randbelow(256) == 0:
        db.session.execute(_FORGET_NONCES, {"lifetime": timedelta(seconds=2 * NONCE_LIFETIME_S)})
    db.session.commit()
    return not used


def list_app_users(project_id: int) -> list[AppUser]:
    return list(db.session.scalars(
        select(AppUser).join(Actor).where(AppUser.project_id == project_id).order_by(Actor.id)))
