"""assessment indexes for coverage

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 09:33:50.433599

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('risk_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_flag_admin_code'))
        batch_op.drop_index(batch_op.f('ix_risk_flag_household_id'))

    with op.batch_alter_table('submission_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_assessment_household_id'))
        batch_op.drop_index(batch_op.f('ix_submission_assessment_place'))
        batch_op.drop_index(batch_op.f('ix_submission_assessment_submission_id'))
        batch_op.create_index('ix_submission_assessment_campaign', ['project_id', 'xml_form_id', 'surveyed_on'], unique=False)



def downgrade():
    with op.batch_alter_table('submission_assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_assessment_campaign')
        batch_op.create_index(batch_op.f('ix_submission_assessment_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_assessment_place'), ['project_id', 'admin_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_assessment_household_id'), ['household_id'], unique=False)

    with op.batch_alter_table('risk_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_flag_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_flag_admin_code'), ['admin_code'], unique=False)

