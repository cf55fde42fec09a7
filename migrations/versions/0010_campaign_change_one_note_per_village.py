"""change log: one note per campaign and village (primary key), so it never outgrows the villages

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 10:05:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # Repeated notes of a village mean the same as one.
    op.execute("CREATE TEMPORARY TABLE noted AS SELECT DISTINCT campaign_id, village FROM campaign_change")
    op.execute("DELETE FROM campaign_change")
    op.execute("INSERT INTO campaign_change (campaign_id, village) SELECT campaign_id, village FROM noted")
    op.execute("DROP TABLE noted")
    op.create_primary_key('pk_campaign_change', 'campaign_change', ['campaign_id', 'village'])


def downgrade():
    op.drop_constraint('pk_campaign_change', 'campaign_change', type_='primary')
