"""Administrative places (行政区划): county down to village, and 村民小组 below villages.

The 12-digit statistical division code is the key everything rolls up by:
province 2 + prefecture 2 + county 2 + township 3 + village 3. Groups have no
national code, so theirs is the village code plus a local 3-digit suffix.
"""
from geoalchemy2 import Geometry
from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, text
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
    # Null: unknown (the places file left it blank). Devices then get a blank mark, and the rules that read it
    # (R8b, R9a) ask for it instead of reading "no".
    seismic_ge7: Mapped[bool | None] = mapped_column(Boolean, nullable=True)    # 抗震设防烈度7度及以上
    water_scarce: Mapped[bool | None] = mapped_column(Boolean, nullable=True)   # 缺水地区 (< 1000 m³ per person)


# Map tiles draw places from outlines simplified ahead, per band of zooms: each band's outline is
# simplified to one tile unit (a 4096th of a tile) at the band's highest zoom, so no tile shows it.
SHAPE_BANDS = (5, 7, 9, 11, 13)
# The zoom each level is drawn from: counties always, townships from 7, villages from 9 (below, a
# village is a few pixels and a province has thousands: a county opened on the map fills the view at
# zoom 8 to 10, a township at 10 to 12). A level has outlines in the bands of its zooms only.
DRAWN_FROM_ZOOM = {"county": 0, "township": 7, "village": 9}
SHAPES_KEPT = tuple((band, level) for level, zoom in DRAWN_FROM_ZOOM.items() for band in SHAPE_BANDS if band >= zoom)
# Up to this zoom a tile holds many places (a province's 2,000 villages are 250 a tile at zoom 9) and
# there are few tiles (a province is a few hundred up to zoom 10): each place's geometry in each tile is
# made ahead (AdminUnitTile), so that such a tile is only encoded. Above it, tiles are many and hold few
# places, each drawn from its outline when asked for.
PRE_TILED_TO_ZOOM = 10
# A tile above PRE_TILED_TO_ZOOM reads one band and one level by its box: an index each (a shared one
# would walk the outlines of every band and level in the box to keep a few).
SHAPE_INDEXES = tuple(
    Index(f"idx_admin_unit_shape_{level}_{band}", "geom", postgresql_using="gist",
          postgresql_where=text(f"band = {band} AND level = '{level}'"))
    for band, level in SHAPES_KEPT if band > PRE_TILED_TO_ZOOM)


class AdminUnitShape(db.Model):
    """A place's outline as map tiles draw it: in Web Mercator (EPSG:3857), simplified for one band of
    zooms (SHAPE_BANDS), so that a tile transforms and simplifies nothing. Written at each places import
    from admin_unit.boundary."""
    __tablename__ = "admin_unit_shape"
    __table_args__ = SHAPE_INDEXES

    code: Mapped[str] = mapped_column(ForeignKey("admin_unit.code", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)     # the highest zoom it is simplified for
    level: Mapped[str] = mapped_column(String(10))
    geom = mapped_column(Geometry("GEOMETRY", srid=3857, spatial_index=False), nullable=False)


class AdminUnitTile(db.Model):
    """A place's geometry in one tile up to PRE_TILED_TO_ZOOM, as ST_AsMVTGeom makes it (tile units, 4096
    across, 64 of buffer) from its outline of the zoom's band. Written at each places import."""
    __tablename__ = "admin_unit_tile"

    z: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    x: Mapped[int] = mapped_column(Integer, primary_key=True)
    y: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(ForeignKey("admin_unit.code", ondelete="CASCADE"), primary_key=True)
    geom = mapped_column(Geometry("GEOMETRY", spatial_index=False), nullable=False)


class AppUserPlace(db.Model):
    """A village a device account covers: its pick-lists and households come from these."""
    __tablename__ = "app_user_place"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True)
    admin_code: Mapped[str] = mapped_column(ForeignKey("admin_unit.code"), primary_key=True)
