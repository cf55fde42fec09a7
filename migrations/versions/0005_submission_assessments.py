"""submission assessments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 09:14:01.146091

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('submission_assessment',
    sa.Column('submission_version_id', sa.BigInteger(), nullable=False),
    sa.Column('submission_id', sa.BigInteger(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('xml_form_id', sa.String(length=300), nullable=False),
    sa.Column('household_id', sa.BigInteger(), nullable=True),
    sa.Column('admin_code', sa.String(length=15), nullable=True),
    sa.Column('surveyed_on', sa.Date(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=True),
    sa.Column('insured', sa.Integer(), nullable=True),
    sa.Column('school_age', sa.Integer(), nullable=True),
    sa.Column('out_of_school', sa.Integer(), nullable=True),
    sa.Column('housing_unsafe', sa.Boolean(), nullable=True),
    sa.Column('water_unsafe', sa.Boolean(), nullable=True),
    sa.Column('flag_codes', postgresql.ARRAY(sa.String(length=40)), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_submission_assessment_household_id_household')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_submission_assessment_project_id_project')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_assessment_submission_id_submission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_version_id'], ['submission_version.id'], name=op.f('fk_submission_assessment_submission_version_id_submission_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_version_id', name=op.f('pk_submission_assessment'))
    )
    with op.batch_alter_table('submission_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_assessment_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_submission_assessment_place', ['project_id', 'admin_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_assessment_submission_id'), ['submission_id'], unique=False)



def downgrade():
    with op.batch_alter_table('submission_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_assessment_submission_id'))
        batch_op.drop_index('ix_submission_assessment_place')
        batch_op.drop_index(batch_op.f('ix_submission_assessment_household_id'))

    op.drop_table('submission_assessment')
