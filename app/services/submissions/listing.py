"""Which submissions a reviewer means: the filters of the console's list, of bulk review and (later) of
exports, as one description turned into SQL once.

A filter never reaches beyond the caller's places (queries.places.submission_within) nor to test
submissions of drafts or deleted ones. Place is a code prefix within those places; review state is
Central's, with "received" for none yet; a flag is a rule's code (income_below_line, ...) on the
submission's current version; the campaign is its forms and window (the survey date within it).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select, tuple_

from ...core.access import Access
from ...extensions import db
from ...models import AdminUnit, Campaign, Form, FormVersion, RiskFlag, Submission
from ...models.review import REVIEW_STATES
from ...models.submission import NO_SURVEY_DATE, survey_date_key
from ...problems import not_found, unexpected_value
from ...queries.places import submission_within, within

RECEIVED = "received"          # no review yet (Central: reviewState null)
LIST_STATES = (RECEIVED, *REVIEW_STATES)   # the states a list filters by, in the order pickers show them


@dataclass(frozen=True)
class SubmissionFilter:
    xml_form_id: str | None = None
    campaign_id: int | None = None
    place: str | None = None               # a code prefix: '429901001' a township, 12 digits a village
    received_from: date | None = None      # received on or after (China time is not applied: UTC dates)
    received_to: date | None = None        # received on or before
    review_state: str | None = None        # received | hasIssues | edited | approved | rejected
    flag: str | None = None                # a flag code on the current version

    @classmethod
    def from_args(cls, args) -> "SubmissionFilter":
        """From query parameters (form, campaign, place, from, to, reviewState, flag); raises Problem 400.8 for
        a malformed date, campaign id or place, or an unknown review state."""
        def text(name):
            value = (args.get(name) or "").strip()
            return value or None
        place = text("place")
        if place is not None and not (place.isascii() and place.isdigit() and len(place) <= 12):
            raise unexpected_value("place", "A place is the leading digits of an administrative code (at most 12).")
        campaign = text("campaign")
        if campaign is not None and not (campaign.isascii() and campaign.isdigit() and len(campaign) < 10):
            raise unexpected_value("campaign", "A campaign is its number.")
        state = text("reviewState")
        if state is not None and state not in LIST_STATES:
            raise unexpected_value("reviewState", f"Not a review state: {state} "
                                                  f"({', '.join(LIST_STATES)}).")
        return cls(xml_form_id=text("form"), campaign_id=int(campaign) if campaign else None, place=place,
                   received_from=_date(text("from"), "from"), received_to=_date(text("to"), "to"),
                   review_state=state, flag=text("flag"))


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise unexpected_value(name, f"'{value[:20]}' is not a date like 2026-12-01.") from None


def conditions(access: Access, chosen: SubmissionFilter) -> list:
    """SQL conditions on Submission (joined to Form) for the caller's submissions that the filter chooses.
    Raises Problem 404.1 for a campaign that is not the project's."""
    where = [Form.project_id == access.project_id, Submission.is_draft.is_(False), Submission.deleted_at.is_(None),
             submission_within(access.places)]
    if chosen.xml_form_id:
        where.append(Form.xml_form_id == chosen.xml_form_id)
    if chosen.place:
        where.append(within(Submission.admin_code, (chosen.place,)))
    if chosen.received_from:
        where.append(Submission.created_at >= chosen.received_from)
    if chosen.received_to:
        where.append(Submission.created_at < chosen.received_to + timedelta(days=1))
    if chosen.review_state:
        where.append(Submission.review_state.is_(None) if chosen.review_state == RECEIVED
                     else Submission.review_state == chosen.review_state)
    if chosen.flag:
        where.append(exists().where(RiskFlag.submission_version_id == Submission.current_version_id,
                                    RiskFlag.code == chosen.flag))
    if chosen.campaign_id is not None:
        campaign = db.session.scalar(select(Campaign).where(Campaign.id == chosen.campaign_id,
                                                            Campaign.project_id == access.project_id))
        if campaign is None:
            raise not_found(f"There is no campaign {chosen.campaign_id} in this project.")
        where.append(Form.xml_form_id.in_(campaign.form_ids))
        where.append(Submission.surveyed_on.between(campaign.starts_on, campaign.ends_on))
    return where


PAGE_SIZE = 50


@dataclass(frozen=True)
class ListedSubmission:
    id: int
    instance_id: str
    xml_form_id: str
    form_title: str | None
    village: str | None
    village_name: str | None
    received_at: datetime
    surveyed_on: date | None
    review_state: str | None
    flags: list[str]                # the codes of the current version's flags


@dataclass(frozen=True)
class SubmissionPage:
    rows: list[ListedSubmission]
    next_cursor: str | None         # the page after this one (None: this is the last)


SORTS = ("received", "surveyed")   # newest received first; or latest survey date first (none last)


def list_submissions(access: Access, chosen: SubmissionFilter, *, after: str | None = None,
                     limit: int = PAGE_SIZE, sort: str = "received") -> SubmissionPage:
    """The submissions the filter chooses, `limit` a page, newest received first (sort "received") or latest
    survey date first (sort "surveyed"; those without one last, each by id). `after` is the cursor of the
    previous page (its last row's sort key and id): each page is one range of the index on (project, received,
    id) or (project, survey date, id), as fast at page 1,000 as at page 1. Raises Problem 400.8 for an unknown sort or
    a malformed cursor."""
    if sort not in SORTS:
        raise unexpected_value("sort", f"Sort by one of {', '.join(SORTS)}.")
    where = conditions(access, chosen)
    key = Submission.created_at if sort == "received" else survey_date_key()
    if after:
        moment, submission_id = _cursor(after, sort)
        where.append(tuple_(key, Submission.id) < tuple_(moment, submission_id))
    rows = db.session.execute(
        select(Submission.id, Submission.instance_id, Form.xml_form_id, FormVersion.title, Submission.admin_code,
               AdminUnit.name, Submission.created_at, Submission.surveyed_on, Submission.review_state)
        .join(Form, Form.id == Submission.form_id)
        .outerjoin(FormVersion, FormVersion.id == Form.current_version_id)
        .outerjoin(AdminUnit, AdminUnit.code == Submission.admin_code)
        .where(Submission.project_id == access.project_id, *where)
        .order_by(key.desc(), Submission.id.desc()).limit(limit + 1)).all()
    flags: dict[int, list[str]] = {}
    for submission_id, code in db.session.execute(
            select(RiskFlag.submission_id, RiskFlag.code).join(
                Submission, Submission.current_version_id == RiskFlag.submission_version_id)
            .where(Submission.id.in_([r.id for r in rows[:limit]])).order_by(RiskFlag.id)):
        codes = flags.setdefault(submission_id, [])
        if code not in codes:            # a rule may raise its code once per other household: named once here
            codes.append(code)
    listed = [ListedSubmission(r.id, r.instance_id, r.xml_form_id, r.title, r.admin_code, r.name, r.created_at,
                               r.surveyed_on, r.review_state, flags.get(r.id, [])) for r in rows[:limit]]
    more = len(rows) > limit
    return SubmissionPage(listed, _make_cursor(listed[-1], sort) if more and listed else None)


def _make_cursor(row: ListedSubmission, sort: str) -> str:
    moment = row.received_at if sort == "received" else (row.surveyed_on or NO_SURVEY_DATE)
    return f"{moment.isoformat()}~{row.id}"


def _cursor(value: str, sort: str) -> tuple[datetime | date, int]:
    received, _, submission_id = value.partition("~")
    try:
        if sort == "received":
            moment = datetime.fromisoformat(received)
            if moment.tzinfo is None:
                raise ValueError
        else:
            moment = date.fromisoformat(received)
        if not (submission_id.isascii() and submission_id.isdigit()):
            raise ValueError
        if len(submission_id) > 18:
            raise ValueError
        return moment, int(submission_id)
    except ValueError:
        raise unexpected_value("after", "The page cursor is not one this server gave.") from None
