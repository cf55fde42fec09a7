"""Sending submissions through Central's REST API instead of OpenRosa: the XML alone (pyodk's
submissions.create and .edit, Web Forms), its files following one by one (late_files.attach).

Both go through the OpenRosa door's ingest (ingest.ingest_submission: the same size bounds, safe parsing,
identifiers, places, risk rules, edit history), under Central's REST rules where they differ (ingest.RestRules,
from central-backend lib/resources/submissions.js restSubmission): an instanceID the form has already is 409.3.
Each answers with the submission as Central describes it (resource.SubmissionSummary).
"""
from dataclasses import dataclass

from ...core.access import Access
from ...storage.blobstore import BlobStore
from .current import find_submission
from .ingest import RestRules, Upload, ingest_submission
from .resource import SubmissionSummary, summary_by_id


@dataclass(frozen=True)
class Bounds:
    """What one submission's XML may hold: bytes, and elements and attributes (the server's settings)."""
    max_xml_bytes: int
    max_xml_nodes: int


def create(access: Access, xml_form_id: str, upload: Upload, *, blobs: BlobStore, bounds: Bounds,
           assess: bool = True) -> SubmissionSummary:
    """POST .../forms/{xmlFormId}/submissions with the XML as body: a new submission, its files expected
    (none arrived yet). Returns it as Central's POST answers it, to its sender even one who may not read
    submissions (a device).

    Raises what ingest_submission raises, and: Problem 400.8 for XML of another form or with a
    deprecatedID (edits are PUT), 409.3 for an instanceID the form has already.
    """
    result = ingest_submission(access, upload, blobs=blobs, max_xml_bytes=bounds.max_xml_bytes,
                               max_xml_nodes=bounds.max_xml_nodes, xml_form_id=xml_form_id, assess=assess,
                               rest=RestRules())
    return summary_by_id(result.submission_id)


def edit(access: Access, xml_form_id: str, instance_id: str, upload: Upload, *, blobs: BlobStore,
         bounds: Bounds, assess: bool = True) -> SubmissionSummary:
    """PUT .../forms/{xmlFormId}/submissions/{instanceId} with the new version's XML, whose meta/deprecatedID
    names the current version's instanceID: a new version, through the edit path OpenRosa edits take (review
    state edited, history row, files of the same name carried forward, rules run again). Returns the
    submission, even when the edit moved it out of the editor's places.

    Raises Problem 404.1 for a submission outside the caller's places (before reading the XML), 400.8 for XML
    of another form, 400.19 without a deprecatedID, 409.9 for one that is not the current version's, 409.3
    for a new instanceID the form has already, and what ingest_submission raises.
    """
    submission = find_submission(access, xml_form_id, instance_id)
    result = ingest_submission(access, upload, blobs=blobs, max_xml_bytes=bounds.max_xml_bytes,
                               max_xml_nodes=bounds.max_xml_nodes, xml_form_id=xml_form_id, assess=assess,
                               rest=RestRules(edit_of=submission.id))
    return summary_by_id(result.submission_id)
