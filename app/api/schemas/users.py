"""Central's User."""
from marshmallow import Schema, fields


class UserSchema(Schema):
    id = fields.Int(attribute="actor_id")
    type = fields.Constant("user")
    email = fields.Str()
    displayName = fields.Str(attribute="actor.display_name")
    createdAt = fields.DateTime(attribute="actor.created_at")
