"""Taking in one OpenRosa submission POST: all of it is stored, or none of it.

The rules are ODK Central's: a byte-identical resend adds attachments and is
not a new record (Collect splits big submissions across POSTs and retries after
timeouts); the same instanceID with other XML is a conflict; an instance with a
deprecatedID is a new version of the submission it edits.
"""
import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ... import events
from ...core.access import Access, Permission
from ...core.instance import Envelope, SubmissionInvalid, SubmissionTooLarge, read_answers, read_envelope
from ...core.rules import Flag
from ...core.rules.consistency import outside_places_rule
from ...events import Kind
from ...extensions import db
from ...models import (
    FormVersion,
    Submission,
    SubmissionAssessment,
    SubmissionAttachment,
)
from ...problems import (
    deprecated_id_not_found,
    deprecating_old_submission,
    expected_deprecation,
    form_version_not_found,
    insufficient_rights,
    not_accepting_submissions,
    not_found,
    too_large,
    unexpected_value,
    uniqueness_violation,
    unparseable,
    xml_conflict,
)
from ...queries.assessment import INSERT_VERSION_AND_EVENT
from ...queries.submissions import (
    ATTACHMENT_COUNTS,
    DRAFT_FORM_AND_INSTANCE,
    EDITED_VERSION,
    FORM_AND_INSTANCE,
    FORM_INSTANCE_AND_CONTEXT,
    INSERT_ATTACHMENTS,
    INSERT_GEO,
    INSERT_SUBMISSION,
    NEXT_VERSION_ID,
    RECORD_EDITED,
    SUBMISSION,
)
from ...storage.blobstore import BlobStore
from ..column_limits import DEPRECATED_ID, DEVICE_ID, SUBMITTED_INSTANCE_ID
from ..coverage.campaign_households import rebuild_households
from ..forms.publish import store_blob
from ..monitoring.assess import (
    assess_submission,
    first_point,
    new_household_code,
    store_assessment,
    subject_of,
    version_row,
)
from .late_files import complete_files, safe_attachment_name


@dataclass(frozen=True)
class IngestResult:
    outcome: str              # created | edited | resent
    submission_id: int
    instance_id: str
    attachments_expected: int
    attachments_present: int


@dataclass(frozen=True)
class Upload:
    """One POST as the door received it."""
    xml: bytes
    files: dict[str, bytes]   # attachment name -> bytes
    device_id: str | None
    user_agent: str | None


@dataclass(frozen=True)
class RestRules:
    """Central's REST submission rules, where they differ from OpenRosa's (central-backend
    lib/resources/submissions.js restSubmission): an instanceID the form has already is 409.3 whatever the
    XML (Central's unique index answers it), never a resend; a POST creates, so carries no deprecatedID; a
    PUT edits the current version of the submission its URL names (`edit_of`, that submission's row id) and
    must carry a deprecatedID naming it (400.19 without one, 409.9 naming another)."""
    edit_of: int | None = None


# Called with (submission id, received at, the typed answers) in the ingest's transaction, before it commits,
# when a POST creates a submission: what the caller stores with it (a self-report's lead) is stored with it
# or not at all. A Problem it raises refuses the submission.
OnCreated = Callable[[int, datetime, dict], None]


def ingest_submission(access: Access, upload: Upload, *, blobs: BlobStore, max_xml_bytes: int,
                      max_xml_nodes: int | None = None, xml_form_id: str | None = None, draft: bool = False,
                      assess: bool = True, village: str | None = None,
                      on_created: OnCreated | None = None, rest: RestRules | None = None) -> IngestResult:
    """Store one submission POST from the caller of `access`; raises Problem for anything the client
    must hear about.

    A monitoring submission about a village outside the caller's places gets a data-quality flag. An
    edit (a deprecatedID) needs submission.update, as in ODK Central, and finds only a submission in
    the caller's places (404.5 otherwise); a test submission to a draft edits only test submissions.

    With draft=True (a test submission to xml_form_id's draft) it is stored as a draft submission.
    The XML may hold at most `max_xml_bytes` bytes and `max_xml_nodes` elements and attributes
    (413.1 beyond either); unreadable XML is 400.2, an identifier longer than its column 400.13.

    With `village` (a public link's) the submission is of that village whatever it names: its typed answers
    hold the village (the XML is kept as sent), and a different one sent gets a data-quality flag.

    With `rest`, Central's REST rules apply instead of OpenRosa's where they differ (RestRules).
    """
    try:
        envelope = read_envelope(upload.xml, max_bytes=max_xml_bytes, max_nodes=max_xml_nodes)
    except SubmissionTooLarge as e:
        raise too_large(f"The submission is too large to read. {e}") from None
    except SubmissionInvalid as e:
        raise unparseable("submission", str(e)) from None
    _check_identifiers(envelope, upload)
    if xml_form_id is not None and envelope.form_id != unicodedata.normalize("NFC", xml_form_id):
        raise unexpected_value("xmlFormId", f"The submission is for form '{envelope.form_id}', not '{xml_form_id}'.")
    if rest is not None:
        _check_rest(envelope, rest)
    if envelope.deprecated_id and not access.can(Permission.SUBMISSION_REVIEW):
        raise insufficient_rights("Editing a submission needs the right to update submissions (a project manager's).")
    files = {safe_attachment_name(name): data for name, data in upload.files.items()}
    for attempt in (1, 2):
        try:
            return _ingest(access, upload, envelope, files, blobs, draft, assess, village, on_created, rest)
        except IntegrityError:
            # Two POSTs of the same instance raced; the second attempt sees the first one's row.
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _check_identifiers(envelope: Envelope, upload: Upload) -> None:
    """Problem 400.13 for an identifier longer than its column, 400.8 for one holding NUL (which
    PostgreSQL text cannot hold), before any SQL: never a 500 that Collect would retry forever."""
    for field, value in ((SUBMITTED_INSTANCE_ID, envelope.instance_id), (DEPRECATED_ID, envelope.deprecated_id),
                         (DEVICE_ID, upload.device_id)):
        if value is not None:
            field.clean(value)
    if upload.user_agent is not None and "\0" in upload.user_agent:
        raise unexpected_value("User-Agent", "The User-Agent contains a NUL character.")


def _check_rest(envelope: Envelope, rest: RestRules) -> None:
    """Problem 400.8 for a deprecatedID sent to the REST POST (Central's would ignore it and create a second
    submission holding an edit's XML), 400.19 for a REST PUT without one."""
    if rest.edit_of is None and envelope.deprecated_id:
        raise unexpected_value("deprecatedID", "A POST creates a submission; to edit one, PUT its new version to "
                                               ".../submissions/{instanceId}.")
    if rest.edit_of is not None and not envelope.deprecated_id:
        raise expected_deprecation()


def _ingest(access: Access, upload: Upload, envelope: Envelope, files: dict[str, bytes], blobs: BlobStore,
            draft: bool, assess: bool, village: str | None, on_created: OnCreated | None,
            rest: RestRules | None) -> IngestResult:
    project_id, principal = access.project_id, access.principal
    # Once a published version has been seen its schema is known, so the answers can be read first
    # and the assessment's context fetched with the form.
    known_version = None if draft else _PUBLISHED.get((project_id, envelope.form_id, envelope.version))
    answers = subject = None
    sent_village = _SAME
    if known_version is not None:
        answers, subject, sent_village = _read(envelope, known_version, assess, envelope.instance_id, village)
    form = _form_and_instance(project_id, envelope, draft, principal.actor_id, subject)
    if form.assigned_elsewhere and principal.kind == "app_user":
        raise insufficient_rights(f"The form '{envelope.form_id}' is not assigned to this device.")
    if form.state == "closed" and not draft:
        raise not_accepting_submissions(envelope.form_id)
    form_id, form_version_id = form.id, form.version_id
    xml_sha256 = hashlib.sha256(upload.xml).hexdigest()
    # Core statements on the session's connection: the ORM's per-statement bookkeeping is most
    # of the CPU an ingest would otherwise spend, and nothing here needs identity tracking.
    conn = db.session.connection()

    if form.existing_version_id is not None:
        if rest is not None:
            raise uniqueness_violation(f"A submission already exists with the instanceID {envelope.instance_id}; "
                                       "send new data under a new instanceID.")
        if form.existing_is_draft != draft or form.existing_sha256 != xml_sha256:
            # Tests and real submissions share the instanceIDs of a form; neither may touch the other.
            raise xml_conflict(envelope.instance_id)
        # A resend completes what the first POST lacked, never replaces a file that arrived; and only its
        # sender, or someone whose places hold it, may complete it (an identical XML is easily copied).
        may_complete = form.existing_submitter_id == principal.actor_id or access.covers(form.existing_admin_code)
        if may_complete:
            complete_files(access, form.existing_version_id, files, blobs, xml_form_id=envelope.form_id,
                           instance_id=envelope.instance_id, place=form.existing_admin_code)
        db.session.commit()
        return _result("resent", form.existing_submission_id, envelope.instance_id, form.existing_version_id)

    now = datetime.now(timezone.utc)
    edit = (_prepare_edit(form_id, envelope, access, draft, rest.edit_of if rest else None)
            if envelope.deprecated_id else None)
    # What the submission is about is read with the instanceID it was first sent with (an edit's own
    # would name another new household).
    origin = edit.origin_instance_id if edit else envelope.instance_id
    context = form if subject is not None else None
    if known_version != form_version_id:
        answers, subject, sent_village = _read(envelope, form_version_id, assess, origin, village)
        context = None
        if not draft:
            _remember_published(project_id, envelope, form_version_id)
    elif edit and subject is not None and subject.new_household:
        # Read before the edit was known: only the new household's code changes, and its context with it.
        subject, context = replace(subject, household_code=new_household_code(origin)), None
    assessment = None
    if subject is not None:
        assessment = assess_submission(conn, project_id, subject, context, writes_registry=not draft,
                                       places=access.places)
        assessment.flags += outside_places_rule(assessment.admin_code, access.places)
        assessment.flags += _village_sent_rule(sent_village, village)
    place = {"admin_code": assessment.admin_code, "household_id": assessment.household_id} if assessment else {}
    if village is not None and not assessment:
        place = {"admin_code": village, "household_id": None}      # a public link's, with the rules off
    # The current version's survey date, as its assessment read it (none without one: an edit made while the
    # rules are off has no assessment, and keeps no date of the version it replaced).
    place["surveyed_on"] = assessment.surveyed_on if assessment else None
    if edit:
        submission_id, replaced_version_id, carried = edit.submission_id, edit.replaced_version_id, edit.carried
        version_id = conn.execute(NEXT_VERSION_ID).scalar_one()
        conn.execute(RECORD_EDITED, {"submission_id": submission_id, "actor_id": principal.actor_id, "now": now})
        conn.execute(update(SUBMISSION).where(SUBMISSION.c.id == submission_id).values(
            current_version_id=version_id, updated_at=now, review_state="edited", **place))
        outcome = "edited"
    else:
        submission_id, version_id = conn.execute(INSERT_SUBMISSION, dict(
            project_id=project_id, form_id=form_id, instance_id=envelope.instance_id,
            submitter_id=principal.actor_id, created_at=now, is_draft=draft,
            **({"admin_code": None, "household_id": None} | place))).one()
        carried = {}
        outcome = "created"
        if on_created is not None:
            on_created(submission_id, now, answers.data)

    version = dict(
        id=version_id, submission_id=submission_id, form_id=form_id, form_version_id=form_version_id,
        instance_id=envelope.instance_id, deprecated_id=envelope.deprecated_id,
        instance_name=envelope.instance_name, xml=upload.xml, xml_sha256=xml_sha256,
        answers=answers.data, problems=answers.problems, encrypted=envelope.encrypted,
        submitter_id=principal.actor_id, device_id=upload.device_id or None,
        user_agent=upload.user_agent, received_at=now,
    )
    # The change's event goes in with the version (one statement): the audit trail and the job queue.
    event = events.params(Kind.SUBMISSION_EDIT if outcome == "edited" else Kind.SUBMISSION_CREATE,
                          actor_id=principal.actor_id, project_id=project_id,
                          place=assessment.admin_code if assessment else None, subject=envelope.instance_id,
                          payload={"xmlFormId": envelope.form_id, "submissionId": submission_id, "draft": draft,
                                   # an edit may move the submission: readers of the place it left see that too
                                   **({"replacedPlace": edit.replaced_place} if edit else {})})
    if assessment:
        replaced = set()
        if outcome == "edited":
            # Assessments are kept for current versions only, keyed by the version.
            replaced = set(conn.execute(delete(SubmissionAssessment).where(
                SubmissionAssessment.submission_version_id == replaced_version_id
            ).returning(SubmissionAssessment.household_id)).scalars())
        # The version, its numbers and its flags in one statement.
        store_assessment(conn, assessment, project_id=project_id, xml_form_id=envelope.form_id,
                         submission_id=submission_id, version_id=version_id, now=now, is_draft=draft,
                         version=version, event=event)
        if outcome == "edited":
            # The edit may have left a campaign's window or its household: what is latest is found again.
            rebuild_households(conn, project_id, (replaced | {assessment.household_id}) - {None})
    else:
        conn.execute(INSERT_VERSION_AND_EVENT, version_row(version) | event)

    expected = list(dict.fromkeys(safe_attachment_name(n) for n in answers.files))
    if expected:
        rows = []
        for name in expected:
            sha = store_blob(files[name], blobs) if name in files else carried.get(name)
            rows.append({"submission_version_id": version_id, "name": name, "blob_sha256": sha})
        conn.execute(INSERT_ATTACHMENTS, rows)
    if answers.geo:
        conn.execute(INSERT_GEO, [{
            "submission_version_id": version_id, "form_id": form_id, "field_path": g.path,
            "repeat_positions": g.positions, "kind": g.kind, "raw": g.raw,
            "geom": f"SRID=4326;{g.value.geometry.wkt}" if g.value.geometry is not None else None,
            "altitude": g.value.altitude, "accuracy": g.value.accuracy, "problem": g.value.problem,
        } for g in answers.geo])
    db.session.commit()
    present = sum(1 for n in expected if n in files or carried.get(n))
    return IngestResult(outcome, submission_id, envelope.instance_id, len(expected), present)


# The answer that names the village of a residents' form (forms/fpf_self_report.md): a public link sets it.
VILLAGE_FIELD = "village_code"
_SAME = object()


def _read(envelope: Envelope, form_version_id: int, assess: bool, origin_instance_id: str, village: str | None):
    """The typed answers, what they are about if the form is a monitoring form to assess, and the village
    the client sent when it is not `village` (a public link's, which the answers then name; _SAME when it is
    or there is no link), so that a recompute finds the link's village too."""
    answers = read_answers(envelope.root, _schema(form_version_id), encrypted=envelope.encrypted)
    sent = _SAME
    if village is not None:
        sent = answers.data.get(VILLAGE_FIELD)
        answers.data[VILLAGE_FIELD] = village
        sent = _SAME if sent == village else sent
    subject = subject_of(envelope.form_id, answers.data, first_point(answers.geo), origin_instance_id)
    return answers, subject if assess else None, sent


def _village_sent_rule(sent, village: str | None) -> list[Flag]:
    """A data-quality flag when the client sent a village other than the public link's (or none)."""
    if village is None or sent is _SAME:
        return []
    sent_text = "" if sent is None else str(sent)[:40]
    return [Flag("R22", "link_village_mismatch", "data",
                 f"申报所填村代码“{sent_text or '空'}”与二维码所属村不一致,已按二维码所属村登记",
                 f"The report named village '{sent_text}', not its QR code's; it is recorded under the QR code's",
                 inputs={"village_sent": sent_text, "village": village})]


def _form_and_instance(project_id: int, envelope: Envelope, draft: bool, actor_id: int, subject=None):
    """The form, the version the instance names, and any version already stored under its instanceID;
    with a subject, also the assessment's context (CONTEXT's columns)."""
    statement = DRAFT_FORM_AND_INSTANCE if draft else FORM_INSTANCE_AND_CONTEXT if subject else FORM_AND_INSTANCE
    row = db.session.connection().execute(statement, {
        "project_id": project_id, "xml_form_id": envelope.form_id, "version": envelope.version,
        "instance_id": envelope.instance_id, "actor_id": actor_id,
        **(subject.context_params() if subject else {}),
    }).first()
    if row is None:
        raise not_found(f"There is no form '{envelope.form_id}' in this project.")
    if row.version_id is None:
        raise form_version_not_found(envelope.form_id, envelope.version)
    return row


# (project, xmlFormId, version) -> form version id, for published versions, which never change.
_PUBLISHED: dict[tuple[int, str, str], int] = {}


def _remember_published(project_id: int, envelope: Envelope, form_version_id: int) -> None:
    if len(_PUBLISHED) > 4096:     # bounded; a forgotten version is simply looked up again
        _PUBLISHED.clear()
    _PUBLISHED[(project_id, envelope.form_id, envelope.version)] = form_version_id


@lru_cache(maxsize=256)
def _schema(form_version_id: int) -> dict:
    # Published versions never change, so their schema can be kept per process.
    return db.session.execute(select(FormVersion.schema).where(FormVersion.id == form_version_id)).scalar_one()


@dataclass(frozen=True)
class _Edit:
    submission_id: int
    replaced_version_id: int
    origin_instance_id: str           # the instanceID the submission was first sent with
    replaced_place: str | None        # the village of the version it replaces
    carried: dict[str, str]           # attachment name -> blob, carried forward from the replaced version


def _prepare_edit(form_id: int, envelope: Envelope, access: Access, draft: bool, edit_of: int | None) -> _Edit:
    """The submission an edit belongs to (locked), the version it replaces, and the attachments it
    carries forward. Raises Problem 404.5 for an edit of a submission that is not there for this
    caller (none, one outside their places, or a test's edit of a real one), 409.9 for a stale one;
    with `edit_of` (a REST PUT's submission), 409.9 also for a deprecatedID that is not one of its
    versions, as Central compares it with the current version of the submission the URL names."""
    prior = db.session.execute(EDITED_VERSION, {"form_id": form_id, "deprecated_id": envelope.deprecated_id}).first()
    if edit_of is not None and (prior is None or prior.submission_id != edit_of):
        raise deprecating_old_submission(envelope.deprecated_id)
    if prior is None or prior.is_draft != draft or not access.covers(prior.admin_code):
        raise deprecated_id_not_found(envelope.deprecated_id)
    current = db.session.execute(
        select(Submission.current_version_id).where(Submission.id == prior.submission_id).with_for_update()
    ).scalar_one()
    if current != prior.id:
        raise deprecating_old_submission(envelope.deprecated_id)
    carried = dict(db.session.execute(
        select(SubmissionAttachment.name, SubmissionAttachment.blob_sha256)
        .where(SubmissionAttachment.submission_version_id == prior.id,
               SubmissionAttachment.blob_sha256.is_not(None))
    ).all())
    return _Edit(prior.submission_id, prior.id, prior.origin_instance_id, prior.admin_code, carried)


def _result(outcome: str, submission_id: int, instance_id: str, version_id: int) -> IngestResult:
    counts = db.session.execute(ATTACHMENT_COUNTS, {"version_id": version_id}).one()
    return IngestResult(outcome, submission_id, instance_id, counts[0], counts[1])
