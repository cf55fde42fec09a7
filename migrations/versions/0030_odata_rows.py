"""OData rows kept: each submission's rows of each OData table as written for its current version, and how far
the background writer has come through each form (issue 16: a read hands stored text on instead of writing
JSON from the answers again; models/submission.py OdataRow, OdataStore)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02 15:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'odata_row',
        sa.Column('submission_id', sa.BigInteger(), nullable=False),
        sa.Column('table_path', sa.Text(), nullable=False),
        sa.Column('personal', sa.Boolean(), nullable=False),
        sa.Column('version_id', sa.BigInteger(), nullable=False),
        sa.Column('writer_key', sa.String(length=40), nullable=False),
        sa.Column('body', postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column('positions', postgresql.ARRAY(sa.Integer(), dimensions=2), nullable=True),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('submission_id', 'table_path', 'personal'),
    )
    op.create_table(
        'odata_store',
        sa.Column('form_id', sa.Integer(), nullable=False),
        sa.Column('writer_key', sa.String(length=40), nullable=False),
        sa.Column('written_through', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['form_id'], ['form.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('form_id'),
    )
    op.create_index('ix_submission_form_current_version', 'submission', ['form_id', 'current_version_id'])


def downgrade():
    op.drop_index('ix_submission_form_current_version', table_name='submission')
    op.drop_table('odata_store')
    op.drop_table('odata_row')
