"""self-report: counts per address and link in fixed windows, and refusals per link

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 08:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'self_report_count',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('window', sa.String(length=6), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', 'window', 'starts_at'),
    )
    op.create_table(
        'public_link_refusal',
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['link_id'], ['public_link.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('link_id', 'reason', 'day'),
    )


def downgrade():
    op.drop_table('public_link_refusal')
    op.drop_table('self_report_count')
