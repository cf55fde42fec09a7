"""One submission as a reviewer reads it: its answers labelled from its own form version, its photos, its
risk flags, its earlier versions with what each edit changed, its review history and comments.

Only a submission in the caller's places is found (404.1 otherwise). Personal answers (ID numbers,
phones) are masked unless the caller may read personal data; so are the values in version diffs.
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ...core.access import Access, Permission
from ...core.answer_view import Answer, RepeatTable, answer_items
from ...core.xform_labels import FormLabels, form_labels
from ...extensions import db
from ...models import (
    Actor,
    AdminUnit,
    FormVersion,
    Household,
    SubmissionAssessment,
    SubmissionAttachment,
    SubmissionComment,
    SubmissionReview,
    SubmissionVersion,
)
from ..registry.household_record import FlagView, submission_flags
from .current import find_submission


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class VersionEntry:
    instance_id: str
    received_at: datetime
    changes: list[Change]          # against the version before it (none for the first)


@dataclass(frozen=True)
class ReviewEntry:
    at: datetime
    actor: str | None
    from_state: str | None
    to_state: str
    bulk: bool


@dataclass(frozen=True)
class CommentEntry:
    at: datetime
    actor: str | None
    body: str


@dataclass(frozen=True)
class SubmissionView:
    id: int
    instance_id: str
    xml_form_id: str
    form_title: str
    village: str | None
    village_name: str | None
    household_code: str | None
    received_at: datetime
    surveyed_on: date | None
    review_state: str | None
    answers: list[Answer | RepeatTable]
    files: list[tuple[str, bool]]          # (name, arrived)
    flags: list[FlagView]
    versions: list[VersionEntry]           # oldest first
    reviews: list[ReviewEntry]
    comments: list[CommentEntry]


def submission_view(access: Access, xml_form_id: str, instance_id: str) -> SubmissionView:
    """The submission of `xml_form_id` first sent as `instance_id`, for the caller. Raises Problem 404.1."""
    submission = find_submission(access, xml_form_id, instance_id)
    show = access.can(Permission.PERSONAL_DATA_READ)
    versions = db.session.execute(
        select(SubmissionVersion.id, SubmissionVersion.instance_id, SubmissionVersion.received_at,
               SubmissionVersion.answers, FormVersion.xml, FormVersion.title)
        .join(FormVersion, FormVersion.id == SubmissionVersion.form_version_id)
        .where(SubmissionVersion.submission_id == submission.id).order_by(SubmissionVersion.id)).all()
    current = next(v for v in versions if v.id == submission.current_version_id)
    labels_of: dict[bytes, FormLabels] = {}

    def labels(xml: bytes) -> FormLabels:
        return labels_of.setdefault(xml, form_labels(xml))

    entries, before = [], None
    for version in versions:
        flat = _flat(answer_items(version.answers or {}, labels(version.xml), show_personal=show))
        changes = [] if before is None else [
            Change(label, before.get(label, ""), flat.get(label, ""))
            for label in dict.fromkeys([*before, *flat]) if before.get(label, "") != flat.get(label, "")]
        entries.append(VersionEntry(version.instance_id, version.received_at, changes))
        before = flat
    files = db.session.execute(select(SubmissionAttachment.name, SubmissionAttachment.blob_sha256)
                               .where(SubmissionAttachment.submission_version_id == current.id)
                               .order_by(SubmissionAttachment.name)).all()
    village_name = (db.session.scalar(select(AdminUnit.name).where(AdminUnit.code == submission.admin_code))
                    if submission.admin_code else None)
    household_code = (db.session.scalar(select(Household.household_code)
                                        .where(Household.id == submission.household_id))
                      if submission.household_id else None)
    surveyed_on = db.session.scalar(select(SubmissionAssessment.surveyed_on).where(
        SubmissionAssessment.submission_version_id == current.id))
    names = _actor_names(submission.id)
    reviews = [ReviewEntry(r.created_at, names.get(r.actor_id), r.from_state, r.to_state, r.bulk)
               for r in db.session.scalars(select(SubmissionReview).where(
                   SubmissionReview.submission_id == submission.id).order_by(SubmissionReview.id))]
    comments = [CommentEntry(c.created_at, names.get(c.actor_id), c.body)
                for c in db.session.scalars(select(SubmissionComment).where(
                    SubmissionComment.submission_id == submission.id).order_by(SubmissionComment.id))]
    return SubmissionView(
        submission.id, submission.instance_id, xml_form_id, current.title or xml_form_id, submission.admin_code,
        village_name, household_code, submission.created_at, surveyed_on, submission.review_state,
        answer_items(current.answers or {}, labels(current.xml), show_personal=show),
        [(f.name, f.blob_sha256 is not None) for f in files],
        submission_flags(access, xml_form_id, instance_id), entries, reviews, comments)


def _flat(items: list[Answer | RepeatTable]) -> dict[str, str]:
    """label -> text, repeat cells as 'repeat label n · column label', for comparing versions."""
    flat = {}
    for item in items:
        if isinstance(item, Answer):
            flat[item.label] = item.value
        else:
            for n, row in enumerate(item.rows, 1):
                for column, value in zip(item.columns, row):
                    flat[f"{item.label} {n} · {column}"] = value
    return flat


def _actor_names(submission_id: int) -> dict[int, str]:
    """The names of who reviewed or commented on the submission."""
    ids = set(db.session.scalars(select(SubmissionReview.actor_id)
                                 .where(SubmissionReview.submission_id == submission_id)))
    ids |= set(db.session.scalars(select(SubmissionComment.actor_id).where(
        SubmissionComment.submission_id == submission_id)))
    ids.discard(None)
    return dict(db.session.execute(select(Actor.id, Actor.display_name).where(Actor.id.in_(ids))).all()) if ids else {}

