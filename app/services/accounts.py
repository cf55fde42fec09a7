"""Web users, device accounts (app users) and API sessions."""
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.digest_auth import ha1
from ..core.tokens import new_token, token_digest
from ..extensions import db
from ..models import Actor, ApiSession, AppUser, Project, ProjectRole, User
from ..problems import Problem, bad_request, not_found

ROLES = ("manager", "viewer", "data_collector")

# Every device request runs this; built once.
_APP_TOKEN = (
    select(Actor.id, Actor.display_name, AppUser.project_id)
    .join(AppUser, AppUser.actor_id == Actor.id)
    .join(Project, Project.id == AppUser.project_id)
    .where(AppUser.token_sha256 == bindparam("digest"), Actor.deleted_at.is_(None), Project.archived.is_(False))
)


@dataclass(frozen=True)
class Principal:
    """Who is asking, as the doors and services need to know it."""
    actor_id: int
    kind: str                       # user | app_user
    display_name: str
    is_admin: bool = False
    project_id: int | None = None   # an app user's only project


def create_user(email: str, password: str, realm: str, *, admin: bool = False) -> User:
    email = email.strip().lower()
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
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def check_password(email: str, password: str) -> User | None:
    user = user_by_email(email)
    if user is None or user.actor.deleted_at is not None:
        return None
    return user if check_password_hash(user.password_hash, password) else None


def grant_role(project_id: int, email: str, role: str) -> None:
    if role not in ROLES:
        raise bad_request(f"Unknown role '{role}'; use one of {', '.join(ROLES)}.")
    user = user_by_email(email)
    if user is None:
        raise not_found(f"No user with the email {email}.")
    _require_project(project_id)
    db.session.merge(ProjectRole(project_id=project_id, actor_id=user.actor_id, role=role))
    db.session.commit()


def principal_for_user(user: User) -> Principal:
    return Principal(user.actor_id, "user", user.email, is_admin=user.is_admin)


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
    if not name.strip():
        raise bad_request("A device account needs a name.")
    token = new_token()
    app_user = AppUser(actor=Actor(kind="app_user", display_name=name.strip()),
                       project_id=project_id, token_sha256=token_digest(token))
    db.session.add(app_user)
    db.session.commit()
    return app_user, token


def find_app_user(project_id: int, name_or_id: str) -> AppUser:
    query = select(AppUser).join(Actor).where(AppUser.project_id == project_id, Actor.deleted_at.is_(None))
    if name_or_id.isdigit():
        found = db.session.scalar(query.where(Actor.id == int(name_or_id)))
    else:
        matches = db.session.scalars(query.where(Actor.display_name == name_or_id)).all()
        if len(matches) > 1:
            raise Problem(409.1, f"Several device accounts are named '{name_or_id}'; give the id instead.")
        found = matches[0] if matches else None
    if found is None:
        raise not_found(f"No device account '{name_or_id}' in project {project_id}.")
    return found


def revoke_app_user(app_user: AppUser) -> None:
    _token_cache.pop(app_user.token_sha256 or "", None)
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
    principal = Principal(row.id, "app_user", row.display_name, project_id=row.project_id)
    if len(_token_cache) > 10_000:
        _token_cache.clear()
    _token_cache[digest] = (now + _TOKEN_CACHE_TTL_S, principal)
    return principal


def can_submit(principal: Principal, project_id: int) -> bool:
    if principal.kind == "app_user":
        return principal.project_id == project_id
    return principal.is_admin or _role(principal.actor_id, project_id) in ROLES


def can_read(principal: Principal, project_id: int) -> bool:
    return can_submit(principal, project_id)


def can_manage(principal: Principal, project_id: int) -> bool:
    return principal.kind == "user" and (principal.is_admin or _role(principal.actor_id, project_id) == "manager")


def _role(actor_id: int, project_id: int) -> str | None:
    return db.session.scalar(select(ProjectRole.role).where(
        ProjectRole.actor_id == actor_id, ProjectRole.project_id == project_id))


def _require_project(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        raise not_found(f"There is no project {project_id}.")
    return project


def list_app_users(project_id: int) -> list[AppUser]:
    return list(db.session.scalars(
        select(AppUser).join(Actor).where(AppUser.project_id == project_id).order_by(Actor.id)))
