"""Device accounts (ODK Central's app users): a token in the URL Collect is set up with, the
villages the device covers, revocation."""
import time
from datetime import datetime, timezone

from sqlalchemy import select

from ... import events
from ...core.access import Principal
from ...core.tokens import new_token, token_digest
from ...events import Kind
from ...extensions import db
from ...models import Actor, AdminUnit, AppUser, AppUserPlace
from ...problems import ambiguous_name, missing_parameter, not_found, unexpected_value
from ...queries.accounts import APP_TOKEN
from ..column_limits import ACTOR_ID, DEVICE_ACCOUNT_NAME, nfc
from .projects import require_project

# Devices call HEAD and POST for every submission; a token seen a moment ago need not be looked
# up again. Revocation and new villages clear this process's entry at once and reach other workers
# within the TTL.
TOKEN_CACHE_TTL_S = 3.0
_token_cache: dict[str, tuple[float, Principal]] = {}


def create_app_user(project_id: int, name: str) -> tuple[AppUser, str]:
    """A device account; the token is returned once and only its digest is kept.

    Raises Problem 404.1 (no project), 400.2 (no name), 400.13 (name too long).
    """
    require_project(project_id, archived=True)
    name = DEVICE_ACCOUNT_NAME.clean(name.strip())
    if not name:
        raise missing_parameter("displayName", "A device account needs a name.")
    token = new_token()
    app_user = AppUser(actor=Actor(kind="app_user", display_name=name),
                       project_id=project_id, token_sha256=token_digest(token))
    db.session.add(app_user)
    db.session.flush()
    events.record(Kind.APP_USER_CREATE, project_id=project_id, subject=str(app_user.actor_id))
    db.session.commit()
    return app_user, token


def find_app_user(project_id: int, name_or_id: str) -> AppUser:
    """A live device account of the project, by id (ASCII digits) or by name (NFC).

    Raises Problem 404.1 if there is none, 409.90 if several share the name.
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
            raise ambiguous_name(f"Several device accounts are named '{name_or_id}'; give the id instead.")
        found = matches[0] if matches else None
    if found is None:
        raise not_found(f"No device account '{name_or_id}' in project {project_id}.")
    return found


def list_app_users(project_id: int) -> list[AppUser]:
    return list(db.session.scalars(
        select(AppUser).join(Actor).where(AppUser.project_id == project_id).order_by(Actor.id)))


def assign_places(project_id: int, name_or_id: str, village_codes: list[str]) -> int:
    """The villages a device account covers, replacing what it had: its pick-lists hold these, and
    its submissions about other villages are flagged. Returns the account's actor id.

    Raises Problem 404.1 (no such account), 400.8 (codes that are not villages).
    """
    app_user = find_app_user(project_id, name_or_id)
    known = set(db.session.scalars(select(AdminUnit.code).where(AdminUnit.code.in_(village_codes),
                                                                 AdminUnit.level == "village")))
    unknown = [c for c in village_codes if c not in known]
    if unknown:
        raise unexpected_value("villages", f"Unknown village code(s): {', '.join(unknown)}.")
    db.session.query(AppUserPlace).filter_by(actor_id=app_user.actor_id).delete()
    db.session.add_all(AppUserPlace(actor_id=app_user.actor_id, admin_code=c) for c in dict.fromkeys(village_codes))
    events.record(Kind.APP_USER_PLACES, project_id=project_id, subject=str(app_user.actor_id),
                  payload={"villages": list(dict.fromkeys(village_codes))})
    db.session.commit()
    forget_cached_token(app_user)
    return app_user.actor_id


def revoke_app_user(app_user: AppUser) -> None:
    """The token stops working: at once in this process, within TOKEN_CACHE_TTL_S in the others."""
    forget_cached_token(app_user)
    app_user.token_sha256 = None
    app_user.actor.deleted_at = datetime.now(timezone.utc)
    events.record(Kind.APP_USER_REVOKE, project_id=app_user.project_id, subject=str(app_user.actor_id))
    db.session.commit()


def forget_cached_token(app_user: AppUser) -> None:
    """Drop this process's cached view of a device (revoked, or given other villages)."""
    _token_cache.pop(app_user.token_sha256 or "", None)


def principal_for_app_token(token: str) -> Principal | None:
    """The device behind a token, if the token is live and its project is not archived."""
    digest = token_digest(token)
    cached = _token_cache.get(digest)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    row = db.session.connection().execute(APP_TOKEN, {"digest": digest}).first()
    if row is None:
        _token_cache.pop(digest, None)
        return None
    principal = Principal(row.id, "app_user", row.display_name, project_id=row.project_id,
                          villages=tuple(row.villages or ()))
    if len(_token_cache) > 10_000:
        _token_cache.clear()
    _token_cache[digest] = (now + TOKEN_CACHE_TTL_S, principal)
    return principal
