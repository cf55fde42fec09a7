"""Device accounts (ODK Central's app users): a token in the URL Collect is set up with, the
villages the device covers, revocation."""
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select

from ... import events
from ...core.access import Access, Principal
from ...core.tokens import derived_token, new_token, token_digest
from ...events import Kind
from ...extensions import db
from ...models import Actor, AdminUnit, AppUser, AppUserPlace
from ...problems import ambiguous_name, missing_parameter, not_found, unexpected_value
from ...queries.accounts import APP_TOKEN
from ..column_limits import ACTOR_ID, DEVICE_ACCOUNT_NAME, has_control_characters, nfc
from .projects import require_project

# Devices call HEAD and POST for every submission; a token seen a moment ago need not be looked
# up again. Revocation and new villages clear this process's entry at once and reach other workers
# within the TTL.
TOKEN_CACHE_TTL_S = 3.0
_token_cache: dict[str, tuple[float, Principal]] = {}


def create_app_user(project_id: int, name: str, *, secret_key: str | None = None,
                    actor_id: int | None = None) -> tuple[AppUser, str]:
    """A device account and its token; only the token's digest is kept. With `secret_key` (the server's
    SECRET_KEY) the token is made from a stored salt, so token_of can show it again later (as ODK Central's
    app-user list does); without, it is random and shown this once. `actor_id`: who made it (None: the
    command line).

    Raises Problem 404.1 (no project), 400.2 (no name), 400.13 (name too long), 400.8 (a control character:
    a line break or a terminal escape in a name would forge lines in `app-user list` and reach the
    administrator's terminal).
    """
    require_project(project_id, archived=True)
    name = DEVICE_ACCOUNT_NAME.clean(name.strip())
    if not name:
        raise missing_parameter("displayName", "A device account needs a name.")
    if has_control_characters(name):
        raise unexpected_value("displayName", "A device account's name cannot hold control characters (line "
                                              "breaks, tabs, escapes).")
    salt = secrets.token_bytes(16) if secret_key is not None else None
    token = derived_token(secret_key, salt) if salt is not None else new_token()
    app_user = AppUser(actor=Actor(kind="app_user", display_name=name),
                       project_id=project_id, token_sha256=token_digest(token), token_salt=salt)
    db.session.add(app_user)
    db.session.flush()
    events.record(Kind.APP_USER_CREATE, actor_id=actor_id, project_id=project_id, subject=str(app_user.actor_id))
    db.session.commit()
    return app_user, token


def token_of(app_user: AppUser, secret_key: str) -> str | None:
    """A live account's token made again from its salt; None for a revoked account, one made without a salt
    (before migration 0027, or without the key), or one made under another SECRET_KEY (the remade token
    would not be its own)."""
    if app_user.token_salt is None or app_user.token_sha256 is None:
        return None
    token = derived_token(secret_key, app_user.token_salt)
    return token if token_digest(token) == app_user.token_sha256 else None


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


def revoke_app_user(app_user: AppUser, *, actor_id: int | None = None) -> None:
    """The token stops working: at once in this process, within TOKEN_CACHE_TTL_S in the others. Its salt
    goes too, so it cannot be made again. `actor_id`: who revoked it (None: the command line)."""
    forget_cached_token(app_user)
    app_user.token_sha256 = None
    app_user.token_salt = None
    app_user.actor.deleted_at = datetime.now(timezone.utc)
    events.record(Kind.APP_USER_REVOKE, actor_id=actor_id, project_id=app_user.project_id,
                  subject=str(app_user.actor_id))
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


# The API's view of device accounts (ODK Central's /projects/{id}/app-users, api/app_users.py).

@dataclass(frozen=True)
class DeviceAccount:
    """A live device account as Central's API lists an app user; `token` None when it cannot be shown."""
    project_id: int
    actor_id: int
    display_name: str
    created_at: datetime
    deleted_at: datetime | None
    token: str | None


def _villages_of(actor_ids: list[int]) -> dict[int, list[str]]:
    rows = db.session.execute(select(AppUserPlace.actor_id, func.array_agg(AppUserPlace.admin_code))
                              .where(AppUserPlace.actor_id.in_(actor_ids)).group_by(AppUserPlace.actor_id))
    return {actor_id: list(codes) for actor_id, codes in rows}


def _within(access: Access, villages: list[str]) -> bool:
    # A place-limited manager sees and manages only devices that cover nothing outside their places: a
    # device's token opens its villages' pick-lists (households and heads' names), and would otherwise hand
    # them the next township's registry. A device assigned no village yet covers nothing, and is seen.
    return all(access.covers(code) for code in villages)


def visible_app_users(access: Access, secret_key: str) -> list[DeviceAccount]:
    """The project's live device accounts within the caller's places, each with its token where it can be
    made again; in ODK Central's order (central-backend lib/model/query/field-keys.js: those with a token
    first, then newest first). Revoked accounts are not listed, as Central lists no deleted app user."""
    found = db.session.scalars(
        select(AppUser).join(Actor).where(AppUser.project_id == access.project_id, Actor.deleted_at.is_(None))
        .order_by(Actor.created_at.desc(), Actor.id.desc())).all()
    visible = within_places(access, list(found))
    villages = _villages_of([a.actor_id for a in visible]) if access.places is not None else {}
    accounts = [device_account(a, _listed_token(access, a, villages.get(a.actor_id, []), secret_key))
                for a in visible]
    return sorted(accounts, key=lambda account: account.token is None)    # stable: newest first within each


def listed_token(access: Access, app_user: AppUser, secret_key: str) -> str | None:
    """The token shown to this caller with the account (GET …/app-users/{id}): as _listed_token."""
    villages = _villages_of([app_user.actor_id]).get(app_user.actor_id, []) if access.places is not None else []
    return _listed_token(access, app_user, villages, secret_key)


def _listed_token(access: Access, app_user: AppUser, villages: list[str], secret_key: str) -> str | None:
    # A place-limited manager sees a device assigned no village yet (to give it one of theirs), but not its
    # token: the county may be about to give it to another township, and a token kept from the listing would
    # then open that township's pick-lists and send as its device. The token of a device of their own villages
    # is theirs to hand out.
    if access.places is not None and not villages:
        return None
    return token_of(app_user, secret_key)


def within_places(access: Access, app_users: list[AppUser]) -> list[AppUser]:
    """Those of `app_users` the caller may see and manage, in their order: all for a caller of the whole
    project; for a place-limited one, those covering no village outside their places."""
    if access.places is None:
        return app_users
    villages = _villages_of([a.actor_id for a in app_users])
    return [a for a in app_users if _within(access, villages.get(a.actor_id, []))]


def visible_app_user(access: Access, actor_id: int, *, revoked: bool = False) -> AppUser:
    """A live device account of the caller's project within their places (as visible_app_users); a revoked one
    too with `revoked`. Raises Problem 404.1 otherwise: another project's, a revoked one and one outside the
    places get one answer."""
    query = select(AppUser).join(Actor).where(AppUser.project_id == access.project_id, AppUser.actor_id == actor_id)
    found = db.session.scalar(query if revoked else query.where(Actor.deleted_at.is_(None)))
    if found is None or not within_places(access, [found]):
        raise not_found(f"There is no app user {actor_id} in project {access.project_id}.")
    return found


def device_account(app_user: AppUser, token: str | None = None) -> DeviceAccount:
    """An account as the API shows it, with `token` if the caller may see it."""
    return DeviceAccount(app_user.project_id, app_user.actor_id, app_user.actor.display_name,
                         app_user.actor.created_at, app_user.actor.deleted_at, token)


def create_for(access: Access, display_name, secret_key: str) -> DeviceAccount:
    """POST /projects/{id}/app-users: a device account made by the caller, with its token. Raises Problem
    400.2 without a name (or a name that is no string), 400.13 for one too long."""
    if not isinstance(display_name, str):
        raise missing_parameter("displayName", "An app user needs a displayName (a string).")
    app_user, token = create_app_user(access.project_id, display_name, secret_key=secret_key,
                                      actor_id=access.principal.actor_id)
    return device_account(app_user, token)


def revoke_for(access: Access, actor_id: int) -> None:
    """DELETE /projects/{id}/app-users/{actorId}: as `app-user revoke`. Raises Problem 404.1 as
    visible_app_user."""
    revoke_app_user(visible_app_user(access, actor_id), actor_id=access.principal.actor_id)
