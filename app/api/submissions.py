"""Submissions: a form's list and one as Central describes them, its review state and comments (Central's),
its risk flags (Dixian's own resource, at Central's submission URL), its attachments (Central's: listed, and
each file); and reviewing many at once over a filter (Dixian's). Versions and XML: submission_versions.py;
sending through REST: submission_uploads.py."""
import mimetypes

from flask import current_app, jsonify, request, send_file
from marshmallow import ValidationError

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..problems import missing_parameters, unexpected_value
from ..services.registry import household_record
from ..services.submissions import attachments, resource, review
from ..services.submissions.listing import SubmissionFilter
from . import bp
from .query_options import extended_metadata, paging
from .schemas.flags import FlagSchema
from .schemas.submissions import BulkReviewSchema, CommentSchema, submission_schema

SUBMISSION = "/projects/<int:project_id>/forms/<xml_form_id>/submissions/<instance_id>"


def _json_object() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise unexpected_value("body", "The request body must be a JSON object.")
    return body


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/submissions")
@requires(Permission.SUBMISSION_READ)
def list_submissions(project_id: int, xml_form_id: str, access: Access):
    """Central's list (pyodk submissions.list): the form's submissions in the caller's places, newest first;
    ?limit= and ?offset= page it, X-Extended-Metadata: true adds the submitters."""
    limit, offset = paging()
    extended = extended_metadata()
    listed = resource.list_summaries(access, xml_form_id, extended=extended, limit=limit, offset=offset)
    return jsonify(submission_schema(extended, many=True).dump(listed))


@bp.get(SUBMISSION)
@requires(Permission.SUBMISSION_READ)
def get_submission(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    extended = extended_metadata()
    return jsonify(submission_schema(extended).dump(resource.summary(access, xml_form_id, instance_id,
                                                                     extended=extended)))


@bp.patch(SUBMISSION)
@requires(Permission.SUBMISSION_REVIEW)
def review_submission(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    state = _json_object().get("reviewState")
    return jsonify(submission_schema(False).dump(review.set_review_state(access, xml_form_id, instance_id, state)))


@bp.get(f"{SUBMISSION}/comments")
@requires(Permission.SUBMISSION_READ)
def list_comments(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    return jsonify(CommentSchema(many=True).dump(review.comments(access, xml_form_id, instance_id)))


@bp.post(f"{SUBMISSION}/comments")
@requires(Permission.SUBMISSION_REVIEW)
def add_comment(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    comment = review.add_comment(access, xml_form_id, instance_id, _json_object().get("body"))
    return jsonify(CommentSchema().dump(comment))


@bp.get("/projects/<int:project_id>/submissions/count")
@requires(Permission.SUBMISSION_READ)
def count_submissions(project_id: int, access: Access):
    """How many submissions a filter (the query string: form, campaign, place, from, to, reviewState, flag)
    chooses in the caller's places: what a bulk review confirms."""
    return jsonify({"count": review.count_matching(access, SubmissionFilter.from_args(request.args))})


@bp.post("/projects/<int:project_id>/submissions/review")
@requires(Permission.SUBMISSION_REVIEW)
def bulk_review(project_id: int, access: Access):
    """Set the review state of every submission the query string's filter chooses, if there are exactly
    `confirmed` of them: {"reviewState": "approved", "confirmed": 240} -> {"changed": n}."""
    chosen = SubmissionFilter.from_args(request.args)
    try:
        body = BulkReviewSchema().load(_json_object())
    except ValidationError as e:
        raise missing_parameters("reviewState and confirmed (a whole number) are required.",
                                 fields=e.messages) from None
    return jsonify({"changed": review.bulk_review(access, chosen, body["reviewState"], confirmed=body["confirmed"])})


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/submissions/<instance_id>/flags")
@requires(Permission.SUBMISSION_READ)
def get_submission_flags(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    return jsonify(FlagSchema(many=True).dump(household_record.submission_flags(access, xml_form_id, instance_id)))


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/submissions/<instance_id>/attachments")
@requires(Permission.SUBMISSION_READ)
def list_submission_attachments(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    listed = attachments.submission_attachments(access, xml_form_id, instance_id)
    return jsonify([{"name": a.name, "exists": a.exists} for a in listed])


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/submissions/<instance_id>/attachments/<name>")
@requires(Permission.SUBMISSION_READ)
def get_submission_attachment(project_id: int, xml_form_id: str, instance_id: str, name: str, access: Access):
    """The file as it arrived; with `?thumbnail=true` (Dixian's, not Central's) a small JPEG of a photo for the
    review page, made once and cached (415 when the file is no photo)."""
    blobs = current_app.extensions["blobstore"]
    if request.args.get("thumbnail", "").lower() in ("true", "1"):
        response = send_file(attachments.open_thumbnail(access, xml_form_id, instance_id, name, blobs),
                             mimetype="image/jpeg", max_age=0)
        response.headers["Cache-Control"] = "private, no-cache"          # a photo of a household, even small
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
    data = attachments.open_attachment(access, xml_form_id, instance_id, name, blobs)
    # A file comes from whoever sent the submission (a resident, under a public link): only a photo is shown
    # in the page; anything else is a download, never a page that runs in the console's origin, and nothing
    # it holds may run or fetch (the sandbox).
    guessed = mimetypes.guess_type(name)[0]
    inline = guessed in INLINE_TYPES
    response = send_file(data, mimetype=guessed if inline else "application/octet-stream", download_name=name,
                         as_attachment=not inline, max_age=0)
    # A photo of a household is personal data: private, and never kept by a cache.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


# Attachment types shown in the browser as they are; every other is sent as a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
