"""review: every change of a submission's review state, and comments on submissions (ODK Central's); a
project's submissions indexed by when they were received, for the review list's keyset paging; the SQL
functions exports write answers with (app/queries/exports.py)

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


# An answer as an export's cell, and the masks of ID numbers and phones, as core.tables and
# core.personal_fields write them in Python (tests/core/test_export_sql.py holds the two to each other).
# Written here, not imported from the app: a migration is history and must not change with the code.
EXPORT_FUNCTIONS = (
    """CREATE FUNCTION dixian_answer_text(answer jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE jsonb_typeof(answer)
            WHEN 'array' THEN (SELECT string_agg(value, ' ') FROM jsonb_array_elements_text(answer))
            WHEN 'null' THEN NULL
            ELSE answer #>> '{}' END $$""",
    """CREATE FUNCTION dixian_mask_idno(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN value IS NULL OR value = '' THEN value
            WHEN length(value) >= 15 THEN left(value, 4) || repeat('*', length(value) - 8) || right(value, 4)
            WHEN length(value) >= 6 THEN left(value, 1) || repeat('*', length(value) - 2) || right(value, 1)
            ELSE repeat('*', length(value)) END $$""",
    """CREATE FUNCTION dixian_mask_phone(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN value IS NULL OR value = '' THEN value
            WHEN length(value) >= 8 THEN left(value, 3) || repeat('*', length(value) - 7) || right(value, 4)
            WHEN length(value) > 2 THEN left(value, 1) || repeat('*', length(value) - 2) || right(value, 1)
            ELSE repeat('*', length(value)) END $$""",
)


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
    for statement in EXPORT_FUNCTIONS:
        op.execute(statement)


def downgrade():
    for name in ("dixian_answer_text(jsonb)", "dixian_mask_idno(text)", "dixian_mask_phone(text)"):
        op.execute(f"DROP FUNCTION IF EXISTS {name}")
    op.drop_index('ix_submission_project_received', table_name='submission')
    op.create_index('ix_submission_project_id', 'submission', ['project_id'])
    op.drop_index('ix_submission_comment_submission', table_name='submission_comment')
    op.drop_table('submission_comment')
    op.drop_index('ix_submission_review_submission', table_name='submission_review')
    op.drop_table('submission_review')
