"""form drafts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 08:53:26.306378

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('form', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft_version_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('draft_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('draft_actor_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_form_draft_token'), ['draft_token'])
        batch_op.create_foreign_key('fk_form_draft_version', 'form_version', ['draft_version_id'], ['id'], use_alter=True)
        batch_op.create_foreign_key(batch_op.f('fk_form_draft_actor_id_actor'), 'actor', ['draft_actor_id'], ['id'])

    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False))
        batch_op.alter_column('published_at',
               existing_type=postgresql.TIMESTAMP(timezone=True),
               nullable=True,
               server_default=None)
    op.execute("UPDATE form_version SET created_at = published_at")

    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_draft', sa.Boolean(), server_default='false', nullable=False))



def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('is_draft')

    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.alter_column('published_at',
               existing_type=postgresql.TIMESTAMP(timezone=True),
               nullable=False,
               server_default=sa.text('now()'))
        batch_op.drop_column('created_at')

    with op.batch_alter_table('form', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_form_draft_actor_id_actor'), type_='foreignkey')
        batch_op.drop_constraint('fk_form_draft_version', type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_form_draft_token'), type_='unique')
        batch_op.drop_column('draft_actor_id')
        batch_op.drop_column('draft_token')
        batch_op.drop_column('draft_version_id')

