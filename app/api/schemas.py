"""JSON shapes of the API, with ODK Central's field names (pyodk reads them)."""
from marshmallow import Schema, fields, post_load

from ..services.column_limits import EMAIL


class ProjectSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    description = fields.Str(allow_none=True)
    archived = fields.Bool()
    createdAt = fields.DateTime(attribute="created_at")
    updatedAt = fields.DateTime(attribute="updated_at", allow_none=True)


class FormSchema(Schema):
    """Central's Form: every key present, even when null (pyodk's model requires them)."""
    projectId = fields.Int(attribute="form.project_id")
    xmlFormId = fields.Str(attribute="form.xml_form_id")
    name = fields.Str(attribute="version.title", allow_none=True)
    version = fields.Str(attribute="version.version", allow_none=True)
    hash = fields.Str(attribute="version.md5", allow_none=True)
    state = fields.Str(attribute="form.state")
    enketoId = fields.Constant(None)
    keyId = fields.Constant(None)
    createdAt = fields.DateTime(attribute="form.created_at")
    updatedAt = fields.DateTime(attribute="form.updated_at", allow_none=True)
    publishedAt = fields.DateTime(attribute="version.published_at", allow_none=True)


class SessionSchema(Schema):
    token = fields.Str()
    csrf = fields.Str()
    createdAt = fields.DateTime(attribute="created_at")
    expiresAt = fields.DateTime(attribute="expires_at")


class SessionRequestSchema(Schema):
    email = fields.Str(required=True)
    password = fields.Str(required=True)

    @post_load
    def _email_fits(self, data: dict, **kwargs) -> dict:
        # Problem 400.8/400.13 before any lookup: a NUL would reach PostgreSQL as a 500.
        data["email"] = EMAIL.clean(data["email"].strip().lower())
        return data


class UserSchema(Schema):
    id = fields.Int(attribute="actor_id")
    type = fields.Constant("user")
    email = fields.Str()
    displayName = fields.Str(attribute="actor.display_name")
    createdAt = fields.DateTime(attribute="actor.created_at")


class FormAttachmentSchema(Schema):
    """Central's form attachment listing: what the form needs and whether it has it."""
    name = fields.Str()
    type = fields.Method("_type")
    hash = fields.Method("_hash", allow_none=True)
    exists = fields.Method("_exists")
    blobExists = fields.Method("_exists")
    datasetExists = fields.Constant(False)
    updatedAt = fields.Constant(None)

    def _type(self, attachment):
        return attachment.kind

    def _hash(self, attachment):
        return attachment.blob.md5 if attachment.blob else None

    def _exists(self, attachment):
        return attachment.blob_sha256 is not None
