"""map: households at risk per village and campaign, and a household's registered location

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 05:00:00

"""
import geoalchemy2
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('campaign_village', sa.Column('households_at_risk', sa.Integer(), server_default='0',
                                                nullable=False))
    op.add_column('household', sa.Column('location', geoalchemy2.types.Geometry(
        geometry_type='POINT', srid=4326, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'),
        nullable=True))
    op.create_index('idx_household_location', 'household', ['location'], unique=False, postgresql_using='gist')
    # Villages are added up again (households_at_risk is new): every campaign's numbers are noted as changed.
    op.execute("DELETE FROM campaign_village")


def downgrade():
    op.drop_index('idx_household_location', table_name='household', postgresql_using='gist')
    op.drop_column('household', 'location')
    op.drop_column('campaign_village', 'households_at_risk')
