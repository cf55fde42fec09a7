"""Administrative places (行政区划): county down to village, and 村民小组 below villages.

The 12-digit statistical division code is the key everything rolls up by:
province 2 + prefecture 2 + county 2 + township 3 + village 3. Groups have no
national code, so theirs is the village code plus a local 3-digit suffix.
"""
from geoalchemy2 import Geometry
from sqlalchemy import Boolean, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

LEVELS = ("province", "city", "county", "township", "village", "group")


class AdminUnit(db.Model):
    __tablename__ = "admin_unit"

    code: Mapped[str] = mapped_column(String(15), primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("admin_unit.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    boundary = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=True)
    seismic_ge7: Mapped[bool] = mapped_column(Boolean, default=False)    # 抗震设防烈度7度及以上
    water_scarce: Mapped[bool] = mapped_column(Boolean, default=False)   # 缺水地区 (< 1000 m³ per person)


class AdminUnitShape(db.Model):
    """A place's outline as map tiles draw it: in Web Mercator (EPSG:3857), simplified for one band of
    zooms (app/queries/tiles.py SHAPE_BANDS), so that a tile transforms and simplifies nothing. Written
    at each places import from admin_unit.boundary."""
    __tablename__ = "admin_unit_shape"
    # A tile reads one band and level: a few hundred rows at most, tested against the tile's box.
    __table_args__ = (Index("ix_admin_unit_shape_band_level", "band", "level"),)

    code: Mapped[str] = mapped_column(ForeignKey("admin_unit.code", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)     # the highest zoom it is simplified for
    level: Mapped[str] = mapped_column(String(10))
    geom = mapped_column(Geometry("GEOMETRY", srid=3857, spatial_index=True), nullable=False)


class AppUserPlace(db.Model):
    """A village a device account covers: its pick-lists and households come from these."""
    __tablename__ = "app_user_place"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True)
    admin_code: Mapped[str] = mapped_column(ForeignKey("admin_unit.code"), primary_key=True)
