"""Public links: one per village, form and project, opened by a resident from the village's QR poster.

A link's token is short and never stored. 14 characters of 30 that cannot be taken for one another when
typed from a poster (no 0/o, 1/l/i, u): 68 bits, and a small QR code, readable printed at 3 cm. The
database keeps the token's SHA-256, which finds the link, and a random salt, from which the server makes
the same token again with its SECRET_KEY (HMAC-SHA256) when a poster is printed later. Someone who reads
the database alone can neither open a link nor print one. Revoking takes effect at once on every worker:
each request looks the link up (nothing is remembered).
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import func, select, update

from ... import events
from ...core.access import Access, Permission, Principal
from ...core.rules import RESIDENTS_FORMS
from ...events import Kind
from ...extensions import db
from ...models import Actor, AdminUnit, Form, Project, PublicLink, PublicLinkRefusal
from ...problems import link_gone, not_found, unexpected_value
from ..accounts.projects import require_project

TOKEN_ALPHABET = "23456789abcdefghjkmnpqrstvwxyz"     # 30 characters, none like another
TOKEN_CHARACTERS = 14
LINK_PATH = "/f/"              # the resident's page: PUBLIC_URL + LINK_PATH + token
# Public links let anyone submit without an account: only to the residents' own forms, never to a
# cadre's (a screening sent by anyone would change the registry).
LINKABLE_FORMS = RESIDENTS_FORMS


def link_token(secret_key: str, salt: bytes) -> str:
    """The token of the link with `salt`: HMAC-SHA256(key, salt) written in TOKEN_ALPHABET, 14 characters."""
    number = int.from_bytes(hmac.new(secret_key.encode(), b"public-link:" + salt, hashlib.sha256).digest(), "big")
    characters = []
    for _ in range(TOKEN_CHARACTERS):
        number, digit = divmod(number, len(TOKEN_ALPHABET))
        characters.append(TOKEN_ALPHABET[digit])
    return "".join(characters)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _url(public_url: str, token: str) -> str:
    return public_url.rstrip("/") + LINK_PATH + token


def settings(config) -> dict:
    """What making and printing links needs of the server's configuration (a mapping such as Flask's
    app.config): {"secret_key", "public_url"}, as create_links and live_links take them."""
    return {"secret_key": config["SECRET_KEY"], "public_url": config["PUBLIC_URL"]}


@dataclass(frozen=True)
class IssuedLink:
    id: int
    village: str
    village_name: str
    token: str
    url: str
    existing: bool = False      # the village's live link to the form, kept rather than made again


def create_links(project_id: int, xml_form_id: str, villages: list[str], *, township: str | None = None,
                 expires_on: date | None = None, quota: int | None = None, actor_id: int | None = None,
                 display_name: str | None = None, secret_key: str, public_url: str) -> list[IssuedLink]:
    """A link to `xml_form_id` for each village given and each village of `township`, with its token and
    URL: a new one, or the village's live link to the form already (`existing`; revoke it to replace it).
    `display_name` names each new link's actor (the API's displayName; default "{village} 自主申报链接").

    Raises Problem 404.1 for an unknown project or form, 400.8 for a form that takes no public links
    (LINKABLE_FORMS), codes that are no village (or no township), a quota below 1, an expiry in the past,
    or (for an existing link) a token made with another SECRET_KEY.
    """
    require_project(project_id)
    if xml_form_id not in LINKABLE_FORMS:
        raise unexpected_value("form", f"Public links are for the residents' form ({', '.join(LINKABLE_FORMS)}) "
                                       "only: anyone with the link can send it.")
    form = db.session.scalar(select(Form).where(Form.project_id == project_id, Form.xml_form_id == xml_form_id))
    if form is None:
        raise not_found(f"There is no form '{xml_form_id}' in project {project_id}; publish it first.")
    if quota is not None and quota < 1:
        raise unexpected_value("quota", "A quota is at least 1 report.")
    if expires_on is not None and expires_on < date.today():
        raise unexpected_value("expires", "The expiry date has passed already.")
    chosen = _villages(villages, township)
    kept = {link.village: link for link in _live(select(PublicLink).where(
        PublicLink.project_id == project_id, PublicLink.form_id == form.id,
        PublicLink.village.in_([code for code, _ in chosen])))}
    issued = []
    for code, name in chosen:
        if code in kept:
            token = _token_of(kept[code], secret_key)
            issued.append(IssuedLink(kept[code].id, code, name, token, _url(public_url, token), existing=True))
            continue
        salt = secrets.token_bytes(16)
        token = link_token(secret_key, salt)
        actor = Actor(kind="public_link", display_name=display_name or f"{name} 自主申报链接")
        db.session.add(actor)
        db.session.flush()
        link = PublicLink(project_id=project_id, form_id=form.id, village=code, actor_id=actor.id, salt=salt,
                          token_sha256=_digest(token), expires_on=expires_on,
                          quota=quota, created_by=actor_id)
        db.session.add(link)
        db.session.flush()
        events.record(Kind.PUBLIC_LINK_CREATE, actor_id=actor_id, project_id=project_id, place=code,
                      subject=str(link.id), payload={"xmlFormId": xml_form_id})
        issued.append(IssuedLink(link.id, code, name, token, _url(public_url, token)))
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
        require_township(township)
        found |= dict(db.session.execute(select(AdminUnit.code, AdminUnit.name).where(
            AdminUnit.parent_code == township, AdminUnit.level == "village")).all())
    if not found:
        raise unexpected_value("village", "Name at least one village, or a township that has villages.")
    return sorted(found.items())


def require_township(code: str) -> None:
    """Raises Problem 400.8 unless `code` is a township."""
    if db.session.scalar(select(AdminUnit.level).where(AdminUnit.code == code)) != "township":
        raise unexpected_value("township", f"Not a township: {code}.")


def _closed(link: PublicLink, today: date) -> str | None:
    """Why a link no longer opens: revoked | expired | quota (its reports used up); None while it opens."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_on is not None and link.expires_on < today:
        return "expired"
    if link.quota is not None and link.reports >= link.quota:
        return "quota"
    return None


def _live(query) -> list[PublicLink]:
    """The links of a query over PublicLink that still open."""
    today = date.today()
    return [link for link in db.session.scalars(query.where(PublicLink.revoked_at.is_(None)))
            if _closed(link, today) is None]


def remade_token(link: PublicLink, secret_key: str) -> str | None:
    """A stored link's token made again; None when SECRET_KEY is not the one it was made with."""
    token = link_token(secret_key, link.salt)
    return token if _digest(token) == link.token_sha256 else None


def link_url(public_url: str, token: str) -> str:
    """The resident's page of a link: PUBLIC_URL + LINK_PATH + token."""
    return _url(public_url, token)


def link_state(link: PublicLink) -> str:
    """live, or why the link no longer opens: revoked | expired | quota."""
    return _closed(link, date.today()) or "live"


def _token_of(link: PublicLink, secret_key: str) -> str:
    """A stored link's token, made again. Raises Problem 400.8 when SECRET_KEY is not the one it was made
    with (the token would open nothing)."""
    token = link_token(secret_key, link.salt)
    if _digest(token) != link.token_sha256:
        raise unexpected_value("SECRET_KEY", f"Link {link.id} was made with another SECRET_KEY (or DIXIAN_DATA_DIR): "
                                             "use the server's, or revoke the link and create a new one.")
    return token


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
    refused: dict[str, int]       # reports refused by the abuse controls, by reason (abuse.REFUSALS), all days
    state: str = "live"           # live | revoked | expired | quota (its reports used up)


def project_links(project_id: int, *, township: str | None = None) -> list[LinkRow]:
    """The project's links (of one township's villages, if given), by village then id. Raises Problem 404.1
    for an unknown project, 400.8 for a code that is no township."""
    require_project(project_id, archived=True)
    if township is not None:
        require_township(township)
    query = (select(PublicLink, Form.xml_form_id, AdminUnit.name)
             .join(Form, Form.id == PublicLink.form_id).join(AdminUnit, AdminUnit.code == PublicLink.village)
             .where(PublicLink.project_id == project_id).order_by(PublicLink.village, PublicLink.id))
    if township is not None:
        query = query.where(AdminUnit.parent_code == township)
    rows = db.session.execute(query).all()
    refused: dict[int, dict[str, int]] = {}
    for link_id, reason, count in db.session.execute(
            select(PublicLinkRefusal.link_id, PublicLinkRefusal.reason, func.sum(PublicLinkRefusal.count))
            .where(PublicLinkRefusal.link_id.in_([link.id for link, _, _ in rows]))
            .group_by(PublicLinkRefusal.link_id, PublicLinkRefusal.reason)):
        refused.setdefault(link_id, {})[reason] = int(count)
    today = date.today()
    return [LinkRow(link.id, form_id, link.village, name, link.expires_on, link.quota, link.reports,
                    link.revoked_at is not None, refused.get(link.id, {}), _closed(link, today) or "live")
            for link, form_id, name in rows]


@dataclass(frozen=True)
class Revoked:
    revoked: list[int]            # now
    already: list[int]            # before
    unknown: list[int]            # no link of the project


def revoke_links(project_id: int, link_ids: list[int], *, actor_id: int | None = None) -> Revoked:
    """Revoke the project's links among `link_ids`. Raises Problem 404.1 for an unknown project."""
    require_project(project_id, archived=True)
    now = datetime.now(timezone.utc)
    found = set(db.session.scalars(select(PublicLink.id).where(
        PublicLink.project_id == project_id, PublicLink.id.in_(link_ids))))
    revoked = db.session.execute(update(PublicLink).where(
        PublicLink.project_id == project_id, PublicLink.id.in_(link_ids), PublicLink.revoked_at.is_(None)
    ).values(revoked_at=now, revoked_by=actor_id).returning(PublicLink.id, PublicLink.village)).all()
    for link_id, village in revoked:
        events.record(Kind.PUBLIC_LINK_REVOKE, actor_id=actor_id, project_id=project_id, place=village,
                      subject=str(link_id))
    db.session.commit()
    now_revoked = sorted(link_id for link_id, _ in revoked)
    return Revoked(now_revoked, sorted(found - set(now_revoked)), sorted(set(link_ids) - found))


def find_link(token: str) -> PublicLink:
    """The link a token stands for, whatever its state. Raises Problem 404.1 for a token that opens no link
    (malformed or unknown: one answer)."""
    if len(token) != TOKEN_CHARACTERS or not set(token) <= set(TOKEN_ALPHABET):
        raise not_found("There is no such link.")
    link = db.session.scalar(select(PublicLink).where(PublicLink.token_sha256 == _digest(token)))
    if link is None:
        raise not_found("There is no such link.")
    return link


def open_link(token: str) -> PublicLink:
    """The live link a token opens.

    Raises Problem 404.1 for a token that opens no link (malformed or unknown: one answer), or one of an
    archived project (as its devices stop); 410.90 for a revoked or expired link, one whose quota of reports
    is used up, or one whose form is closed.
    """
    link = find_link(token)
    if db.session.scalar(select(Project.archived).where(Project.id == link.project_id)):
        raise not_found("There is no such link.")
    reason = _closed(link, date.today()) or ("closed" if link.form.state == "closed" else None)
    if reason is not None:
        raise link_gone(reason, _GONE[reason])
    return link


_GONE = {"revoked": "This link has been withdrawn.", "expired": "This link has expired.",
         "quota": "This link has taken all the reports it may.", "closed": "The form takes no reports now."}


def live_links(project_id: int, *, township: str, secret_key: str, public_url: str) -> list[IssuedLink]:
    """The links of a township's villages that still open, with their tokens made again, by village: what
    posters print. Raises Problem 404.1 for an unknown project, 400.8 for a code that is no township or a
    link made with another SECRET_KEY."""
    require_project(project_id)
    require_township(township)
    query = (select(PublicLink).join(AdminUnit, AdminUnit.code == PublicLink.village)
             .where(PublicLink.project_id == project_id, AdminUnit.parent_code == township)
             .order_by(PublicLink.village, PublicLink.id))
    links = _live(query)
    names = dict(db.session.execute(select(AdminUnit.code, AdminUnit.name).where(
        AdminUnit.code.in_([link.village for link in links]))).all())
    issued = []
    for link in links:
        token = _token_of(link, secret_key)
        issued.append(IssuedLink(link.id, link.village, names[link.village], token, _url(public_url, token)))
    return issued


# What a link lets anyone do: read its form (and the form's files) and send reports, in its village only.
LINK_PERMISSIONS = frozenset({Permission.FORM_READ, Permission.SUBMISSION_CREATE})


def link_access(link: PublicLink) -> Access:
    """The access of whoever holds the link: its actor, in its project, reading its form and submitting,
    with its village as the only place (pick-lists hold that village and nothing of its households)."""
    principal = Principal(link.actor_id, "public_link", f"public link {link.id}", project_id=link.project_id,
                          villages=(link.village,))
    return Access(principal, link.project_id, LINK_PERMISSIONS, places=(link.village,))


def count_link_report(link: PublicLink) -> None:
    """One more report under the link, in the caller's transaction. Raises Problem 410.90 when its quota
    was used up meanwhile (two reports racing for the last one: the row's lock lets one through)."""
    counted = db.session.execute(update(PublicLink).where(
        PublicLink.id == link.id, (PublicLink.quota.is_(None)) | (PublicLink.reports < PublicLink.quota)
    ).values(reports=PublicLink.reports + 1).returning(PublicLink.id)).first()
    if counted is None:
        raise link_gone("quota", _GONE["quota"])


def village_name(link: PublicLink) -> str:
    """The name of the link's village (its code if the village list lacks it)."""
    return db.session.scalar(select(AdminUnit.name).where(AdminUnit.code == link.village)) or link.village
