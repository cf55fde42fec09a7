"""Risk flags and the rulesets that raise them."""
from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .columns import created_at


class Ruleset(db.Model):
    """Thresholds for one province and year; the highest version is in force."""
    __tablename__ = "ruleset"
    __table_args__ = (UniqueConstraint("province", "year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province: Mapped[str] = mapped_column(String(2))      # '00' is the national default
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSONB)
    created_at: Mapped[datetime] = created_at()


class RiskFlag(db.Model):
    """One flag raised on one submission version, with what it read and compared."""
    __tablename__ = "risk_flag"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    submission_version_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("submission_version.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("submission.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    household_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("household.id"))
    admin_code: Mapped[str | None] = mapped_column(String(15))
    rule: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    explanation_zh: Mapped[str] = mapped_column(Text)
    explanation_en: Mapped[str] = mapped_column(Text)
    inputs: Mapped[dict] = mapped_column(JSONB)
    threshold: Mapped[dict] = mapped_column(JSONB)
    ruleset: Mapped[str | None] = mapped_column(String(40))   # e.g. 42-2026-v1
    created_at: Mapped[datetime] = created_at()


class Campaign(db.Model):
    """排查批次: a window of dates over chosen forms, against which coverage is counted."""
    __tablename__ = "campaign"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    form_ids: Mapped[list[str]] = mapped_column(ARRAY(String(300)))
    created_at: Mapped[datetime] = created_at()
    # Counts up whenever what its map's places tiles draw changes: its numbers are added up anew, or the
    # places' outlines are imported. Workers keep drawn tiles under it (services/coverage/tile_cache.py).
    tiles_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class SubmissionAssessment(db.Model):
    """What a monitoring submission says about its household, in numbers coverage can add up.

    One row per submission, for its current version only (an edit replaces the row), computed
    once at ingest and by `rules recompute`. Campaign rows (campaign_household) are copied from it.
    """
    __tablename__ = "submission_assessment"
    # No index beyond the key: one row is written per monitoring submission, on the ingest path, and
    # only rare bulk rebuilds read it by project and form.

    submission_version_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("submission_version.id", ondelete="CASCADE"), primary_key=True)
    submission_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("submission.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    xml_form_id: Mapped[str] = mapped_column(String(300))
    household_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("household.id"))
    admin_code: Mapped[str | None] = mapped_column(String(15))
    surveyed_on: Mapped[date] = mapped_column(Date)
    persons: Mapped[int | None] = mapped_column(Integer)          # household members
    insured: Mapped[int | None] = mapped_column(Integer)          # with basic medical insurance
    school_age: Mapped[int | None] = mapped_column(Integer)       # children of compulsory-education age
    out_of_school: Mapped[int | None] = mapped_column(Integer)    # of them, out of school (R6)
    housing_unsafe: Mapped[bool | None] = mapped_column(Boolean)  # None when the form does not say
    water_unsafe: Mapped[bool | None] = mapped_column(Boolean)
    # The submission's first geopoint: where the map draws the household it screened.
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    flag_codes: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    is_draft: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class CampaignHousehold(db.Model):
    """A household's standing in one campaign: its latest submission of each monitoring form.

    One row per household, so coverage adds up rows without joining forms. Kept current at
    ingest (a form's columns are replaced only by a later submission of that form), and rebuilt
    from submission_assessment when a campaign is created or flags are recomputed.
    """
    __tablename__ = "campaign_household"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    # No foreign keys below: the rows are copied from submission_assessment, whose keys are checked,
    # and every check is a lookup on the ingest path. Only edits and recomputes remove assessments,
    # and both rebuild the rows they touch.
    household_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    village: Mapped[str] = mapped_column(String(15))     # where the household is registered
    # The latest screening (防返贫监测排查): the persons and their 三保障, and what it says of housing and water.
    screening_version_id: Mapped[int | None] = mapped_column(BigInteger)
    screening_on: Mapped[date | None] = mapped_column(Date)
    persons: Mapped[int | None] = mapped_column(Integer)
    insured: Mapped[int | None] = mapped_column(Integer)
    school_age: Mapped[int | None] = mapped_column(Integer)
    out_of_school: Mapped[int | None] = mapped_column(Integer)
    screening_housing_unsafe: Mapped[bool | None] = mapped_column(Boolean)
    screening_water_unsafe: Mapped[bool | None] = mapped_column(Boolean)
    screening_flags: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list, server_default="{}")
    # Its first geopoint: the map's point for the household (else the registry's location), which the map
    # reads from campaign_point (CampaignPoint, below).
    screening_location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    # The latest housing (住房安全) and water (饮水安全) inspections, which outrank the screening.
    housing_version_id: Mapped[int | None] = mapped_column(BigInteger)
    housing_on: Mapped[date | None] = mapped_column(Date)
    housing_unsafe: Mapped[bool | None] = mapped_column(Boolean)
    housing_flags: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list, server_default="{}")
    water_version_id: Mapped[int | None] = mapped_column(BigInteger)
    water_on: Mapped[date | None] = mapped_column(Date)
    water_unsafe: Mapped[bool | None] = mapped_column(Boolean)
    water_flags: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list, server_default="{}")
    # Every flag code of the three, once: a household counts once per code, whichever forms raised it.
    flag_codes: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list, server_default="{}")


class CampaignPoint(db.Model):
    """Where the map draws each registered household in one campaign, and what it draws: the point of its
    latest screening's first geopoint (its campaign_household row), else the registry's; whether it was
    screened, and its flag codes. One row per campaign and household that has either point.

    Derived, and written again with the campaign's village numbers (services/coverage/campaigns.py _add_up,
    queries/coverage.py REFRESH_POINTS), in the same transaction and from the same notes of changed villages:
    what makes the numbers safe beside concurrent ingest makes the points safe too, and a tile, which adds up
    what is pending before it is drawn, is as fresh as the map's numbers. A household tile is then one range
    of one spatial index (queries/tiles.py), where it was two scans of two tables with each unscreened
    household's campaign row looked up (issue 13: tiles at zoom 12).
    """
    __tablename__ = "campaign_point"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    household_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("household.id", ondelete="CASCADE"),
                                              primary_key=True)
    admin_code: Mapped[str] = mapped_column(String(20))       # the household's registered village
    screened: Mapped[bool] = mapped_column(Boolean)
    flag_codes: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    point = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)


# Villages whose campaign rows changed since coverage last looked: one note per village, so it
# never holds more rows than a campaign has villages. Ingest notes its village (see note_villages)
# and coverage takes the notes and adds those villages up again.
campaign_change = Table(
    "campaign_change", db.metadata,
    Column("campaign_id", Integer, primary_key=True),
    Column("village", String(15), primary_key=True),
)


class CampaignVillage(db.Model):
    """One village's coverage numbers in one campaign, refreshed from campaign_household when read.

    Households count in the village they are registered in.
    """
    __tablename__ = "campaign_village"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    village: Mapped[str] = mapped_column(String(15), primary_key=True)
    registered: Mapped[int] = mapped_column(Integer)
    screened: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)
    insured: Mapped[int] = mapped_column(Integer)
    school_age: Mapped[int] = mapped_column(Integer)
    out_of_school: Mapped[int] = mapped_column(Integer)
    persons_housing_safe: Mapped[int] = mapped_column(Integer)
    persons_water_safe: Mapped[int] = mapped_column(Integer)
    flagged: Mapped[dict] = mapped_column(JSONB)          # flag code -> households
    # Households with at least one risk flag (high, medium or low; app.core.rules.flags.SEVERITY_OF).
    households_at_risk: Mapped[int] = mapped_column(Integer, server_default="0")
    # Households with a flag of R1, R4, R8 or R9 (app.core.rules.flags.CLUSTER_CODES): R21's numerator.
    households_cluster_risk: Mapped[int] = mapped_column(Integer, server_default="0")
