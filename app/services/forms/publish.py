"""Publishing a form: compile, validate, store a new version (or recognise an unchanged one)."""
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from ... import events
from ...core.tokens import new_token
from ...core.xform import XFormDefinition, XFormInvalid, read_xform
from ...events import Kind
from ...extensions import db
from ...models import Actor, Blob, Form, FormAttachment, FormVersion, Submission
from ...models.form import FORM_STATES
from ...problems import not_found, unexpected_value, version_uniqueness_violation, xlsform_not_valid
from ...storage.blobstore import BlobStore, digest
from .. import column_limits as limits
from ..accounts.projects import require_project
from .compile import FormRejected, compile_form
from .pick_lists import GENERATED


@dataclass
class PublishResult:
    form: Form
    version: FormVersion
    created: bool                      # False when this exact XForm was already published
    warnings: list[str] = field(default_factory=list)


def publish_form(project_id: int, file_name: str, data: bytes, *, media: dict[str, bytes] | None = None,
                 blobs: BlobStore, actor_id: int | None = None, draft: bool = False) -> PublishResult:
    """Publish an XLSForm or XForm with its media files, or make it the form's draft; one transaction.

    Publishing the exact XForm that is the current draft publishes that draft.
    """
    require_project(project_id, archived=True)
    try:
        compiled = compile_form(file_name, data)
        definition = read_xform(compiled.xml)
    except (FormRejected, XFormInvalid) as e:
        raise xlsform_not_valid(f"The form could not be published. {e}") from None
    definition = _fitted(definition)
    if compiled.source is not None:
        limits.FORM_FILE_NAME.clean(file_name)
    media = dict(media or {})
    if compiled.itemsets_csv is not None:
        media.setdefault("itemsets.csv", compiled.itemsets_csv)
    warnings = compiled.warnings + definition.warnings

    form = db.session.scalar(select(Form).where(
        Form.project_id == project_id, Form.xml_form_id == definition.form_id).with_for_update())
    if form is None:
        form = Form(project_id=project_id, xml_form_id=definition.form_id, state="open", created_by=actor_id)
        db.session.add(form)
        db.session.flush()
    existing = db.session.scalar(select(FormVersion).where(
        FormVersion.form_id == form.id, FormVersion.version == definition.version))
    xml_digest = digest(compiled.xml)

    if existing is not None and existing.published_at is None and existing.sha256 != xml_digest.sha256:
        _discard_draft(form)            # a draft may be replaced freely: only testers have seen it
        existing = None
    if existing is not None:
        if existing.sha256 != xml_digest.sha256 or (draft and existing.published_at is not None):
            raise version_uniqueness_violation((
                f"Form '{definition.form_id}' version '{definition.version}' is already published"
                f"{' with different content' if existing.sha256 != xml_digest.sha256 else ''}. "
                "Change the version (settings sheet, 'version' column) and publish again."))
        warnings += _attach_media(existing, definition, media, blobs, previous=None)
        created = False
        if existing.published_at is None and not draft:
            _promote_draft(form)
            created = True
            _record_publication(form, existing, Kind.FORM_PUBLISH)
        db.session.commit()
        return PublishResult(form, existing, created=created, warnings=warnings)

    if draft and form.draft_version_id is not None:
        _discard_draft(form)
    previous = form.current_version
    version = FormVersion(
        form_id=form.id, version=definition.version, title=definition.title or definition.form_id,
        xml=compiled.xml, md5=xml_digest.md5, sha256=xml_digest.sha256,
        source=compiled.source, source_name=file_name if compiled.source else None,
        schema=definition.schema(), warnings=warnings, published_by=actor_id,
        published_at=None if draft else datetime.now(timezone.utc),
    )
    db.session.add(version)
    db.session.flush()
    warnings += _attach_media(version, definition, media, blobs, previous=previous)
    version.warnings = warnings
    if draft:
        _open_draft(form, version)
    else:
        form.current_version_id = version.id
    form.updated_at = datetime.now(timezone.utc)
    _record_publication(form, version, Kind.FORM_DRAFT if draft else Kind.FORM_PUBLISH)
    db.session.commit()
    return PublishResult(form, version, created=True, warnings=warnings)


def _record_publication(form: Form, version: FormVersion, kind: Kind) -> None:
    db.session.flush()
    events.record(kind, project_id=form.project_id, subject=form.xml_form_id, payload={"version": version.version})


def _fitted(definition: XFormDefinition) -> XFormDefinition:
    """The definition with its form ID in NFC, once its strings are known to fit their columns.

    Problem 400.13 (column_limits) for one that does not. The XForm's bytes are served as published;
    only the id the server compares is normalised.
    """
    for name in definition.media:
        limits.MEDIA_FILE_NAME.clean(name)
    limits.FORM_VERSION.clean(definition.version)
    limits.FORM_TITLE.clean(definition.title or definition.form_id)
    return replace(definition, form_id=limits.XML_FORM_ID.clean(definition.form_id))


def publish_draft(project_id: int, xml_form_id: str) -> Form:
    """Make the form's draft its current version; the test submissions are deleted."""
    xml_form_id = limits.XML_FORM_ID.clean(xml_form_id)
    form = db.session.scalar(select(Form).where(
        Form.project_id == project_id, Form.xml_form_id == xml_form_id).with_for_update())
    if form is None or form.draft_version_id is None:
        raise not_found(f"The form '{xml_form_id}' has no draft in project {project_id}.")
    version = form.draft_version
    _promote_draft(form)
    _record_publication(form, version, Kind.FORM_PUBLISH)
    db.session.commit()
    return form


def _open_draft(form: Form, version: FormVersion) -> None:
    form.draft_version_id = version.id
    if form.draft_token is None:
        form.draft_token = new_token()
        # Written by the server, so cut to fit rather than refused: a form ID may take all 300 characters.
        name = f"{form.xml_form_id} draft tester"[:limits.DEVICE_ACCOUNT_NAME.limit]
        tester = Actor(kind="draft_tester", display_name=name)
        db.session.add(tester)
        db.session.flush()
        form.draft_actor_id = tester.id


def _promote_draft(form: Form) -> None:
    version = form.draft_version
    version.published_at = datetime.now(timezone.utc)
    form.current_version_id = version.id
    _delete_draft_submissions(form)
    _close_draft(form)


def _discard_draft(form: Form) -> None:
    version = form.draft_version
    _delete_draft_submissions(form)
    form.draft_version_id = None
    db.session.flush()
    if version is not None and version.published_at is None:
        db.session.delete(version)
        db.session.flush()


def _close_draft(form: Form) -> None:
    form.draft_version_id = None
    form.draft_token = None
    form.updated_at = datetime.now(timezone.utc)


def _delete_draft_submissions(form: Form) -> None:
    db.session.execute(delete(Submission).where(Submission.form_id == form.id, Submission.is_draft.is_(True)))


def _attach_media(version: FormVersion, definition: XFormDefinition, media: dict[str, bytes],
                  blobs: BlobStore, previous: FormVersion | None) -> list[str]:
    """Link the files the form references; carry forward ones the previous version had."""
    warnings = []
    carried = {a.name: a.blob_sha256 for a in previous.attachments} if previous else {}
    current = {a.name: a for a in version.attachments}
    for name, kind in sorted(definition.media.items()):
        sha = None
        if name in GENERATED and name not in media:
            # Written per device from places and the registry (generated_media), never uploaded.
            if name not in current:
                version.attachments.append(FormAttachment(name=name, kind="generated", blob_sha256=None))
            continue
        if name in media:
            sha = store_blob(media[name], blobs)
        elif name in current:
            sha = current[name].blob_sha256
        else:
            sha = carried.get(name)
        if name in current:
            current[name].blob_sha256 = sha
        else:
            version.attachments.append(FormAttachment(name=name, kind=kind, blob_sha256=sha))
        if sha is None:
            warnings.append(f"The form refers to '{name}', which was not supplied; Collect will not get it.")
    for name in sorted(set(media) - set(definition.media)):
        warnings.append(f"'{name}' was supplied but the form does not refer to it; it was ignored.")
    return warnings


def store_blob(data: bytes, blobs: BlobStore, content_type: str | None = None) -> str:
    """Write the bytes to the blob store and record them; returns the SHA-256."""
    stored = blobs.put(data)
    db.session.execute(insert(Blob).values(
        sha256=stored.sha256, md5=stored.md5, size=stored.size, content_type=content_type,
    ).on_conflict_do_nothing())
    return stored.sha256


def set_form_state(project_id: int, xml_form_id: str, state: str) -> Form:
    if state not in FORM_STATES:
        raise unexpected_value("state", f"Unknown form state '{state}'; use one of {', '.join(FORM_STATES)}.")
    xml_form_id = limits.XML_FORM_ID.clean(xml_form_id)
    form = db.session.scalar(select(Form).where(Form.project_id == project_id, Form.xml_form_id == xml_form_id))
    if form is None:
        raise not_found(f"There is no form '{xml_form_id}' in project {project_id}.")
    form.state = state
    form.updated_at = datetime.now(timezone.utc)
    events.record(Kind.FORM_STATE, project_id=project_id, subject=xml_form_id, payload={"state": state})
    db.session.commit()
    return form
