"""Public links: one per village, form and project, opened by a resident from the village's QR poster.

A link's token is short (12 URL-safe characters, 72 random bits: a small QR code, readable at 3 cm)
and never stored: the database keeps its SHA-256, which finds the link, and a random salt, from which
the server makes the same token again with its SECRET_KEY (HMAC-SHA256) when a poster is printed later.
Someone who reads the database alone can neither open a link nor print one. Revoking takes effect at
once on every worker: each request looks the link up (nothing is remembered).
"""
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select, update

from ... import events
from ...events import Kind
from ...extensions import db
from ...models import AdminUnit, Form, PublicLink
from ...problems import link_gone, not_found, unexpected_value
from ..accounts.projects import require_project

TOKEN_CHARACTERS = 12
LINK_PATH = "/f/"              # the resident's page: PUBLIC_URL + LINK_PATH + token


def link_token(secret_key: str, salt: bytes) -> str:
    """The token of the link with `salt`: the first 12 characters of base64url(HMAC-SHA256(key, salt))."""
    mac = hmac.new(secret_key.encode(), b"public-link:" + salt, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode()[:TOKEN_CHARACTERS]


@dataclass(frozen=True)
class IssuedLink:
    id: int
    village: str
    village_name: str
    token: str
    url: str


def create_links(project_id: int, xml_form_id: str, villages: list[str], *, township: str | None = None,
                 expires_on: date | None = None, quota: int | None = None, actor_id: int | None = None,
                 secret_key: str, public_url: str) -> list[IssuedLink]:
    """A new link to `xml_form_id` for each village given, and for each village of `township`; returns
    them with their tokens and URLs. A village keeps its earlier links (revoke them to retire them).

    Raises Problem 404.1 for an unknown project or form, 400.8 for codes that are no village (or no
    township), a quota below 1 or an expiry in the past.
    """
    require_project(project_id)
    form = db.session.scalar(select(Form).where(Form.project_id == project_id, Form.xml_form_id == xml_form_id))
    if form is None:
        raise not_found(f"There is no form '{xml_form_id}' in project {project_id}.")
    if quota is not None and quota < 1:
        raise unexpected_value("quota", "A quota is at least 1 report.")
    if expires_on is not None and expires_on < date.today():
        raise unexpected_value("expires", "The expiry date has passed already.")
    chosen = _villages(villages, township)
    issued = []
    for code, name in chosen:
        salt = secrets.token_bytes(16)
        token = link_token(secret_key, salt)
        link = PublicLink(project_id=project_id, form_id=form.id, village=code, salt=salt,
                          token_sha256=hashlib.sha256(token.encode()).hexdigest(), expires_on=expires_on,
                          quota=quota, created_by=actor_id)
        db.session.add(link)
        db.session.flush()
        events.record(Kind.PUBLIC_LINK_CREATE, actor_id=actor_id, project_id=project_id, place=code,
                      subject=str(link.id), payload={"xmlFormId": xml_form_id})
        issued.append(IssuedLink(link.id, code, name, token, public_url.rstrip("/") + LINK_PATH + token))
    db.session.commit()
    return issued


def _villages(codes: list[str], township: str | None) -> list[tuple[str, str]]:
    """(code, name) of the villages named and of the township's villages, in code order."""
    wanted = {c.strip() for c in codes if c.strip()}
    found = dict(db.session.execute(select(AdminUnit.code, AdminUnit.name).where(
        AdminUnit.code.in_(wanted), AdminUnit.level == "village")).all())
    unknown = sorted(wanted - set(found))
    if unknown:
        raise unexpected_value("village", f"Not a village: {', '.join(unknown)}.")
    if township is not None:
        level = db.session.scalar(select(AdminUnit.level).where(AdminUnit.code == township))
        if level != "township":
            raise unexpected_value("township", f"Not a township: {township}.")
        found |= dict(db.session.execute(select(AdminUnit.code, AdminUnit.name).where(
            AdminUnit.parent_code == township, AdminUnit.level == "village")).all())
    if not found:
        raise unexpected_value("village", "Name at least one village, or a township that has villages.")
    return sorted(found.items())


@dataclass(frozen=True)
class LinkRow:
    id: int
    xml_form_id: str
    village: str
    village_name: str
    expires_on: date | None
    quota: int | None
    reports: int
    revoked: bool


def project_links(project_id: int, *, township: str | None = None) -> list[LinkRow]:
    """The project's links (of one township's villages, if given), by village then id."""
    query = (select(PublicLink, Form.xml_form_id, AdminUnit.name)
             .join(Form, Form.id == PublicLink.form_id).join(AdminUnit, AdminUnit.code == PublicLink.village)
             .where(PublicLink.project_id == project_id).order_by(PublicLink.village, PublicLink.id))
    if township is not None:
        query = query.where(AdminUnit.parent_code == township)
    return [LinkRow(link.id, form_id, link.village, name, link.expires_on, link.quota, link.reports,
                    link.revoked_at is not None) for link, form_id, name in db.session.execute(query)]


def revoke_links(project_id: int, link_ids: list[int], *, actor_id: int | None = None) -> int:
    """Revoke the project's links among `link_ids` (already revoked ones stay as they are); returns how many
    were revoked now."""
    now = datetime.now(timezone.utc)
    revoked = db.session.execute(update(PublicLink).where(
        PublicLink.project_id == project_id, PublicLink.id.in_(link_ids), PublicLink.revoked_at.is_(None)
    ).values(revoked_at=now, revoked_by=actor_id).returning(PublicLink.id, PublicLink.village)).all()
    for link_id, village in revoked:
        events.record(Kind.PUBLIC_LINK_REVOKE, actor_id=actor_id, project_id=project_id, place=village,
                      subject=str(link_id))
    db.session.commit()
    return len(revoked)


def open_link(token: str) -> PublicLink:
    """The live link a token opens.

    Raises Problem 404.1 for a token that opens no link (malformed or unknown: one answer), 410.90 for a
    revoked or expired link, or one whose quota of reports is used up.
    """
    if len(token) != TOKEN_CHARACTERS or not token.isascii():
        raise not_found("There is no such link.")
    link = db.session.scalar(select(PublicLink).where(
        PublicLink.token_sha256 == hashlib.sha256(token.encode()).hexdigest()))
    if link is None:
        raise not_found("There is no such link.")
    if link.revoked_at is not None:
        raise link_gone("revoked", "This link has been withdrawn.")
    if link.expires_on is not None and link.expires_on < date.today():
        raise link_gone("expired", "This link has expired.")
    if link.quota is not None and link.reports >= link.quota:
        raise link_gone("quota", "This link has taken all the reports it may.")
    return link


def link_url(link: PublicLink, *, secret_key: str, public_url: str) -> str:
    """The URL of a stored link, made again from its salt (for posters)."""
    return public_url.rstrip("/") + LINK_PATH + link_token(secret_key, link.salt)


def live_links(project_id: int, *, township: str | None = None, secret_key: str,
               public_url: str) -> list[IssuedLink]:
    """The project's links that still open (of one township's villages, if given), with their tokens made
    again, by village: what posters print."""
    today = date.today()
    query = (select(PublicLink, AdminUnit.name).join(AdminUnit, AdminUnit.code == PublicLink.village)
             .where(PublicLink.project_id == project_id, PublicLink.revoked_at.is_(None))
             .order_by(PublicLink.village, PublicLink.id))
    if township is not None:
        query = query.where(AdminUnit.parent_code == township)
    return [IssuedLink(link.id, link.village, name, link_token(secret_key, link.salt),
                       link_url(link, secret_key=secret_key, public_url=public_url))
            for link, name in db.session.execute(query)
            if (link.expires_on is None or link.expires_on >= today)
            and (link.quota is None or link.reports < link.quota)]
