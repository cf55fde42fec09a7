"""registry members as of

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 11:23:11.309510

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.add_column(sa.Column('members_as_of', sa.Date(), nullable=True))



def downgrade():
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_column('members_as_of')

