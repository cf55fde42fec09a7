"""Submissions and their comments as ODK Central's API writes them (pyodk's Submission and Comment models:
a key whose value is null is still there)."""
from marshmallow import Schema, fields


class SubmissionSchema(Schema):
    instanceId = fields.Str(attribute="instance_id")
    submitterId = fields.Int(attribute="submitter_id")
    deviceId = fields.Str(attribute="device_id", allow_none=True)
    userAgent = fields.Str(attribute="user_agent", allow_none=True)
    instanceName = fields.Str(attribute="instance_name", allow_none=True)
    reviewState = fields.Str(attribute="review_state", allow_none=True)
    createdAt = fields.DateTime(attribute="created_at")
    updatedAt = fields.DateTime(attribute="updated_at", allow_none=True)


class CommentSchema(Schema):
    body = fields.Str()
    actorId = fields.Int(attribute="actor_id", allow_none=True)
    createdAt = fields.DateTime(attribute="created_at")


class BulkReviewSchema(Schema):
    """POST /v1/projects/{id}/submissions/review (Dixian's): the filter is the query string."""
    reviewState = fields.Str(required=True)
    confirmed = fields.Int(required=True, strict=True)
