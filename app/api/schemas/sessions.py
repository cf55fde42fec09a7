"""Central's Session, and the body of POST /v1/sessions."""
from marshmallow import Schema, fields, post_load

from ...services.column_limits import EMAIL


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
