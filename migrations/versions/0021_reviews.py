"""review: every change of a submission's review state, and comments on submissions (ODK Central's); a
project's submissions indexed by when they were received, for the review list's keyset paging

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 11:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'submission_review',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('submission_id', sa.BigInteger(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('from_state', sa.String(length=20), nullable=True),
        sa.Column('to_state', sa.String(length=20), nullable=False),
        sa.Column('bulk', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['actor.id']),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_submission_review_submission', 'submission_review', ['submission_id', 'id'])
    op.create_table(
        'submission_comment',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('submission_id', sa.BigInteger(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['actor.id']),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_submission_comment_submission', 'submission_comment', ['submission_id', 'id'])
    op.drop_index('ix_submission_project_id', table_name='submission')
    op.create_index('ix_submission_project_received', 'submission', ['project_id', 'created_at', 'id'])


def downgrade():
    op.drop_index('ix_submission_project_received', table_name='submission')
    op.create_index('ix_submission_project_id', 'submission', ['project_id'])
    op.drop_index('ix_submission_comment_submission', table_name='submission_comment')
    op.drop_table('submission_comment')
    op.drop_index('ix_submission_review_submission', table_name='submission_review')
    op.drop_table('submission_review')
