"""coverage kept per campaign: latest submission per household and form, village numbers

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 11:04:43.431575

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign_change',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.BigInteger(), nullable=False)
    )
    op.create_table('campaign_latest',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('xml_form_id', sa.String(length=300), nullable=False),
    sa.Column('household_id', sa.BigInteger(), nullable=False),
    sa.Column('submission_version_id', sa.BigInteger(), nullable=False),
    sa.Column('surveyed_on', sa.Date(), nullable=False),
    sa.Column('admin_code', sa.String(length=15), nullable=True),
    sa.Column('persons', sa.Integer(), nullable=True),
    sa.Column('insured', sa.Integer(), nullable=True),
    sa.Column('school_age', sa.Integer(), nullable=True),
    sa.Column('out_of_school', sa.Integer(), nullable=True),
    sa.Column('housing_unsafe', sa.Boolean(), nullable=True),
    sa.Column('water_unsafe', sa.Boolean(), nullable=True),
    sa.Column('flag_codes', postgresql.ARRAY(sa.String(length=40)), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_latest_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'xml_form_id', 'household_id', name=op.f('pk_campaign_latest'))
    )
    op.create_table('campaign_village',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('village', sa.String(length=15), nullable=False),
    sa.Column('registered', sa.Integer(), nullable=False),
    sa.Column('screened', sa.Integer(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('insured', sa.Integer(), nullable=False),
    sa.Column('school_age', sa.Integer(), nullable=False),
    sa.Column('out_of_school', sa.Integer(), nullable=False),
    sa.Column('persons_housing_safe', sa.Integer(), nullable=False),
    sa.Column('persons_water_safe', sa.Integer(), nullable=False),
    sa.Column('flagged', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_village_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'village', name=op.f('pk_campaign_village'))
    )
    # Campaigns already there; their village numbers are added up when coverage is first read.
    op.execute("""
        INSERT INTO campaign_latest (campaign_id, xml_form_id, household_id, submission_version_id, surveyed_on,
            admin_code, persons, insured, school_age, out_of_school, housing_unsafe, water_unsafe, flag_codes)
        SELECT DISTINCT ON (c.id, a.xml_form_id, a.household_id)
            c.id, a.xml_form_id, a.household_id, a.submission_version_id, a.surveyed_on, a.admin_code,
            a.persons, a.insured, a.school_age, a.out_of_school, a.housing_unsafe, a.water_unsafe, a.flag_codes
        FROM campaign c
        JOIN submission_assessment a ON a.project_id = c.project_id AND a.xml_form_id = ANY(c.form_ids)
            AND a.surveyed_on BETWEEN c.starts_on AND c.ends_on AND a.household_id IS NOT NULL AND NOT a.is_draft
        ORDER BY c.id, a.xml_form_id, a.household_id, a.surveyed_on DESC, a.submission_version_id DESC
    """)


def downgrade():
    op.drop_table('campaign_village')
    op.drop_table('campaign_latest')
    op.drop_table('campaign_change')
