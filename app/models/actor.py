"""Who acts: web users (email + password) and app users (device tokens), both actors.

Every record that someone creates points at an actor, whatever kind it is.
"""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .columns import created_at, timestamp


class Actor(db.Model):
    __tablename__ = "actor"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))            # user | app_user
    display_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at()
    deleted_at: Mapped[datetime | None] = timestamp()


class User(db.Model):
    """A person who signs in with email and password (administrators, supervisors)."""
    __tablename__ = "web_user"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    # MD5(email:realm:password), what HTTP Digest needs; as secret as the password itself.
    digest_ha1: Mapped[str] = mapped_column(String(32))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)

    actor: Mapped[Actor] = relationship(lazy="joined")


class AppUser(db.Model):
    """A device account in one project; ODK Collect authenticates with the token in its URL."""
    __tablename__ = "app_user"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    # Only the SHA-256 of the token is kept; NULL once revoked.
    token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)

    actor: Mapped[Actor] = relationship(lazy="joined")


class ProjectRole(db.Model):
    """A web user's role in a project (administrators need none)."""
    __tablename__ = "project_role"

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(30))            # manager | viewer | data_collector


class ApiSession(db.Model):
    """A bearer token from POST /v1/sessions."""
    __tablename__ = "api_session"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at()
    expires_at: Mapped[datetime] = timestamp(nullable=False)
