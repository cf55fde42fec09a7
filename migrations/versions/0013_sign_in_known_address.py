"""sign-in: addresses an account has signed in from, which the account-wide lock does not reach; a
user's Digest HA1 only for who signs in from Collect over plain http

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 04:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_known_address',
        sa.Column('pair', sa.String(length=320), nullable=False),
        sa.Column('signed_in_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('pair'),
    )
    op.alter_column('web_user', 'digest_ha1', existing_type=sa.String(length=32), nullable=True)


def downgrade():
    op.execute("UPDATE web_user SET digest_ha1 = '' WHERE digest_ha1 IS NULL")
    op.alter_column('web_user', 'digest_ha1', existing_type=sa.String(length=32), nullable=False)
    op.drop_table('sign_in_known_address')
