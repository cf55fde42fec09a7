"""The household registry (户), kept per project and updated by screening submissions."""
from datetime import datetime
from uuid import UUID

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, UniqueConstraint, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .columns import created_at, timestamp


class Household(db.Model):
    __tablename__ = "household"
    # (project, village): coverage counts a project's registered households per village from the index alone.
    # (project, created_at, id): the Entity List feed's order, newest first (services/registry/entity_feed.py).
    __table_args__ = (UniqueConstraint("project_id", "household_code"),
                      Index("ix_household_project_village", "project_id", "admin_code"),
                      Index("ix_household_project_created", "project_id", "created_at", "id"))

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    household_code: Mapped[str] = mapped_column(String(40))    # 户编号, as the national system knows it
    admin_code: Mapped[str] = mapped_column(ForeignKey("admin_unit.code"), index=True)   # the village
    head_name: Mapped[str] = mapped_column(String(100))
    head_idno: Mapped[str | None] = mapped_column(String(18), index=True)   # sensitive (PIPL)
    poverty_status: Mapped[str | None] = mapped_column(String(20))      # lifted | ordinary
    category: Mapped[str | None] = mapped_column(String(20))            # none | unstable | edge | hardship
    status: Mapped[str | None] = mapped_column(String(20))              # monitored | eliminated | ...
    last_pc_income: Mapped[float | None] = mapped_column(Float)         # last year's per-capita net income
    members: Mapped[list] = mapped_column(JSONB, default=list)            # [{name, relation, idno}] as imported
    # Where the household lives, as the registry gives it (optional lon, lat columns of an import); a map
    # draws a household at its latest screening's geopoint, else here. WGS84, never GCJ-02.
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime | None] = timestamp()
    # The household as an Entity of the read-only Entity List `households` (Central names entities by a UUID
    # v4): given once by the database, never changed, so an analyst's saved ids keep naming the same household.
    uuid: Mapped[UUID] = mapped_column(Uuid, server_default=text("gen_random_uuid()"), unique=True, index=True)


class HouseholdPerson(db.Model):
    """A person's ID number (normalised: core.idcard.normalise) as one household lists it: the registry's
    head and members, or the household's latest screening's. R22 "person in two households" finds a
    number on another household through the index on (project, idno) at ingest, in the same round trip as
    the rest of a submission's context (queries.assessment.CONTEXT)."""
    __tablename__ = "household_person"
    __table_args__ = (Index("ix_household_person_project_idno", "project_id", "idno"),)

    household_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("household.id", ondelete="CASCADE"),
                                              primary_key=True)
    source: Mapped[str] = mapped_column(String(10), primary_key=True)     # registry | screening
    idno: Mapped[str] = mapped_column(String(18), primary_key=True)       # sensitive (PIPL)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    # Since when the household has listed the person (kept while its records go on listing them): `rules
    # recompute` compares a screening with the registry's persons listed before it arrived, as ingest did.
    since: Mapped[datetime] = created_at()
