"""assessments of current versions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 09:43:21.358341

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submission_assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_draft', sa.Boolean(), server_default='false', nullable=False))
    # From now on the table keeps current versions only.
    op.execute("DELETE FROM submission_assessment sa USING submission s "
               "WHERE s.id = sa.submission_id AND s.current_version_id <> sa.submission_version_id")
    op.execute("UPDATE submission_assessment sa SET is_draft = s.is_draft FROM submission s "
               "WHERE s.id = sa.submission_id")



def downgrade():
    with op.batch_alter_table('submission_assessment', schema=None) as batch_op:
        batch_op.drop_column('is_draft')

