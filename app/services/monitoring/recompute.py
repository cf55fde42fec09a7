"""Raising every flag again for a project, after a ruleset or the registry changed."""
from datetime import datetime, timezone

from sqlalchemy import delete, func, select

from ... import events
from ...core.rules.consistency import OUTSIDE_PLACES
from ...core.rules.flags import Flag
from ...events import Kind
from ...extensions import db
from ...models import Form, GeoAnswer, RiskFlag, Submission, SubmissionAssessment, SubmissionVersion
from ..coverage.campaign_households import rebuild_project
from ..registry.persons import forget_screening_persons, store_registry_persons
from .assess import MONITORING_FORMS, assess_submission, store_assessment, subject_of
from .rulesets import forget_cached

BATCH = 500
# Flags raised at ingest from who sent the submission, which a recompute keeps as they were.
SENDER_FLAGS = (OUTSIDE_PLACES,)


def recompute_flags(project_id: int) -> int:
    """Re-assess the current version of every monitoring submission; returns how many. One transaction."""
    forget_cached()
    conn = db.session.connection()
    # R22 person in two households: the registry's persons as it stands (each with the time it was first
    # listed: a screening is compared with those listed before it arrived); each screening's are written
    # again as it is assessed, in the order they arrived, so each finds those before it (the later is flagged).
    store_registry_persons(conn, project_id)
    forget_screening_persons(conn, project_id)
    rows = db.session.execute(
        select(Submission.id, Submission.is_draft, Submission.instance_id, SubmissionVersion.id.label("version_id"),
               Form.xml_form_id, SubmissionVersion.answers, SubmissionVersion.received_at)
        .join(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id)
        .join(Form, Form.id == Submission.form_id)
        .where(Submission.project_id == project_id, Form.xml_form_id.in_(MONITORING_FORMS),
               Submission.deleted_at.is_(None))
        .order_by(Submission.id)).yield_per(BATCH)
    now = datetime.now(timezone.utc)
    count = 0
    for row in rows:
        # The submission locked, and left to its edit if one has committed since the walk began: that edit's
        # ingest judged its own version, and this one's numbers would be written over it. An edit of one
        # judged here waits for this transaction (ingest locks the submission too).
        current = conn.execute(select(Submission.current_version_id).where(Submission.id == row.id)
                               .with_for_update()).scalar()
        if current != row.version_id:
            continue
        point = db.session.execute(
            select(func.ST_X(GeoAnswer.geom), func.ST_Y(GeoAnswer.geom))
            .where(GeoAnswer.submission_version_id == row.version_id, GeoAnswer.kind == "geopoint",
                   GeoAnswer.geom.is_not(None)).order_by(GeoAnswer.id).limit(1)).first()
        # Who sent a submission, and the places they covered then, are not the rules' to judge again.
        kept = [_as_flag(f) for f in conn.execute(delete(RiskFlag).where(
            RiskFlag.submission_version_id == row.version_id).returning(RiskFlag)) if f.code in SENDER_FLAGS]
        conn.execute(delete(SubmissionAssessment).where(SubmissionAssessment.submission_version_id == row.version_id))
        subject = subject_of(row.xml_form_id, row.answers, tuple(point) if point else None, row.instance_id)
        # The registry is not replayed: the rules are judged again against it as it stands.
        assessment = assess_submission(conn, project_id, subject, arrived=row.received_at)
        assessment.flags += kept
        store_assessment(conn, assessment, project_id=project_id, xml_form_id=row.xml_form_id,
                         submission_id=row.id, version_id=row.version_id, now=now, is_draft=row.is_draft)
        conn.execute(Submission.__table__.update().where(Submission.id == row.id).values(
            admin_code=assessment.admin_code, household_id=assessment.household_id,
            surveyed_on=assessment.surveyed_on))
        count += 1
    rebuild_project(conn, project_id)
    events.record(Kind.RULES_RECOMPUTE, project_id=project_id, payload={"submissions": count})
    db.session.commit()
    return count


def _as_flag(row) -> Flag:
    return Flag(row.rule, row.code, row.severity, row.explanation_zh, row.explanation_en, row.inputs or {},
                row.threshold or {})
