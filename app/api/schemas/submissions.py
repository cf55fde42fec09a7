"""Submissions, their versions and comments as ODK Central's API writes them (pyodk's Submission and Comment
models: a key whose value is null is still there). Shapes from central-backend lib/model/frames/submission.js
(Submission, Submission.Def) and lib/model/frames.js (Actor)."""
from marshmallow import Schema, fields


class SubmitterSchema(Schema):
    """Central's Actor, as extended metadata embeds it (resource.Submitter)."""
    id = fields.Int()
    type = fields.Str()
    displayName = fields.Str(attribute="display_name")
    createdAt = fields.DateTime(attribute="created_at")
    updatedAt = fields.DateTime(attribute="updated_at", allow_none=True)
    deletedAt = fields.DateTime(attribute="deleted_at", allow_none=True)


class VersionSchema(Schema):
    """Central's Submission.Def: a version (resource.VersionSummary); `submitter` and `formVersion` are
    extended metadata (EXTENDED_VERSION)."""
    instanceId = fields.Str(attribute="instance_id")
    instanceName = fields.Str(attribute="instance_name", allow_none=True)
    submitterId = fields.Int(attribute="submitter_id")
    deviceId = fields.Str(attribute="device_id", allow_none=True)
    userAgent = fields.Str(attribute="user_agent", allow_none=True)
    createdAt = fields.DateTime(attribute="created_at")
    current = fields.Bool()
    formVersion = fields.Str(attribute="form_version", allow_none=True)
    submitter = fields.Nested(SubmitterSchema, allow_none=True)


class SubmissionSchema(Schema):
    """Central's Submission (resource.SubmissionSummary); `submitter` and the current version's submitter are
    extended metadata (EXTENDED_SUBMISSION)."""
    instanceId = fields.Str(attribute="instance_id")
    submitterId = fields.Int(attribute="submitter_id")
    deviceId = fields.Str(attribute="device_id", allow_none=True)
    userAgent = fields.Str(attribute="user_agent", allow_none=True)
    instanceName = fields.Str(attribute="instance_name", allow_none=True)
    reviewState = fields.Str(attribute="review_state", allow_none=True)
    createdAt = fields.DateTime(attribute="created_at")
    updatedAt = fields.DateTime(attribute="updated_at", allow_none=True)
    deletedAt = fields.DateTime(attribute="deleted_at", allow_none=True)
    currentVersion = fields.Nested(VersionSchema, attribute="current_version", exclude=("formVersion",))
    submitter = fields.Nested(SubmitterSchema, allow_none=True)


# What a schema leaves out without extended metadata (Central sends these only for X-Extended-Metadata: true).
EXTENDED_SUBMISSION = ("submitter", "currentVersion.submitter")
EXTENDED_VERSION = ("submitter", "formVersion")


def submission_schema(extended: bool, *, many: bool = False) -> SubmissionSchema:
    return SubmissionSchema(many=many, exclude=() if extended else EXTENDED_SUBMISSION)


def version_schema(extended: bool, *, many: bool = False) -> VersionSchema:
    return VersionSchema(many=many, exclude=() if extended else EXTENDED_VERSION)


class CommentSchema(Schema):
    body = fields.Str()
    actorId = fields.Int(attribute="actor_id", allow_none=True)
    createdAt = fields.DateTime(attribute="created_at")


class BulkReviewSchema(Schema):
    """POST /v1/projects/{id}/submissions/review (Dixian's): the filter is the query string."""
    reviewState = fields.Str(required=True)
    confirmed = fields.Int(required=True, strict=True)
