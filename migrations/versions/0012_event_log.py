"""event log: one row per change, the audit trail and the queue of background work

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 04:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'event',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('occurred_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('project_id', sa.Integer(), nullable=True),
        sa.Column('place', sa.String(length=15), nullable=True),
        sa.Column('subject', sa.String(length=320), nullable=True),
        sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'"),
                  nullable=False),
        sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_event_actor_id_actor')),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_event_project_id_project')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
    )
    op.create_index('ix_event_project_id', 'event', ['project_id', 'id'])
    op.create_index('ix_event_awaiting', 'event', ['id'], postgresql_where=sa.text('processed_at IS NULL'))


def downgrade():
    op.drop_index('ix_event_awaiting', table_name='event')
    op.drop_index('ix_event_project_id', table_name='event')
    op.drop_table('event')
