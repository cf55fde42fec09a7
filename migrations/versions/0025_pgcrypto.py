"""pgcrypto: SHA-1 in SQL, for the OData ids of repeat rows, which must be Central's
(sha1 of "Submissions#{instanceId}%%{group}#%%{repeat}#{i}", central-backend lib/data/odata.js hashId) so that
join keys an analyst saved from Central match ours; PostgreSQL's own sha224..sha512 have no SHA-1

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 01:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")


def downgrade():
    op.execute("DROP EXTENSION IF EXISTS pgcrypto")
