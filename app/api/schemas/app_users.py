"""Central's app users and the actors a role is assigned to (services.accounts.app_users.DeviceAccount)."""
from marshmallow import EXCLUDE, Schema, fields


class ActorSchema(Schema):
    """Central's Actor (lib/model/frames.js): what GET …/assignments/{roleId} lists."""
    id = fields.Int(attribute="actor_id")
    type = fields.Constant("field_key")
    displayName = fields.Str(attribute="display_name")
    createdAt = fields.DateTime(attribute="created_at")
    updatedAt = fields.Constant(None)
    deletedAt = fields.DateTime(attribute="deleted_at", allow_none=True)


class AppUserSchema(ActorSchema):
    """Central's app user (a field key): pyodk's ProjectAppUser needs every key, null or not."""
    projectId = fields.Int(attribute="project_id")
    token = fields.Str(allow_none=True)


class AppUserRequestSchema(Schema):
    """POST /projects/{id}/app-users: Central reads displayName and ignores the rest."""
    class Meta:
        unknown = EXCLUDE

    displayName = fields.Str(required=True)
