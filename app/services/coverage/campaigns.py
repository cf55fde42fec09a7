"""Campaigns (排查批次) and coverage: registered households screened, flags and 三保障 rates by place.

Coverage is kept per village (campaign_village) and rolled up by cutting the 12-digit place
code. A village is added up again, in SQL, from its households' latest campaign submissions
(campaign_household) when it has changed since it was last added up: by a read, or in the
background (the job runner, app/workers), so that reads find little left to add up.
"""
import json
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from cachetools import TTLCache
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from ... import events
from ...core.access import LEVEL_DIGITS, Access
from ...core.rules.flags import ALL_RISK_CODES, CLUSTER_CODES
from ...events import Kind
from ...extensions import db
from ...models import Campaign, Form
from ...problems import not_found, unexpected_value, uniqueness_violation
from ...queries.coverage import (
    ADDED_UP,
    CAMPAIGN_FOR_TILES,
    PENDING_CAMPAIGNS,
    PLACE_NAMES,
    REFRESH_POINTS,
    ROLL_UP,
    STORE_VILLAGES,
    TAKE_NOTES,
    TRY_CAMPAIGN,
    VILLAGES_KEPT,
    WAIT_FOR_CAMPAIGN,
)
from ...queries.places import sql_patterns
from ..column_limits import CAMPAIGN_ID, CAMPAIGN_NAME, nfc
from ..monitoring.rulesets import ruleset_for
from ..worker_memory import WorkerMemory
from .campaign_households import rebuild_campaign

# The levels coverage rolls up to, and the digits of code their villages share.
LEVEL_PREFIX = {level: LEVEL_DIGITS[level] for level in ("village", "township", "county")}


def create_campaign(project_id: int, name: str, starts_on: date, ends_on: date, form_ids: list[str]) -> Campaign:
    """A campaign (排查批次) over `form_ids` dated from `starts_on` to `ends_on`; raises Problem 400 for a
    bad window, unknown forms or a name too long, 409.3 for a name the project has already."""
    name = CAMPAIGN_NAME.clean(name.strip())
    if ends_on < starts_on:
        raise unexpected_value("endsOn", "The campaign ends before it starts.")
    known = set(db.session.scalars(select(Form.xml_form_id).where(Form.project_id == project_id,
                                                                  Form.xml_form_id.in_(form_ids))))
    if unknown := [f for f in form_ids if f not in known]:
        raise unexpected_value("forms", f"Unknown form(s) in project {project_id}: {', '.join(unknown)}.")
    if db.session.scalar(select(Campaign.id).where(Campaign.project_id == project_id, Campaign.name == name)):
        raise uniqueness_violation(f"A campaign named '{name}' exists already in project {project_id}.")
    campaign = Campaign(project_id=project_id, name=name, starts_on=starts_on, ends_on=ends_on, form_ids=form_ids)
    db.session.add(campaign)
    db.session.flush()
    rebuild_campaign(db.session.connection(), project_id, campaign.id)   # submissions already in count too
    events.record(Kind.CAMPAIGN_CREATE, project_id=project_id, subject=str(campaign.id),
                  payload={"startsOn": starts_on.isoformat(), "endsOn": ends_on.isoformat(), "forms": form_ids})
    db.session.commit()
    return campaign


def project_campaigns(project_id: int) -> list[Campaign]:
    """The project's campaigns, the latest first."""
    return list(db.session.scalars(select(Campaign).where(Campaign.project_id == project_id)
                                   .order_by(Campaign.starts_on.desc(), Campaign.id.desc())))


def find_campaign(project_id: int, name_or_id: str) -> Campaign:
    query = select(Campaign).where(Campaign.project_id == project_id)
    campaign_id = CAMPAIGN_ID.parse(name_or_id)   # ASCII digits within the column's range, else a name
    campaign = db.session.scalar(query.where(Campaign.id == campaign_id)) if campaign_id is not None else None
    campaign = campaign or db.session.scalar(query.where(Campaign.name == nfc(name_or_id)))
    if campaign is None:
        raise not_found(f"There is no campaign '{name_or_id}' in project {project_id}.")
    return campaign


@dataclass
class UnitCoverage:
    code: str
    name: str | None
    registered: int
    screened: int
    persons: int
    insured: int
    school_age: int
    out_of_school: int
    persons_housing_safe: int
    persons_water_safe: int
    flagged: dict[str, int]             # households flagged, per flag code
    households_at_risk: int = 0         # households with at least one risk flag (not data quality)
    households_cluster_risk: int = 0    # screened households with a flag of R1, R4, R8 or R9 (flags.CLUSTER_CODES)
    cluster_threshold: float = 0.10     # the ruleset's cluster_share for this place and campaign year
    cluster_min_households: int = 2     # and its cluster_min_households

    # Shares (0 to 1, four decimals; None where nothing is counted), as the 三保障 indicators
    # (domain §8.5) and the coverage figure are read.
    @property
    def coverage(self) -> float | None:
        return _rate(self.screened, self.registered)

    @property
    def compulsory_education(self) -> float | None:
        return _rate(self.school_age - self.out_of_school, self.school_age)

    @property
    def basic_medical(self) -> float | None:
        return _rate(self.insured, self.persons)

    @property
    def safe_housing(self) -> float | None:
        return _rate(self.persons_housing_safe, self.persons)

    @property
    def safe_drinking_water(self) -> float | None:
        return _rate(self.persons_water_safe, self.persons)

    @property
    def cluster_share(self) -> float | None:
        """R21: the share of screened households with a flag of R1, R4, R8 or R9."""
        return _rate(self.households_cluster_risk, self.screened)

    @property
    def cluster_risk(self) -> bool:
        """R21's area alert (§8.5, 整村整乡返贫): the share exceeds the ruleset's cluster_share, and at least
        cluster_min_households households have such a flag. Compared exactly, not as the rounded share shown:
        10,001 of 100,000 (10.001%) exceeds 10%, though it shows as 0.1; the threshold as written in the
        ruleset (0.1 is 1/10, not the double nearest it)."""
        if not self.screened or self.households_cluster_risk < self.cluster_min_households:
            return False
        return Fraction(self.households_cluster_risk, self.screened) > Fraction(str(self.cluster_threshold))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None



def coverage(access: Access, campaign: Campaign, level: str) -> list[UnitCoverage]:
    """A campaign's numbers per place at `level` (village, township or county), added up over the
    villages within the caller's places only: a township's supervisor reading the county level
    gets their township's share of it. Raises Problem 400.1 for an unknown level."""
    if level not in LEVEL_PREFIX:
        raise unexpected_value("level", f"level must be one of {', '.join(LEVEL_PREFIX)}.")
    prefix = LEVEL_PREFIX[level]
    _refresh_villages(access.project_id, campaign.id)
    scope = "all" if access.places is None else "within"
    rows = db.session.execute(ROLL_UP[scope], {"campaign": campaign.id, "prefix": prefix,
                                                "places": sql_patterns(access.places)}).all()
    codes = [r.unit.ljust(12, "0") for r in rows]        # a township 420102001 is place 420102001000
    names = _names(codes)
    rules = {province: ruleset_for(province, campaign.starts_on.year) for province in {c[:2] for c in codes}}
    return [UnitCoverage(code=code, name=names.get(code),
                         registered=r.registered, screened=r.screened, persons=r.persons, insured=r.insured,
                         school_age=r.school_age, out_of_school=r.out_of_school,
                         persons_housing_safe=r.persons_housing_safe, persons_water_safe=r.persons_water_safe,
                         flagged=r.flagged, households_at_risk=r.households_at_risk,
                         households_cluster_risk=r.households_cluster_risk,
                         cluster_threshold=rules[code[:2]].cluster_share,
                         cluster_min_households=rules[code[:2]].cluster_min_households)
            for code, r in zip(codes, rows, strict=True)]


@dataclass(frozen=True)
class TiledCampaign:
    """What a map tile needs of its campaign."""
    id: int
    project_id: int
    tiles_version: int              # Campaign.tiles_version, once the numbers are added up to now


# The campaigns tiles were asked for lately, by (project, name or id). A screen of the map is dozens of
# tiles, and looking their campaign up (a statement, and the transaction around it) was most of the cost
# of a tile this worker keeps (scripts/bench_map.py). Remembered for TILES_CAMPAIGN_SECONDS (default 1)
# and forgotten whenever this worker commits anything (an ingest, an import, an adding up): a change made
# through this worker shows on its next tile, one made through another or the command line within that time.
_tiled = WorkerMemory(None)


def remember_tiled_campaigns(seconds: float) -> None:
    """Remember each campaign tiles ask for `seconds` (0: not at all), forgetting what was remembered."""
    _tiled.use(TTLCache(1_000, seconds) if seconds > 0 else None)
    if not event.contains(Session, "after_commit", _forget_tiled):
        event.listen(Session, "after_commit", _forget_tiled)


def _forget_tiled(session) -> None:
    _tiled.clear()


def campaign_for_tiles(project_id: int, name_or_id: str) -> TiledCampaign:
    """The campaign named or numbered (as find_campaign), its numbers added up to now (or at most
    TILES_CAMPAIGN_SECONDS ago, through another worker). Raises Problem 404.1 for an unknown campaign."""
    return _tiled.remembered((project_id, name_or_id), lambda: _campaign_for_tiles(project_id, name_or_id))


def _campaign_for_tiles(project_id: int, name_or_id: str) -> TiledCampaign:
    # One statement when nothing changed since the last adding up, as for most tiles.
    params = {"project": project_id, "id": CAMPAIGN_ID.parse(name_or_id), "name": nfc(name_or_id)}
    row = db.session.execute(CAMPAIGN_FOR_TILES, params).first()
    if row is None:
        raise not_found(f"There is no campaign '{name_or_id}' in project {project_id}.")
    if row.pending:
        _refresh_villages(project_id, row.id)
        row = db.session.execute(CAMPAIGN_FOR_TILES, params).first()
    return TiledCampaign(row.id, project_id, row.tiles_version)


def refresh_pending() -> int:
    """Add up, in the background, every campaign that has changed since it was last added up, unless
    someone else is at it. Returns how many campaigns were added up."""
    pending = db.session.execute(PENDING_CAMPAIGNS).all()
    db.session.rollback()
    return sum(_refresh_villages(project_id, campaign_id, wait=False) for project_id, campaign_id in pending)


def _refresh_villages(project_id: int, campaign_id: int, *, wait: bool = True) -> bool:
    """Add up again the villages whose households changed since the last look (all of them the first time).
    Without `wait`, leave the campaign (and return False) if another look at it is under way.

    Safe under concurrent ingest: taking a note waits for the change that holds it to commit, a note
    written after the notes were taken stays for the next look, and the adding up (a later statement)
    sees every change whose note it took.
    """
    conn = db.session.connection()
    params = {"project": project_id, "campaign": campaign_id}
    if wait:
        conn.execute(WAIT_FOR_CAMPAIGN, params)
    elif not conn.execute(TRY_CAMPAIGN, params).scalar():
        db.session.rollback()
        return False
    kept = conn.execute(VILLAGES_KEPT, params).scalar()
    villages = conn.execute(TAKE_NOTES, params).scalars().all()
    if not kept or len(villages) * 3 > kept:        # picking out many villages costs more than adding up all
        _add_up(conn, "all", params)
    elif villages:
        _add_up(conn, "some", {**params, "villages": villages})
    db.session.commit()
    return True


def _add_up(conn, scope: str, params: dict) -> None:
    # A county at once is ~10^5 households: hash them in memory, and skip JIT, which costs more than it saves.
    conn.execute(text("SET LOCAL jit = off"))
    conn.execute(text("SET LOCAL work_mem = '64MB'"))
    statements = ADDED_UP[scope]
    params = {**params, "risk_codes": ALL_RISK_CODES, "cluster_codes": list(CLUSTER_CODES)}
    added_up: dict[str, dict] = {}

    def village(code: str) -> dict:
        return added_up.setdefault(code, {
            "village": code, "registered": 0, "screened": 0, "persons": 0, "insured": 0, "school_age": 0,
            "out_of_school": 0, "persons_housing_safe": 0, "persons_water_safe": 0, "flagged": {},
            "households_at_risk": 0, "households_cluster_risk": 0})
    for part in ("registered", "screened"):
        for row in conn.execute(statements[part], params):
            village(row.village).update(row._asdict())
    for row in conn.execute(statements["flags"], params):
        village(row.village)["flagged"][row.code] = row.households
    # In village order, so two looks at the same campaign never deadlock.
    villages = [added_up[code] for code in sorted(added_up)]
    conn.execute(STORE_VILLAGES, {"campaign": params["campaign"], "villages": json.dumps(villages)})
    conn.execute(REFRESH_POINTS[scope], params)


def place_name(code: str) -> str | None:
    """A place's name; None for an unknown code."""
    return _names([code]).get(code)


def _names(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(db.session.execute(PLACE_NAMES, {"codes": codes}).all())
