"""unknown place marks, and R21 over screened households: a place's seismic_ge7 and water_scarce may be null
(the places file left them blank: unknown, not "no", so R8b and R9a ask for them); each kept village's R21
numerator counted again over its screened households only, as its denominator is; and since when a household
has listed each person (household_person.since), so that `rules recompute` compares a screening with the
registry's persons listed before it arrived, as ingest did (issue 17's attack findings)

Numbered 0027, not 0026: another branch may add a 0026; whichever lands second must move its down_revision.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02 02:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

# app.core.rules.flags.CLUSTER_CODES as this revision counts them (a migration is history: not imported).
CLUSTER_CODES = "{income_below_line,rigid_expense,housing_unsafe,water_unsafe}"


def upgrade():
    # The marks already stored stay as they are: a 0 read from a blank cell cannot be told from a 0 written.
    for column in ('seismic_ge7', 'water_scarce'):
        op.alter_column('admin_unit', column, existing_type=sa.Boolean(), nullable=True)
    op.execute(f"""
        UPDATE campaign_village v SET households_cluster_risk = coalesce(n.households, 0)
        FROM campaign_village k
        LEFT JOIN (SELECT campaign_id, village, count(*) AS households FROM campaign_household
                   WHERE screening_version_id IS NOT NULL AND flag_codes && '{CLUSTER_CODES}'::varchar[]
                   GROUP BY 1, 2) n ON n.campaign_id = k.campaign_id AND n.village = k.village
        WHERE k.campaign_id = v.campaign_id AND k.village = v.village""")
    op.add_column('household_person', sa.Column('since', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                                                nullable=False))
    # The registry's persons listed so far: since the household was registered, the earliest they can have been
    # (a screening's are written again by `rules recompute`, in the order the screenings arrived).
    op.execute("UPDATE household_person p SET since = h.created_at FROM household h "
               "WHERE h.id = p.household_id AND p.source = 'registry'")


def downgrade():
    op.drop_column('household_person', 'since')
    op.execute("UPDATE admin_unit SET seismic_ge7 = coalesce(seismic_ge7, false), "
               "water_scarce = coalesce(water_scarce, false)")
    for column in ('seismic_ge7', 'water_scarce'):
        op.alter_column('admin_unit', column, existing_type=sa.Boolean(), nullable=False)
