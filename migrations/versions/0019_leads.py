"""self-report: risk leads and the reports that opened or joined them

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 08:25:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lead',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('village', sa.String(length=15), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('idno', sa.String(length=18), nullable=True),
        sa.Column('phone', sa.String(length=15), nullable=True),
        sa.Column('reports', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('merged_into', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['decided_by'], ['actor.id']),
        sa.ForeignKeyConstraint(['merged_into'], ['lead.id']),
        sa.ForeignKeyConstraint(['project_id'], ['project.id']),
        sa.ForeignKeyConstraint(['village'], ['admin_unit.code']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_lead_project_idno', 'lead', ['project_id', 'idno'], unique=False)
    op.create_index('ix_lead_project_phone', 'lead', ['project_id', 'phone'], unique=False)
    op.create_index('ix_lead_project_village_state', 'lead', ['project_id', 'village', 'state'], unique=False)
    op.create_table(
        'lead_report',
        sa.Column('submission_id', sa.BigInteger(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('submission_id'),
    )
    op.create_index('ix_lead_report_lead_id', 'lead_report', ['lead_id'], unique=False)


def downgrade():
    op.drop_index('ix_lead_report_lead_id', table_name='lead_report')
    op.drop_table('lead_report')
    op.drop_index('ix_lead_project_village_state', table_name='lead')
    op.drop_index('ix_lead_project_phone', table_name='lead')
    op.drop_index('ix_lead_project_idno', table_name='lead')
    op.drop_table('lead')
