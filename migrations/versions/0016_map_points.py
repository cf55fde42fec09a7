"""map: a screening's point kept with its household's campaign row; places' outlines indexed per band and
level; places tiled ahead up to zoom 10; a version of each campaign's places tiles

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 06:50:00

"""
import geoalchemy2
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


# (band, level) of the outlines tiles draw; those above zoom 10 have an index each (as app.models.place's
# SHAPES_KEPT and SHAPE_INDEXES stood at this revision); below, places are tiled ahead (admin_unit_tile).
_SHAPES = ((5, 'county'), (7, 'county'), (9, 'county'), (11, 'county'), (13, 'county'), (7, 'township'),
           (9, 'township'), (11, 'township'), (13, 'township'), (9, 'village'), (11, 'village'), (13, 'village'))
_INDEXED = [(band, level) for band, level in _SHAPES if band > 10]


def _point() -> geoalchemy2.types.Geometry:
    return geoalchemy2.types.Geometry(geometry_type='POINT', srid=4326, spatial_index=False,
                                      from_text='ST_GeomFromEWKT', name='geometry')


def upgrade():
    op.add_column('campaign', sa.Column('tiles_version', sa.BigInteger(), server_default='0', nullable=False))
    op.add_column('submission_assessment', sa.Column('location', _point(), nullable=True))
    op.add_column('campaign_household', sa.Column('screening_location', _point(), nullable=True))
    op.create_index('idx_campaign_household_screening_location', 'campaign_household', ['screening_location'],
                    unique=False, postgresql_using='gist')
    # The points of what is stored already: a version's first geopoint, as ingest takes it.
    op.execute("""
        UPDATE submission_assessment a SET location = (
            SELECT g.geom FROM geo_answer g WHERE g.submission_version_id = a.submission_version_id
                AND g.kind = 'geopoint' AND g.geom IS NOT NULL ORDER BY g.id LIMIT 1)""")
    op.execute("""
        UPDATE campaign_household ch SET screening_location = a.location FROM submission_assessment a
        WHERE a.submission_version_id = ch.screening_version_id AND a.location IS NOT NULL""")
    op.drop_index('ix_admin_unit_shape_band_level', table_name='admin_unit_shape')
    op.drop_index('idx_admin_unit_shape_geom', table_name='admin_unit_shape', postgresql_using='gist')
    # Outlines no tile draws (a village at zoom 5, a province) go.
    kept = ", ".join(f"({band}, '{level}')" for band, level in _SHAPES)
    op.execute(f"DELETE FROM admin_unit_shape WHERE (band, level) NOT IN ({kept})")
    for band, level in _INDEXED:
        op.create_index(f'idx_admin_unit_shape_{level}_{band}', 'admin_unit_shape', ['geom'], unique=False,
                        postgresql_using='gist', postgresql_where=sa.text(f"band = {band} AND level = '{level}'"))
    op.create_table(
        'admin_unit_tile',
        sa.Column('z', sa.SmallInteger(), nullable=False),
        sa.Column('x', sa.Integer(), nullable=False),
        sa.Column('y', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('code', sa.String(length=15), nullable=False),
        sa.Column('geom', geoalchemy2.types.Geometry(spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry',
                                                     nullable=False), nullable=False),
        sa.ForeignKeyConstraint(['code'], ['admin_unit.code'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('z', 'x', 'y', 'level', 'code'),
    )
    # The places already imported are tiled now (later imports tile theirs).
    from app.queries.tiles import REBUILD_TILES
    op.get_bind().execute(REBUILD_TILES)


def downgrade():
    op.drop_table('admin_unit_tile')
    for band, level in _INDEXED:
        op.drop_index(f'idx_admin_unit_shape_{level}_{band}', table_name='admin_unit_shape', postgresql_using='gist')
    op.create_index('idx_admin_unit_shape_geom', 'admin_unit_shape', ['geom'], unique=False,
                    postgresql_using='gist')
    op.create_index('ix_admin_unit_shape_band_level', 'admin_unit_shape', ['band', 'level'], unique=False)
    op.drop_index('idx_campaign_household_screening_location', table_name='campaign_household',
                  postgresql_using='gist')
    op.drop_column('campaign_household', 'screening_location')
    op.drop_column('submission_assessment', 'location')
    op.drop_column('campaign', 'tiles_version')
