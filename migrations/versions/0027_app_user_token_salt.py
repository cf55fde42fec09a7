"""app user token salt: a device token made from a salt and the server's SECRET_KEY (HMAC), so that the
app-user list can show it again as ODK Central's does (central-backend lib/model/query/field-keys.js lists
each app user's token); only its SHA-256 is stored, as before. NULL for accounts made before this (their
token cannot be shown again) and for revoked ones.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02 09:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('app_user', sa.Column('token_salt', sa.LargeBinary(length=16), nullable=True))


def downgrade():
    op.drop_column('app_user', 'token_salt')
