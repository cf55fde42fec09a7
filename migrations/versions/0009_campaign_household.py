"""campaign rows per household (a column group per form); change log by village; household village index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 13:41:51.149095

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign_household',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.BigInteger(), nullable=False),
    sa.Column('village', sa.String(length=15), nullable=False),
    sa.Column('screening_version_id', sa.BigInteger(), nullable=True),
    sa.Column('screening_on', sa.Date(), nullable=True),
    sa.Column('persons', sa.Integer(), nullable=True),
    sa.Column('insured', sa.Integer(), nullable=True),
    sa.Column('school_age', sa.Integer(), nullable=True),
    sa.Column('out_of_school', sa.Integer(), nullable=True),
    sa.Column('screening_housing_unsafe', sa.Boolean(), nullable=True),
    sa.Column('screening_water_unsafe', sa.Boolean(), nullable=True),
    sa.Column('screening_flags', postgresql.ARRAY(sa.String(length=40)), server_default='{}', nullable=False),
    sa.Column('housing_version_id', sa.BigInteger(), nullable=True),
    sa.Column('housing_on', sa.Date(), nullable=True),
    sa.Column('housing_unsafe', sa.Boolean(), nullable=True),
    sa.Column('housing_flags', postgresql.ARRAY(sa.String(length=40)), server_default='{}', nullable=False),
    sa.Column('water_version_id', sa.BigInteger(), nullable=True),
    sa.Column('water_on', sa.Date(), nullable=True),
    sa.Column('water_unsafe', sa.Boolean(), nullable=True),
    sa.Column('water_flags', postgresql.ARRAY(sa.String(length=40)), server_default='{}', nullable=False),
    sa.Column('flag_codes', postgresql.ARRAY(sa.String(length=40)), server_default='{}', nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_household_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'household_id', name=op.f('pk_campaign_household'))
    )
    # Each household's rows of the three forms become one, counted in the village it is registered in.
    op.execute("""
        WITH latest AS (
            SELECT l.*, h.admin_code AS village FROM campaign_latest l JOIN household h ON h.id = l.household_id
            WHERE l.xml_form_id IN ('fpf_hh_screening', 'fpf_housing', 'fpf_water'))
        INSERT INTO campaign_household (campaign_id, household_id, village,
            screening_version_id, screening_on, persons, insured, school_age, out_of_school,
            screening_housing_unsafe, screening_water_unsafe, screening_flags,
            housing_version_id, housing_on, housing_unsafe, housing_flags,
            water_version_id, water_on, water_unsafe, water_flags, flag_codes)
        SELECT k.campaign_id, k.household_id, k.village,
            s.submission_version_id, s.surveyed_on, s.persons, s.insured, s.school_age, s.out_of_school,
            s.housing_unsafe, s.water_unsafe, coalesce(s.flag_codes, '{}'),
            hs.submission_version_id, hs.surveyed_on, hs.housing_unsafe, coalesce(hs.flag_codes, '{}'),
            w.submission_version_id, w.surveyed_on, w.water_unsafe, coalesce(w.flag_codes, '{}'),
            ARRAY(SELECT DISTINCT code FROM unnest(coalesce(s.flag_codes, '{}') || coalesce(hs.flag_codes, '{}')
                || coalesce(w.flag_codes, '{}')) AS code ORDER BY code)
        FROM (SELECT DISTINCT campaign_id, household_id, village FROM latest) k
        LEFT JOIN latest s ON (s.campaign_id, s.household_id, s.xml_form_id)
            = (k.campaign_id, k.household_id, 'fpf_hh_screening')
        LEFT JOIN latest hs ON (hs.campaign_id, hs.household_id, hs.xml_form_id)
            = (k.campaign_id, k.household_id, 'fpf_housing')
        LEFT JOIN latest w ON (w.campaign_id, w.household_id, w.xml_form_id)
            = (k.campaign_id, k.household_id, 'fpf_water')
    """)
    op.drop_table('campaign_latest')
    # The change log names villages; village numbers are added up afresh when next read.
    op.execute("DELETE FROM campaign_change")
    op.drop_column('campaign_change', 'household_id')
    op.add_column('campaign_change', sa.Column('village', sa.String(length=15), nullable=False))
    op.execute("DELETE FROM campaign_village")
    # Registered households are counted per village from this index; coverage no longer reads
    # assessments by campaign, and that index was a write on every ingest.
    op.create_index('ix_household_project_village', 'household', ['project_id', 'admin_code'], unique=False)
    op.drop_index('ix_submission_assessment_campaign', table_name='submission_assessment')


def downgrade():
    op.create_index('ix_submission_assessment_campaign', 'submission_assessment',
                    ['project_id', 'xml_form_id', 'surveyed_on'], unique=False)
    op.drop_index('ix_household_project_village', table_name='household')
    op.execute("DELETE FROM campaign_village")
    op.execute("DELETE FROM campaign_change")
    op.drop_column('campaign_change', 'village')
    op.add_column('campaign_change', sa.Column('household_id', sa.BigInteger(), nullable=False))
    op.create_table('campaign_latest',
    sa.Column('campaign_id', sa.INTEGER(), autoincrement=False, nullable=False),
    sa.Column('xml_form_id', sa.VARCHAR(length=300), autoincrement=False, nullable=False),
    sa.Column('household_id', sa.BIGINT(), autoincrement=False, nullable=False),
    sa.Column('submission_version_id', sa.BIGINT(), autoincrement=False, nullable=False),
    sa.Column('surveyed_on', sa.DATE(), autoincrement=False, nullable=False),
    sa.Column('admin_code', sa.VARCHAR(length=15), autoincrement=False, nullable=True),
    sa.Column('persons', sa.INTEGER(), autoincrement=False, nullable=True),
    sa.Column('insured', sa.INTEGER(), autoincrement=False, nullable=True),
    sa.Column('school_age', sa.INTEGER(), autoincrement=False, nullable=True),
    sa.Column('out_of_school', sa.INTEGER(), autoincrement=False, nullable=True),
    sa.Column('housing_unsafe', sa.BOOLEAN(), autoincrement=False, nullable=True),
    sa.Column('water_unsafe', sa.BOOLEAN(), autoincrement=False, nullable=True),
    sa.Column('flag_codes', postgresql.ARRAY(sa.VARCHAR(length=40)), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_latest_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'xml_form_id', 'household_id', name=op.f('pk_campaign_latest'))
    )
    for form, prefix, numbers in (
            ('fpf_hh_screening', 'screening', 'persons, insured, school_age, out_of_school, '
                                              'screening_housing_unsafe, screening_water_unsafe'),
            ('fpf_housing', 'housing', 'NULL, NULL, NULL, NULL, housing_unsafe, NULL'),
            ('fpf_water', 'water', 'NULL, NULL, NULL, NULL, NULL, water_unsafe')):
        op.execute(f"""
            INSERT INTO campaign_latest (campaign_id, xml_form_id, household_id, submission_version_id, surveyed_on,
                admin_code, persons, insured, school_age, out_of_school, housing_unsafe, water_unsafe, flag_codes)
            SELECT campaign_id, '{form}', household_id, {prefix}_version_id, {prefix}_on, village, {numbers},
                {prefix}_flags
            FROM campaign_household WHERE {prefix}_version_id IS NOT NULL
        """)
    op.drop_table('campaign_household')

