"""Sessions, as ODK Central issues them: a token shown once and kept hashed, with a CSRF token. The API
hands the token out as a bearer token (POST /v1/sessions); the console keeps it in a cookie."""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from ... import events
from ...core.access import Principal
from ...core.tokens import new_token, token_digest
from ...events import Kind
from ...extensions import db
from ...models import ApiSession, User
from . import access_cache
from .users import principal_for_user


def open_session(user: User, hours: int) -> tuple[str, ApiSession]:
    """A session for `user` lasting `hours`: (the token, shown only now; the stored session)."""
    token = new_token()
    now = datetime.now(timezone.utc)
    session = ApiSession(token_sha256=token_digest(token), actor_id=user.actor_id,
                         csrf=secrets.token_urlsafe(32), created_at=now, expires_at=now + timedelta(hours=hours))
    db.session.add(session)
    events.record(Kind.SIGN_IN, actor_id=user.actor_id, subject=str(user.actor_id))
    db.session.commit()
    return token, session


@dataclass(frozen=True)
class LiveSession:
    principal: Principal
    csrf: str             # what a state-changing request made with the session's cookie must carry
    expires_at: datetime


def live_session(token: str) -> LiveSession | None:
    """The session a token opens; None if it is unknown, expired, or its user deleted. Remembered by this
    worker for a few seconds (access_cache), never past its expiry."""
    digest = token_digest(token)
    session = access_cache.remembered(("session", digest), lambda: _stored_session(digest))
    if session is None or session.expires_at < datetime.now(timezone.utc):
        return None
    return session


def _stored_session(digest: str) -> LiveSession | None:
    row = db.session.execute(
        select(User, ApiSession.expires_at, ApiSession.csrf)
        .join(ApiSession, ApiSession.actor_id == User.actor_id)
        .where(ApiSession.token_sha256 == digest)
    ).first()
    if row is None or row.User.actor.deleted_at:
        return None
    return LiveSession(principal_for_user(row.User), row.csrf, row.expires_at)


def principal_for_session(token: str) -> Principal | None:
    """Who a bearer token stands for; None if it is unknown, expired, or its user deleted."""
    session = live_session(token)
    return session.principal if session else None


def close_session(token: str) -> None:
    db.session.query(ApiSession).filter_by(token_sha256=token_digest(token)).delete()
    db.session.commit()
    access_cache.forget_all()
