"""form assignments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:55:56.788683

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_assignment',
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_form_assignment_actor_id_actor'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['form_id'], ['form.id'], name=op.f('fk_form_assignment_form_id_form'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('form_id', 'actor_id', name=op.f('pk_form_assignment'))
    )


def downgrade():
    op.drop_table('form_assignment')
