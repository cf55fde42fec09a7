"""Submissions as ODK Central's REST API describes them: the Submission (one, or a form's list), its
versions, and the XML of each, for pyodk and Central's other clients.

Shapes are Central's (central-backend lib/model/frames/submission.js, lib/model/query/submissions.js):
a Submission's deviceId and userAgent are those it was first sent with, its `currentVersion` the latest
version's own; with extended metadata (X-Extended-Metadata: true) each also names its submitter, and a
version its form version. Versions are listed newest first, as Central orders them (by id, descending).

Every read is cut to the caller's places by the scoping the review list and review use
(listing.conditions, current.find_submission): one outside them is 404.1, as one that does not exist.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ...core.access import Access
from ...extensions import db
from ...models import Actor, Form, FormVersion, Submission, SubmissionVersion
from ...problems import not_found
from .current import find_submission
from .listing import SubmissionFilter, conditions

# Central's actor types by Dixian's actor kind: an app user is Central's field key.
ACTOR_TYPES = {"user": "user", "app_user": "field_key", "public_link": "public_link"}


@dataclass(frozen=True)
class Submitter:
    """Central's Actor, as extended metadata embeds it."""
    id: int
    type: str
    display_name: str
    created_at: datetime
    deleted_at: datetime | None
    updated_at: None = None          # Dixian keeps no change time for actors; Central's key is there, null


@dataclass(frozen=True)
class VersionSummary:
    """Central's Submission.Def: one version of a submission."""
    instance_id: str
    instance_name: str | None
    submitter_id: int
    device_id: str | None
    user_agent: str | None
    created_at: datetime
    current: bool
    form_version: str | None         # extended metadata only
    submitter: Submitter | None      # extended metadata only


@dataclass(frozen=True)
class SubmissionSummary:
    """Central's Submission."""
    instance_id: str
    submitter_id: int
    device_id: str | None
    user_agent: str | None
    instance_name: str | None        # the current version's (pyodk's model reads it; Central's older servers sent it)
    review_state: str | None
    created_at: datetime
    updated_at: datetime | None
    deleted_at: datetime | None
    current_version: VersionSummary
    submitter: Submitter | None      # extended metadata only


_CURRENT = aliased(SubmissionVersion, name="current_version")
_FIRST = aliased(SubmissionVersion, name="first_version")
_SENDER = aliased(Actor, name="sender")
_EDITOR = aliased(Actor, name="editor")

_SUMMARY = (
    select(Submission, _CURRENT.instance_id.label("c_instance_id"), _CURRENT.instance_name, _CURRENT.submitter_id,
           _CURRENT.device_id, _CURRENT.user_agent, _CURRENT.received_at, _FIRST.device_id.label("first_device_id"),
           _FIRST.user_agent.label("first_user_agent"), _SENDER, _EDITOR)
    .join(Form, Form.id == Submission.form_id)
    .join(_CURRENT, _CURRENT.id == Submission.current_version_id)
    # The first version is the one sent under the submission's own instanceID (an edit brings a new one).
    .join(_FIRST, (_FIRST.form_id == Submission.form_id) & (_FIRST.instance_id == Submission.instance_id))
    .join(_SENDER, _SENDER.id == Submission.submitter_id)
    .join(_EDITOR, _EDITOR.id == _CURRENT.submitter_id)
)


def _submitter(actor: Actor) -> Submitter:
    return Submitter(actor.id, ACTOR_TYPES.get(actor.kind, actor.kind), actor.display_name, actor.created_at,
                     actor.deleted_at)


def _summary(row, extended: bool) -> SubmissionSummary:
    s = row.Submission
    current = VersionSummary(row.c_instance_id, row.instance_name, row.submitter_id, row.device_id, row.user_agent,
                             row.received_at, True, None, _submitter(row.editor) if extended else None)
    return SubmissionSummary(s.instance_id, s.submitter_id, row.first_device_id, row.first_user_agent,
                             row.instance_name, s.review_state, s.created_at, s.updated_at, s.deleted_at, current,
                             _submitter(row.sender) if extended else None)


def list_summaries(access: Access, xml_form_id: str, *, extended: bool = False, limit: int | None = None,
                   offset: int = 0) -> list[SubmissionSummary]:
    """GET .../forms/{xmlFormId}/submissions: the form's submissions in the caller's places, newest first
    (Central's order: created, then id, descending), `limit` of them after `offset` (Central's paging
    parameters). Raises Problem 404.1 for a form the project does not have."""
    if db.session.scalar(select(Form.id).where(Form.project_id == access.project_id,
                                               Form.xml_form_id == xml_form_id)) is None:
        raise not_found(f"There is no form '{xml_form_id}' in this project.")
    query = (_SUMMARY.where(*conditions(access, SubmissionFilter(xml_form_id=xml_form_id)))
             .order_by(Submission.created_at.desc(), Submission.id.desc()).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return [_summary(row, extended) for row in db.session.execute(query)]


def summary(access: Access, xml_form_id: str, instance_id: str, *, extended: bool = False) -> SubmissionSummary:
    """GET .../submissions/{instanceId}: one submission in the caller's places. Raises Problem 404.1 otherwise."""
    return summary_by_id(find_submission(access, xml_form_id, instance_id).id, extended=extended)


def summary_by_id(submission_id: int, *, extended: bool = False) -> SubmissionSummary:
    """A submission by its row id, whoever asks: what a create or an edit answers its own sender with (the
    sender may not read submissions back, and an edit may move one out of the editor's places)."""
    return _summary(db.session.execute(_SUMMARY.where(Submission.id == submission_id)).one(), extended)


def versions(access: Access, xml_form_id: str, instance_id: str, *, extended: bool = False) -> list[VersionSummary]:
    """GET .../submissions/{instanceId}/versions: every version of a submission in the caller's places, newest
    first (central-backend getDefsByFormAndLogicalId). Raises Problem 404.1 for one outside them."""
    submission = find_submission(access, xml_form_id, instance_id)
    return [_version(row, submission.current_version_id, extended)
            for row in db.session.execute(_VERSIONS.where(SubmissionVersion.submission_id == submission.id))]


def version(access: Access, xml_form_id: str, instance_id: str, version_id: str, *,
            extended: bool = False) -> VersionSummary:
    """GET .../submissions/{instanceId}/versions/{versionId}: one version (by its own instanceID) of a
    submission in the caller's places. Raises Problem 404.1 for a submission outside them or a version that
    is not its own."""
    submission = find_submission(access, xml_form_id, instance_id)
    return _version(_one_version(submission, version_id), submission.current_version_id, extended)


def current_xml(access: Access, xml_form_id: str, instance_id: str) -> bytes:
    """GET .../submissions/{instanceId}.xml: the current version's XML as it was sent. Raises Problem 404.1."""
    submission = find_submission(access, xml_form_id, instance_id)
    return db.session.scalar(select(SubmissionVersion.xml).where(SubmissionVersion.id == submission.current_version_id))


def version_xml(access: Access, xml_form_id: str, instance_id: str, version_id: str) -> bytes:
    """GET .../submissions/{instanceId}/versions/{versionId}.xml: that version's XML as it was sent. Raises
    Problem 404.1 as `version` does."""
    submission = find_submission(access, xml_form_id, instance_id)
    return db.session.scalar(select(SubmissionVersion.xml).where(
        SubmissionVersion.id == _one_version(submission, version_id).id))


# A version's metadata, without its XML and answers (which only the .xml routes need).
_VERSIONS = (
    select(SubmissionVersion.id, SubmissionVersion.instance_id, SubmissionVersion.instance_name,
           SubmissionVersion.submitter_id, SubmissionVersion.device_id, SubmissionVersion.user_agent,
           SubmissionVersion.received_at, FormVersion.version.label("form_version"), Actor)
    .join(FormVersion, FormVersion.id == SubmissionVersion.form_version_id)
    .join(Actor, Actor.id == SubmissionVersion.submitter_id)
    .order_by(SubmissionVersion.id.desc())
)


def _one_version(submission: Submission, version_id: str):
    # Central looks the version up in the whole form; here it must be this submission's, or a version of
    # another submission (in other places) could be read through one the caller may read.
    row = db.session.execute(_VERSIONS.where(SubmissionVersion.submission_id == submission.id,
                                             SubmissionVersion.instance_id == version_id)).first()
    if row is None:
        raise not_found(f"The submission {submission.instance_id} has no version {version_id}.")
    return row


def _version(row, current_version_id: int, extended: bool) -> VersionSummary:
    return VersionSummary(row.instance_id, row.instance_name, row.submitter_id, row.device_id, row.user_agent,
                          row.received_at, row.id == current_version_id, row.form_version if extended else None,
                          _submitter(row.Actor) if extended else None)
