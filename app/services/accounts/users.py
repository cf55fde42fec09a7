"""Web users: people who sign in with email and password (administrators, supervisors)."""
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ... import events
from ...core.access import Principal
from ...core.digest_auth import ha1
from ...events import Kind
from ...extensions import db
from ...models import Actor, User
from ...problems import password_too_short, unexpected_value, uniqueness_violation
from ..column_limits import EMAIL, nfc
from .password_hashing import hashing_slot

MIN_PASSWORD_LENGTH = 10
_UNKNOWN_USER_HASH = generate_password_hash("not anyone's password")


def create_user(email: str, password: str, realm: str | None = None, *, admin: bool = False,
                actor_id: int | None = None) -> User:
    """A web user. With `realm` (the Digest realm), their HA1 is kept too, so that they can sign in from
    Collect over plain http; without, they sign in with the password alone (sessions, Basic over https).
    `actor_id`: who creates them (None: the command line).

    Raises Problem 400.8 (not an email), 400.13 (too long), 400.21 (short password), 409.3 (taken).
    """
    email = EMAIL.clean(email.strip().lower())
    if "@" not in email:
        raise unexpected_value("email", f"'{email}' is not an email address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise password_too_short(MIN_PASSWORD_LENGTH)
    if db.session.scalar(select(User).where(User.email == email)):
        raise uniqueness_violation(f"A user with the email {email} already exists.")
    actor = Actor(kind="user", display_name=email)
    user = User(actor=actor, email=email, password_hash=generate_password_hash(password),
                digest_ha1=ha1(email, realm, password) if realm else None, is_admin=admin)
    db.session.add(user)
    db.session.flush()
    events.record(Kind.USER_CREATE, actor_id=actor_id, subject=str(user.actor_id),
                  payload={"admin": admin, "digest": bool(realm)})
    db.session.commit()
    return user


def user_by_email(email: str) -> User | None:
    """The user with this email (compared lower-cased and in NFC); None for any other string."""
    email = nfc(email.strip().lower())
    if "\0" in email or len(email) > EMAIL.limit:
        return None             # no stored email is like it, and PostgreSQL text cannot hold NUL
    return db.session.scalar(select(User).where(User.email == email))


def check_password(email: str, password: str) -> User | None:
    """The live user these credentials belong to, or None.

    Raises Problem 503.1 when the machine is busy hashing other passwords (password_hashing).
    """
    user = user_by_email(email)
    with hashing_slot():
        if user is None or user.actor.deleted_at is not None:
            # Hash anyway, so an unknown email takes as long to refuse as a wrong password.
            check_password_hash(_UNKNOWN_USER_HASH, password)
            return None
        return user if check_password_hash(user.password_hash, password) else None


def principal_for_user(user: User) -> Principal:
    return Principal(user.actor_id, "user", user.email, is_admin=user.is_admin)


def user_for_principal(principal: Principal) -> User | None:
    """The web user behind a principal; None for devices and testers."""
    return db.session.get(User, principal.actor_id) if principal.kind == "user" else None
