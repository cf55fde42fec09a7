"""A form's public links as ODK Central's API has them (/projects/{id}/forms/{xmlFormId}/public-links,
central-backend lib/resources/public-links.js), on Dixian's village-bound links (links.py).

Central's link is an actor: its id is the actor's, and that id deletes it. So is Dixian's (PublicLink.actor_id,
the submitter of the reports sent under it). What Dixian adds: each link opens for one village (`village`,
required when creating one, as a 12-digit code), may expire (`expiresOn`) and take at most `quota` reports;
one village has at most one live link to a form. Central's `once` (one submission per browser, Enketo's
single mode) has no counterpart: a resident's page takes reports until the link closes.
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ...core.access import Access
from ...extensions import db
from ...models import Actor, AdminUnit, PublicLink
from ...problems import insufficient_rights, missing_parameter, not_found, unexpected_value, uniqueness_violation
from .. import column_limits as limits
from ..forms.catalog import project_form
from . import links


@dataclass(frozen=True)
class FormLink:
    """A link as the API shows it; `token` and `url` are None when the link was made under another SECRET_KEY
    (its token cannot be made again)."""
    actor_id: int
    display_name: str
    created_at: datetime
    deleted_at: datetime | None
    token: str | None
    url: str | None
    village: str
    village_name: str
    expires_on: date | None
    quota: int | None
    reports: int
    state: str                      # live | expired | quota (its reports used up)
    once: bool = False


def _shown(link: PublicLink, actor: Actor, village_name: str, secret_key: str, public_url: str) -> FormLink:
    token = links.remade_token(link, secret_key)      # None under another SECRET_KEY: the list still answers
    url = links.link_url(public_url, token) if token else None
    return FormLink(actor.id, actor.display_name, link.created_at, link.revoked_at, token, url, link.village,
                    village_name, link.expires_on, link.quota, link.reports, links.link_state(link))


def form_links(access: Access, xml_form_id: str, *, secret_key: str, public_url: str) -> list[FormLink]:
    """GET …/public-links: the form's links that are not revoked (Central lists no deleted link), newest
    first, within the caller's places. Raises Problem 404.1 for an unknown form."""
    form = project_form(access.project_id, xml_form_id)
    rows = db.session.execute(
        select(PublicLink, Actor, AdminUnit.name).join(Actor, Actor.id == PublicLink.actor_id)
        .join(AdminUnit, AdminUnit.code == PublicLink.village)
        .where(PublicLink.form_id == form.id, PublicLink.revoked_at.is_(None))
        .order_by(PublicLink.created_at.desc(), PublicLink.id.desc())).all()
    return [_shown(link, actor, name, secret_key, public_url) for link, actor, name in rows
            if access.covers(link.village)]


def create_form_link(access: Access, xml_form_id: str, *, village, display_name=None, once=False,
                     expires_on: date | None = None, quota: int | None = None, secret_key: str,
                     public_url: str) -> FormLink:
    """POST …/public-links: a new link for one village, with its token.

    Raises Problem 404.1 for an unknown form, 400.2 without a village, 400.8 for a form that takes no public
    links, a code that is no village, `once`, a quota below 1, a past expiry or a displayName holding a control
    character, 400.13 for a displayName
    too long, 403.1 for a village outside the caller's places, 409.3 when the village has a live link to the
    form already (delete it to make a new one).
    """
    form = project_form(access.project_id, xml_form_id)
    if village is None or (isinstance(village, str) and not village.strip()):
        raise missing_parameter("village", "A public link opens for one village: give \"village\", its 12-digit code.")
    if not isinstance(village, str):
        raise unexpected_value("village", "The village is a 12-digit code, as a string.")
    if once:
        raise unexpected_value("once", "Dixian's links take reports until they expire or their quota is used; "
                                       "they have no once-per-browser mode.")
    if display_name is not None and not isinstance(display_name, str):
        raise unexpected_value("displayName", "The displayName is a string.")
    name = limits.DEVICE_ACCOUNT_NAME.clean(display_name.strip()) if display_name else None
    if name and limits.has_control_characters(name):
        # As a device account's: the name is the submitter's in every export, and a CSV export's lines pass
        # through COPY with U+0001 as their quote (services/submissions/exports.py).
        raise unexpected_value("displayName", "A link's name cannot hold control characters (line breaks, tabs, "
                                              "escapes).")
    code = limits.PLACE_CODE.clean(village.strip())
    if not access.covers(code):
        raise insufficient_rights("You may make links only for villages within your places.")
    issued = links.create_links(access.project_id, form.xml_form_id, [code], expires_on=expires_on, quota=quota,
                                actor_id=access.principal.actor_id, display_name=name, secret_key=secret_key,
                                public_url=public_url)[0]
    if issued.existing:
        raise uniqueness_violation(f"The village {code} has a live link to '{form.xml_form_id}' already (id "
                                   f"{_actor_of(issued.id)}); delete it to make a new one.")
    link = db.session.get(PublicLink, issued.id)
    return _shown(link, db.session.get(Actor, link.actor_id), issued.village_name, secret_key, public_url)


def _actor_of(link_id: int) -> int:
    return db.session.scalar(select(PublicLink.actor_id).where(PublicLink.id == link_id))


def revoke_form_link(access: Access, xml_form_id: str, actor_id: int) -> None:
    """DELETE …/public-links/{id}: the link stops opening at once (links.revoke_links). Raises Problem 404.1
    for an unknown form, or an id that is no live link of the form within the caller's places."""
    form = project_form(access.project_id, xml_form_id)
    link = db.session.scalar(select(PublicLink).where(PublicLink.form_id == form.id, PublicLink.actor_id == actor_id,
                                                      PublicLink.revoked_at.is_(None)))
    if link is None or not access.covers(link.village):
        raise not_found(f"There is no public link {actor_id} of the form '{form.xml_form_id}'.")
    links.revoke_links(access.project_id, [link.id], actor_id=access.principal.actor_id)
