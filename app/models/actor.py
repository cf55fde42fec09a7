"""Who acts: web users (email + password) and app users (device tokens), both actors.

Every record that someone creates points at an actor, whatever kind it is.
"""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .columns import created_at, timestamp


class Actor(db.Model):
    __tablename__ = "actor"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))            # user | app_user | public_link
    display_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at()
    deleted_at: Mapped[datetime | None] = timestamp()


class User(db.Model):
    """A person who signs in with email and password (administrators, supervisors)."""
    __tablename__ = "web_user"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    # MD5(email:realm:password), what HTTP Digest needs, kept only for users who sign in from Collect over
    # plain http (`user create --digest`): unsalted and fast, it is as good as the password to whoever
    # reads the database, and far easier to crack than password_hash.
    digest_ha1: Mapped[str | None] = mapped_column(String(32))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)

    actor: Mapped[Actor] = relationship(lazy="joined")


class AppUser(db.Model):
    """A device account in one project; ODK Collect authenticates with the token in its URL."""
    __tablename__ = "app_user"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    # Only the SHA-256 of the token is kept; NULL once revoked.
    token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The token is made from this salt and the server's SECRET_KEY (core.tokens.derived_token), so the app-user
    # list can show it again as ODK Central's does; NULL for accounts made before (not shown) and revoked ones.
    token_salt: Mapped[bytes | None] = mapped_column(LargeBinary(16))

    actor: Mapped[Actor] = relationship(lazy="joined")


class ProjectRole(db.Model):
    """A web user's role in a project (administrators need none), optionally limited to places."""
    __tablename__ = "project_role"

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(30))            # manager | viewer | data_collector
    # Code prefixes of the places the grant covers ('420102' a county, '420102001' a township, a
    # 12-digit village); empty: the whole project.
    places: Mapped[list[str]] = mapped_column(ARRAY(String(15)), default=list, server_default=text("'{}'"))


class ApiSession(db.Model):
    """A bearer token from POST /v1/sessions."""
    __tablename__ = "api_session"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at()
    expires_at: Mapped[datetime] = timestamp(nullable=False)


class SignInFailure(db.Model):
    """Wrong passwords counted per account and per address, in the database so that every worker
    and every machine sees the same count (a limit per process would be a limit per worker)."""
    __tablename__ = "sign_in_failure"

    # pair (an account from one address) | account | address
    scope: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(320), primary_key=True)      # an email, or an IP address
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime] = timestamp(nullable=False)
    locked_until: Mapped[datetime | None] = timestamp()


class SignInKnownAddress(db.Model):
    """An account's right password from an address, remembered for sign_in_limits.KNOWN_FOR: the lock that
    guessing from many addresses puts on an account does not reach an address its person signs in from."""
    __tablename__ = "sign_in_known_address"

    pair: Mapped[str] = mapped_column(String(320), primary_key=True)     # sign_in_limits.Caller.pair
    signed_in_at: Mapped[datetime] = timestamp(nullable=False)


class DigestNonceUse(db.Model):
    """A (nonce, nonce count) pair a Digest request has used; a second use is a replay (RFC 7616 §3.3,
    "the server ... should check that the nc value has not been used before"). Rows go when the
    nonce expires."""
    __tablename__ = "digest_nonce_use"
    __table_args__ = (Index("ix_digest_nonce_use_used_at", "used_at"),)   # expired uses are deleted by age

    nonce: Mapped[str] = mapped_column(String(100), primary_key=True)
    nc: Mapped[str] = mapped_column(String(16), primary_key=True)
    used_at: Mapped[datetime] = created_at()
