"""campaign points: where the map draws each registered household in each campaign (its latest screening's
point, else the registry's), whether it was screened and its flag codes, written again with the campaign's village
numbers, so that a household tile reads one range of one spatial index (issue 13; models.risk CampaignPoint)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 09:00:00

"""
import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'campaign_point',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.BigInteger(), nullable=False),
        sa.Column('admin_code', sa.String(length=20), nullable=False),
        sa.Column('screened', sa.Boolean(), nullable=False),
        sa.Column('flag_codes', postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column('point', geoalchemy2.types.Geometry(geometry_type='POINT', srid=4326, spatial_index=False,
                                                      from_text='ST_GeomFromEWKT', name='geometry'), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('campaign_id', 'household_id'),
    )
    # What is stored already, as adding up the campaigns writes it (queries/coverage.py REFRESH_POINTS).
    op.execute("""
        INSERT INTO campaign_point (campaign_id, household_id, admin_code, screened, flag_codes, point)
        SELECT ca.id, h.id, h.admin_code, ch.screening_version_id IS NOT NULL, coalesce(ch.flag_codes, '{}'),
            coalesce(ch.screening_location, h.location)
        FROM campaign ca JOIN household h ON h.project_id = ca.project_id
        LEFT JOIN campaign_household ch ON ch.campaign_id = ca.id AND ch.household_id = h.id
        WHERE coalesce(ch.screening_location, h.location) IS NOT NULL
        ORDER BY ca.id, h.admin_code, h.id""")
    op.create_index('idx_campaign_point_point', 'campaign_point', ['point'], unique=False, postgresql_using='gist')
    # Tiles read neither any more: each was one more index for ingest to write.
    op.drop_index('ix_campaign_household_located', table_name='campaign_household')
    op.drop_index('idx_campaign_household_screening_location', table_name='campaign_household',
                  postgresql_using='gist')


def downgrade():
    op.create_index('idx_campaign_household_screening_location', 'campaign_household', ['screening_location'],
                    unique=False, postgresql_using='gist')
    op.create_index('ix_campaign_household_located', 'campaign_household', ['campaign_id', 'household_id'],
                    postgresql_where=sa.text('screening_location IS NOT NULL'))
    op.drop_index('idx_campaign_point_point', table_name='campaign_point', postgresql_using='gist')
    op.drop_table('campaign_point')
