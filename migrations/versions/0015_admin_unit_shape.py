"""map: places' outlines in Web Mercator, simplified ahead per band of zooms

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 05:15:00

"""
import geoalchemy2
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'admin_unit_shape',
        sa.Column('code', sa.String(length=15), nullable=False),
        sa.Column('band', sa.SmallInteger(), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('geom', geoalchemy2.types.Geometry(srid=3857, spatial_index=False, from_text='ST_GeomFromEWKT',
                                                     name='geometry', nullable=False), nullable=False),
        sa.ForeignKeyConstraint(['code'], ['admin_unit.code'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('code', 'band'),
    )
    op.create_index('idx_admin_unit_shape_geom', 'admin_unit_shape', ['geom'], unique=False,
                    postgresql_using='gist')
    op.create_index('ix_admin_unit_shape_band_level', 'admin_unit_shape', ['band', 'level'], unique=False)
    # The places already imported get their outlines now (later imports write their own).
    from app.queries.tiles import REBUILD_SHAPES
    op.get_bind().execute(REBUILD_SHAPES, {"codes": None})


def downgrade():
    op.drop_index('ix_admin_unit_shape_band_level', table_name='admin_unit_shape')
    op.drop_index('idx_admin_unit_shape_geom', table_name='admin_unit_shape', postgresql_using='gist')
    op.drop_table('admin_unit_shape')
