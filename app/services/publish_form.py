"""Publishing a form: compile, validate, store a new version (or recognise an unchanged one)."""
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from ..core.xform import XFormDefinition, XFormInvalid, read_xform
from ..extensions import db
from ..models import Blob, Form, FormAttachment, FormVersion, Project
from ..models.form import FORM_STATES
from ..problems import Problem, bad_request, not_found
from .blobstore import BlobStore, digest
from .form_compiler import FormRejected, compile_form


@dataclass
class PublishResult:
    form: Form
    version: FormVersion
    created: bool                      # False when this exact XForm was already published
    warnings: list[str] = field(default_factory=list)


def publish_form(project_id: int, file_name: str, data: bytes, *, media: dict[str, bytes] | None = None,
                 blobs: BlobStore, actor_id: int | None = None) -> PublishResult:
    """Publish an XLSForm or XForm with its media files; one transaction."""
    if db.session.get(Project, project_id) is None:
        raise not_found(f"There is no project {project_id}.")
    try:
        compiled = compile_form(file_name, data)
        definition = read_xform(compiled.xml)
    except (FormRejected, XFormInvalid) as e:
        raise Problem(400.15, f"The form could not be published. {e}") from None
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

    if existing is not None:
        if existing.sha256 != xml_digest.sha256:
            raise Problem(409.6, (
                f"Form '{definition.form_id}' version '{definition.version}' is already published with "
                f"different content. Change the version (settings sheet, 'version' column) and publish again."))
        warnings += _attach_media(existing, definition, media, blobs, previous=None)
        db.session.commit()
        return PublishResult(form, existing, created=False, warnings=warnings)

    previous = form.current_version
    version = FormVersion(
        form_id=form.id, version=definition.version, title=definition.title or definition.form_id,
        xml=compiled.xml, md5=xml_digest.md5, sha256=xml_digest.sha256,
        source=compiled.source, source_name=file_name if compiled.source else None,
        schema=definition.schema(), warnings=warnings, published_by=actor_id,
    )
    db.session.add(version)
    db.session.flush()
    warnings += _attach_media(version, definition, media, blobs, previous=previous)
    version.warnings = warnings
    form.current_version_id = version.id
    form.updated_at = datetime.now(timezone.utc)
    db.session.commit()
    return PublishResult(form, version, created=True, warnings=warnings)


def _attach_media(version: FormVersion, definition: XFormDefinition, media: dict[str, bytes],
                  blobs: BlobStore, previous: FormVersion | None) -> list[str]:
    """Link the files the form references; carry forward ones the previous version had."""
    warnings = []
    carried = {a.name: a.blob_sha256 for a in previous.attachments} if previous else {}
    current = {a.name: a for a in version.attachments}
    for name, kind in sorted(definition.media.items()):
        sha = None
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
        raise bad_request(f"Unknown form state '{state}'; use one of {', '.join(FORM_STATES)}.")
    form = db.session.scalar(select(Form).where(Form.project_id == project_id, Form.xml_form_id == xml_form_id))
    if form is None:
        raise not_found(f"There is no form '{xml_form_id}' in project {project_id}.")
    form.state = state
    form.updated_at = datetime.now(timezone.utc)
    db.session.commit()
    return form
