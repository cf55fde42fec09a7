"""cluster risk: per village and campaign, the households with a flag of R1, R4, R8 or R9 (R21's numerator),
counted at once for the numbers already kept

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 19:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# app.core.rules.flags.CLUSTER_CODES as this revision counts them (a migration is history: not imported).
CLUSTER_CODES = "{income_below_line,rigid_expense,housing_unsafe,water_unsafe}"


def upgrade():
    op.add_column('campaign_village', sa.Column('households_cluster_risk', sa.Integer(), server_default='0',
                                                nullable=False))
    op.execute(f"""
        UPDATE campaign_village v SET households_cluster_risk = n.households
        FROM (SELECT campaign_id, village, count(*) AS households FROM campaign_household
              WHERE flag_codes && '{CLUSTER_CODES}'::varchar[] GROUP BY 1, 2) n
        WHERE n.campaign_id = v.campaign_id AND n.village = v.village""")


def downgrade():
    op.drop_column('campaign_village', 'households_cluster_risk')
