"""Taking in a resident's self-report under a public link: the abuse controls first, then the OpenRosa
ingest (the same rules as a cadre's phone), with the link's village and the report's lead stored in the
same transaction as the submission.

Order matters: the report is counted against the rate limits before anything else (a flood is refused
however well it fills the form), the proof of work is asked of an address that had already passed the
threshold before this report, and the attachments are looked at before any of them is stored. A refusal
stores nothing of the report and is counted per link and reason (abuse.count_refusal).
"""
from dataclasses import dataclass
from datetime import datetime

from ...extensions import db
from ...problems import Problem, report_refused
from ...storage.blobstore import BlobStore
from ..submissions.ingest import Upload, ingest_submission
from . import abuse, challenge, leads, links

# What the resident reads for each refusal (the page shows it; the problem carries the English).
_REFUSED = {
    "address_minute": (429, "Too many reports from this address in a minute; wait a minute and send again."),
    "address_day": (429, "Too many reports from this address today; send again tomorrow or call the hotline."),
    "link_minute": (429, "This village's link takes many reports at the moment; wait a minute and send again."),
    "link_day": (429, "This village's link has taken all the reports it may today; send again tomorrow."),
    "honeypot": (400, "The report was filled in by a program, not a person."),
    "no_stamp": (400, "The form was not opened from this server, or is too old; open the link again."),
    "too_fast": (400, "The report was sent too quickly after the form opened; read it through and send again."),
    "stamp_used": (400, "A report was sent from this page already; open the link again for another."),
    "cross_site": (403, "The report was sent from another site's page, not this server's."),
    "attachment_count": (400, "The report carries more photos than the form takes."),
    "challenge": (400, "The check that a person is sending did not pass; wait for it to finish and send again."),
    "attachment_size": (413, "The photos are too large together; send fewer or smaller photos."),
    "attachment_type": (400, "An attachment is not a photo (JPEG, PNG or WebP)."),
    "attachment_pixels": (413, "A photo has more pixels than a phone's photo; send a smaller photo."),
}


@dataclass(frozen=True)
class Filling:
    """What the page sends beside the form: the signed render stamp, the honeypot field, the proof of work."""
    stamp: str | None
    honeypot: str | None
    solution: str | None
    cross_site: bool = False       # sent by another site's page (its Origin or Sec-Fetch-Site says so)


@dataclass(frozen=True)
class Taken:
    reference: str             # what the resident is told, and finds the report again (SR-<submission id>)
    submission_id: int
    lead_id: int | None        # None for a resend of a report already taken
    joined: bool               # the report joined an open lead of the same household


def reference_of(submission_id: int) -> str:
    return f"SR-{submission_id}"


def take_report(token: str, upload: Upload, filling: Filling, *, address: str | None, limits: abuse.ReportLimits,
                secret_key: str, blobs: BlobStore, max_xml_bytes: int, max_xml_nodes: int | None,
                now_s: int, assess: bool = True, accept_working_days: int = leads.ACCEPT_WORKING_DAYS,
                join_days: int = leads.JOIN_DAYS) -> Taken:
    """Take a self-report POSTed under the link of `token` from `address` (the client's IP); its lead is due
    within `accept_working_days`, or it joins its household's open lead first reported within `join_days`.

    Raises Problem 404.1 / 410.90 for a link that does not open; 429.90, 400.94 or 413.90 for a refusal by
    an abuse control (details.reason, an abuse.REFUSALS name); the ingest's own problems (400.8 for a
    submission of another form, 413.1, 400.1 for unreadable XML, 403.1 for an edit).
    """
    link = links.open_link(token)
    asks_challenge = abuse.needs_challenge(address, limits)
    # What a page of this server always sends comes first: a request without it counts against nothing.
    reason = (("cross_site" if filling.cross_site else None)
              or abuse.check_filling(link.id, filling.stamp, filling.honeypot, limits, secret_key=secret_key,
                                     now_s=now_s)
              or abuse.count_report(link.id, address, limits)
              or (asks_challenge and not challenge.use_solution(filling.solution, secret_key) and "challenge")
              or abuse.check_attachments(upload.files, limits))
    if reason:
        _refuse(link.id, reason)
    recorded: list[leads.Recorded] = []

    def with_lead(submission_id: int, received_at: datetime, answers: dict) -> None:
        if not abuse.use_stamp(filling.stamp):
            raise report_refused("stamp_used", *_REFUSED["stamp_used"])
        links.count_link_report(link)
        recorded.append(leads.record_report(link.project_id, link.village, submission_id, received_at,
                                            idno=_text(answers.get("idno")), phone=_text(answers.get("phone")),
                                            join_days=join_days, accept_working_days=accept_working_days))

    try:
        result = ingest_submission(links.link_access(link), upload, blobs=blobs, max_xml_bytes=max_xml_bytes,
                                   max_xml_nodes=max_xml_nodes, xml_form_id=link.form.xml_form_id, assess=assess,
                                   village=link.village, on_created=with_lead)
    except Problem as problem:
        if problem.details.get("reason") == "stamp_used":
            _refuse(link.id, "stamp_used")
        raise
    lead = recorded[0] if recorded else None
    return Taken(reference_of(result.submission_id), result.submission_id,
                 lead.lead_id if lead else None, bool(lead and lead.joined))


def _refuse(link_id: int, reason: str) -> None:
    """Count the refusal and raise it (Problem)."""
    db.session.rollback()       # a used challenge's mark goes too: nothing of a refused report stays
    abuse.count_refusal(link_id, reason)
    status, message = _REFUSED[reason]
    raise report_refused(reason, status, message)


def _text(value) -> str | None:
    return value if isinstance(value, str) else None
