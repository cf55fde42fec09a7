"""campaign households located: a partial index of (campaign_id, household_id) over the campaign rows that
have a screening's point, so that a household tile leaves out the households it drew by their screening
with an index-only probe each, instead of reading every campaign row of the tile's registered households
(queries/tiles.py, issue 13's household tiles at zoom 12).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02 06:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_campaign_household_located', 'campaign_household', ['campaign_id', 'household_id'],
                    postgresql_where=sa.text('screening_location IS NOT NULL'))


def downgrade():
    op.drop_index('ix_campaign_household_located', table_name='campaign_household')
