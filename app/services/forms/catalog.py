"""Reading published forms for the doors: what to list, serve and attach."""
import hashlib
from dataclasses import dataclass

from sqlalchemy import exists, select, true

from ... import events
from ...core.access import DEVICE, Access, Principal
from ...core.rules import RESIDENTS_FORMS
from ...events import Kind
from ...extensions import db
from ...models import Actor, AppUser, Blob, Form, FormAssignment, FormAttachment, FormVersion
from ...problems import failed_draft_access, insufficient_rights, not_found
from .. import column_limits as limits
from . import pick_lists as generated_media


@dataclass(frozen=True)
class ListedForm:
    xml_form_id: str
    title: str
    version: str
    md5: str
    has_media: bool


@dataclass(frozen=True)
class MediaEntry:
    name: str
    md5: str
    size: int
    content_type: str | None
    blob_sha256: str | None = None    # stored files
    data: bytes | None = None         # files written for this device (generated_media)


def available_to(principal: Principal):
    """SQL condition: the form is for this principal. A device gets the forms assigned to it, and those
    assigned to nobody except residents' forms (core.rules.RESIDENTS_FORMS, opened from public links),
    which a cadre's phone gets only when an administrator assigns them to it."""
    if principal.kind != "app_user":
        return true()
    assigned = select(FormAssignment.form_id).where(FormAssignment.form_id == Form.id)
    return exists(assigned.where(FormAssignment.actor_id == principal.actor_id)) | (
        ~exists(assigned) & Form.xml_form_id.not_in(RESIDENTS_FORMS))


def open_forms(project_id: int, principal: Principal, xml_form_id: str | None = None) -> list[ListedForm]:
    """Forms Collect may download: published and open (closing and closed ones are not listed)."""
    has_media = exists().where(FormAttachment.form_version_id == FormVersion.id,
                               FormAttachment.blob_sha256.is_not(None) | (FormAttachment.kind == "generated"))
    query = (select(Form.xml_form_id, FormVersion.title, FormVersion.version, FormVersion.md5,
                    has_media.label("has_media"))
             .join(FormVersion, FormVersion.id == Form.current_version_id)
             .where(Form.project_id == project_id, Form.state == "open", available_to(principal))
             .order_by(Form.xml_form_id))
    if xml_form_id is not None:
        query = query.where(Form.xml_form_id == limits.nfc(xml_form_id))
    return [ListedForm(*row) for row in db.session.execute(query)]


@dataclass(frozen=True)
class FormListing:
    """A form and its current (published) version, None before the first publication."""
    form: Form
    version: FormVersion | None


def form_listings(project_id: int, principal: Principal) -> list[FormListing]:
    """The project's forms this principal may see (a device: those for every device, and its own), by
    form id, with their current versions."""
    rows = db.session.execute(
        select(Form, FormVersion).outerjoin(FormVersion, FormVersion.id == Form.current_version_id)
        .where(Form.project_id == project_id, available_to(principal)).order_by(Form.xml_form_id))
    return [FormListing(r.Form, r.FormVersion) for r in rows]


def current_version(project_id: int, xml_form_id: str, principal: Principal) -> FormVersion:
    """The version Collect downloads; closed forms are off limits to devices."""
    row = db.session.execute(
        select(Form.state, FormVersion, available_to(principal).label("available"))
        .join(FormVersion, FormVersion.id == Form.current_version_id)
        .where(Form.project_id == project_id, Form.xml_form_id == xml_form_id)).first()
    if row is None:
        raise not_found(f"There is no form '{xml_form_id}' in project {project_id}.")
    if principal.kind == "app_user" and (row.state == "closed" or not row.available):
        raise insufficient_rights(f"The form '{xml_form_id}' is closed or not assigned to this device.")
    return row.FormVersion


def draft_under_test(project_id: int, xml_form_id: str, token: str) -> tuple[Access, FormVersion]:
    """The draft a test code opens, and the tester's access through it (a device's: list, read and
    submit that form); raises Problem 404.4 when there is none."""
    form = db.session.scalar(select(Form).where(
        Form.project_id == project_id, Form.xml_form_id == xml_form_id, Form.draft_token == token,
        Form.draft_version_id.is_not(None)))
    if form is None:
        raise failed_draft_access()
    tester = Principal(form.draft_actor_id, "draft_tester", f"{xml_form_id} draft tester", project_id=project_id)
    return Access(tester, project_id, DEVICE), form.draft_version


def media(version: FormVersion, access: Access) -> list[MediaEntry]:
    """The attachments the manifest lists: stored files that exist, and files written for this caller
    (pick-lists of the caller's places)."""
    rows = db.session.execute(
        select(FormAttachment.name, FormAttachment.kind, Blob.md5, Blob.sha256, Blob.content_type, Blob.size)
        .outerjoin(Blob, Blob.sha256 == FormAttachment.blob_sha256)
        .where(FormAttachment.form_version_id == version.id,
               FormAttachment.blob_sha256.is_not(None) | (FormAttachment.kind == "generated"))
        .order_by(FormAttachment.name))
    entries = []
    for name, kind, md5, sha256, content_type, size in rows:
        if kind == "generated":
            data = generated_media.render(name, access)
            entries.append(MediaEntry(name, hashlib.md5(data).hexdigest(), len(data), "text/csv", data=data))
        else:
            entries.append(MediaEntry(name, md5, size, content_type, blob_sha256=sha256))
    return entries


def media_file(version: FormVersion, access: Access, name: str) -> MediaEntry:
    for entry in media(version, access):
        if entry.name == name:
            return entry
    raise not_found(f"The form has no attachment named '{name}'.")


def project_form(project_id: int, xml_form_id: str) -> Form:
    """The project's form of that id. Raises Problem 404.1 for none, 400.13 for an id no form can have."""
    xml_form_id = limits.XML_FORM_ID.clean(xml_form_id)
    form = db.session.scalar(select(Form).where(Form.project_id == project_id, Form.xml_form_id == xml_form_id))
    if form is None:
        raise not_found(f"There is no form '{xml_form_id}' in project {project_id}.")
    return form


def assign_form(project_id: int, xml_form_id: str, app_user_ids: list[int], *, assigned: bool = True,
                by: int | None = None, keep_others: bool = False) -> None:
    """Give a form to chosen devices (or take it back); a form nobody is assigned goes to all devices.
    `keep_others`: a first assignment also keeps the form with every live device that has it, for callers
    that mean "give it to these too" (Central's API, where a form goes to no device unassigned); `form assign`
    means "to these only". `by`: the actor who did it (None: the command line)."""
    form = project_form(project_id, xml_form_id)
    if keep_others and assigned and form.xml_form_id not in RESIDENTS_FORMS and not db.session.scalar(
            select(exists().where(FormAssignment.form_id == form.id))):
        # A form assigned to nobody goes to every device: its first assignment would take it from all the
        # others, and what their phones still hold to send would be refused (pyodk's create_app_users(forms=)
        # assigns a form to the new devices only). The devices that have the form keep it; taking the
        # assignment away takes it from one explicitly.
        live = db.session.scalars(select(AppUser.actor_id).join(Actor, Actor.id == AppUser.actor_id)
                                  .where(AppUser.project_id == project_id, AppUser.token_sha256.is_not(None),
                                         Actor.deleted_at.is_(None))).all()
        app_user_ids = list(dict.fromkeys([*live, *app_user_ids]))
    for actor_id in app_user_ids:
        if assigned:
            db.session.merge(FormAssignment(form_id=form.id, actor_id=actor_id))
        else:
            db.session.query(FormAssignment).filter_by(form_id=form.id, actor_id=actor_id).delete()
    events.record(Kind.FORM_ASSIGN, actor_id=by, project_id=project_id, subject=form.xml_form_id,
                  payload={"devices": app_user_ids, "assigned": assigned})
    db.session.commit()
