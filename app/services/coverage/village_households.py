"""A village's households in a campaign, a page at a time: the console's list, filtered by state and flag."""
from dataclasses import dataclass
from datetime import date

from ...core.access import Access
from ...core.rules.flags import ALL_RISK_CODES, worst_severity
from ...extensions import db
from ...models import Campaign
from ...problems import unexpected_value
from ...queries.places import sql_patterns
from ...queries.village_households import VILLAGE_HOUSEHOLDS

STATES = ("unscreened", "screened", "flagged")
PAGE_SIZE = 50


@dataclass(frozen=True)
class ListedHousehold:
    household_code: str
    head_name: str
    state: str                      # unscreened | screened | flagged
    severity: str | None            # the worst risk severity, for flagged ones
    flags: list[str]                # flag codes, risk and data quality
    screened_on: date | None


@dataclass(frozen=True)
class HouseholdPage:
    households: list[ListedHousehold]
    total: int                      # how many match the filters
    page: int                       # from 1
    pages: int


def village_households(access: Access, campaign: Campaign, village: str, *, state: str | None = None,
                       flag: str | None = None, page: int = 1) -> HouseholdPage:
    """Page `page` (PAGE_SIZE a page, by household code) of the households registered in `village`, within
    the caller's places (none otherwise), with their state in `campaign`. Raises Problem 400 for an
    unknown state or a page below 1."""
    if state is not None and state not in STATES:
        raise unexpected_value("state", f"state must be one of {', '.join(STATES)}.")
    if page < 1:
        raise unexpected_value("page", "page starts at 1.")
    rows = db.session.execute(VILLAGE_HOUSEHOLDS, {
        "campaign": campaign.id, "project": access.project_id, "village": village,
        "places": sql_patterns(access.places), "state": state, "flag": flag,
        "risk": ALL_RISK_CODES, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}).all()
    total = rows[0].total if rows else 0
    return HouseholdPage([ListedHousehold(r.household_code, r.head_name, r.state, worst_severity(r.codes),
                                          list(r.codes), r.screening_on) for r in rows],
                         total, page, max(1, -(-total // PAGE_SIZE)))
