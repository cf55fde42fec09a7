"""household uuid: each household's stable id as an Entity of the read-only Entity List `households` (ODK
Central's entities are named by a UUID v4, central-backend lib/data/entity.js); existing households get
one each from gen_random_uuid() (PostgreSQL 13+, no extension), new ones from the same default. The feed
(`households.svc/Entities`) pages newest first by (created_at, id), as Central's entities do
(lib/model/query/entities.js streamForExport), from an index on the project and that order.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    # A volatile default: PostgreSQL evaluates it for each existing row as it adds the column.
    op.add_column('household', sa.Column('uuid', sa.Uuid(), server_default=sa.text('gen_random_uuid()'),
                                         nullable=False))
    op.create_index('ix_household_uuid', 'household', ['uuid'], unique=True)
    op.create_index('ix_household_project_created', 'household', ['project_id', 'created_at', 'id'])


def downgrade():
    op.drop_index('ix_household_project_created', table_name='household')
    op.drop_index('ix_household_uuid', table_name='household')
    op.drop_column('household', 'uuid')
