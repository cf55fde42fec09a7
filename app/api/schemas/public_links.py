"""Central's public links (services.self_report.form_links.FormLink), with Dixian's village, expiry and quota."""
from marshmallow import EXCLUDE, Schema, fields


class PublicLinkSchema(Schema):
    """Central's keys (an Actor's, once and token), then Dixian's own: the village it opens for, the resident's
    page (url), its expiry and quota, the reports it took and whether it still opens (state)."""
    id = fields.Int(attribute="actor_id")
    type = fields.Constant("public_link")
    displayName = fields.Str(attribute="display_name")
    once = fields.Bool()
    token = fields.Str(allow_none=True)
    createdAt = fields.DateTime(attribute="created_at")
    updatedAt = fields.Constant(None)
    deletedAt = fields.DateTime(attribute="deleted_at", allow_none=True)
    village = fields.Str()
    villageName = fields.Str(attribute="village_name")
    url = fields.Str(allow_none=True)
    expiresOn = fields.Date(attribute="expires_on", allow_none=True)
    quota = fields.Int(allow_none=True)
    reports = fields.Int()
    state = fields.Str()


class PublicLinkRequestSchema(Schema):
    """POST …/public-links: Central's displayName and once, and Dixian's village (required), expiresOn, quota."""
    class Meta:
        unknown = EXCLUDE

    displayName = fields.Str(allow_none=True, load_default=None)
    once = fields.Bool(allow_none=True, load_default=False)
    village = fields.Raw(allow_none=True, load_default=None)          # checked by the service, which names it
    expiresOn = fields.Date(allow_none=True, load_default=None)
    quota = fields.Int(strict=True, allow_none=True, load_default=None)
