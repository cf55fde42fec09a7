"""Central's Form and form attachment listing."""
from marshmallow import Schema, fields


class FormSchema(Schema):
    """Central's Form, from a FormListing: every key present, even when null (pyodk's model requires them)."""
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


class FormAttachmentSchema(Schema):
    """Central's form attachment listing: what the form needs and whether it has it."""
    name = fields.Str()
    type = fields.Str(attribute="kind")
    hash = fields.Method("_hash", allow_none=True)
    exists = fields.Method("_exists")
    blobExists = fields.Method("_exists")
    datasetExists = fields.Constant(False)
    updatedAt = fields.Constant(None)

    def _hash(self, attachment):
        return attachment.blob.md5 if attachment.blob else None

    def _exists(self, attachment):
        # A generated pick-list (admin_units.csv, households.csv) is written for each device as it asks.
        return attachment.blob_sha256 is not None or attachment.kind == "generated"
