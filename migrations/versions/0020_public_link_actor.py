"""self-report: each public link is an actor, the submitter of the reports sent under it

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 10:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('public_link', sa.Column('actor_id', sa.Integer(), nullable=True))
    # Links made before this revision get their actor now, named as new links name theirs.
    op.execute("""
        WITH made AS (
            SELECT l.id AS link_id, nextval(pg_get_serial_sequence('actor', 'id')) AS actor_id,
                   coalesce(u.name, l.village) || ' 自主申报链接' AS name, l.created_at
            FROM public_link l LEFT JOIN admin_unit u ON u.code = l.village
        ), actors AS (
            INSERT INTO actor (id, kind, display_name, created_at)
            SELECT actor_id, 'public_link', name, created_at FROM made
        )
        UPDATE public_link SET actor_id = made.actor_id FROM made WHERE made.link_id = public_link.id
    """)
    op.alter_column('public_link', 'actor_id', nullable=False)
    op.create_foreign_key('public_link_actor_id_fkey', 'public_link', 'actor', ['actor_id'], ['id'])


def downgrade():
    # The actors stay: the reports sent under the links name them as their submitter.
    op.drop_constraint('public_link_actor_id_fkey', 'public_link', type_='foreignkey')
    op.drop_column('public_link', 'actor_id')
