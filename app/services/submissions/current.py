"""Finding a submission a caller may read, by the id Central gives it (its first instanceID): the submission
itself, or its current version."""
from sqlalchemy import select

from ...core.access import Access
from ...extensions import db
from ...models import Form, Submission
from ...problems import not_found
from ...queries.places import submission_within


def readable_current_version(access: Access, xml_form_id: str, instance_id: str) -> int:
    """The current version of a submission (its id is the first instanceID, as in Central) made in the
    caller's places. Raises Problem 404.1 otherwise, as for one that does not exist."""
    current = db.session.scalar(
        select(Submission.current_version_id).join(Form, Form.id == Submission.form_id)
        .where(Form.project_id == access.project_id, Form.xml_form_id == xml_form_id,
               Submission.instance_id == instance_id, Submission.deleted_at.is_(None),
               submission_within(access.places)))
    if current is None:
        raise not_found(f"There is no submission {instance_id} of form '{xml_form_id}'.")
    return current


def find_submission(access: Access, xml_form_id: str, instance_id: str, *, lock: bool = False) -> Submission:
    """A live, non-test submission of the form in the caller's places, by its first instanceID (optionally
    locked for update). Raises Problem 404.1 otherwise, as for one that does not exist."""
    query = (select(Submission).join(Form, Form.id == Submission.form_id)
             .where(Form.project_id == access.project_id, Form.xml_form_id == xml_form_id,
                    Submission.instance_id == instance_id, Submission.is_draft.is_(False),
                    Submission.deleted_at.is_(None), submission_within(access.places)))
    submission = db.session.scalar(query.with_for_update(of=Submission) if lock else query)
    if submission is None:
        raise not_found(f"There is no submission {instance_id} of form '{xml_form_id}'.")
    return submission
