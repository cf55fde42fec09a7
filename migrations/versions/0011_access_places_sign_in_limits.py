"""access: grants limited to places, failed sign-ins counted, Digest nonce counts remembered

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 01:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('project_role', sa.Column('places', postgresql.ARRAY(sa.String(length=15)),
                                            server_default=sa.text("'{}'"), nullable=False))
    op.create_table(
        'sign_in_failure',
        sa.Column('scope', sa.String(length=10), nullable=False),
        sa.Column('key', sa.String(length=320), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('first_failed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_sign_in_failure')),
    )
    op.create_table(
        'digest_nonce_use',
        sa.Column('nonce', sa.String(length=100), nullable=False),
        sa.Column('nc', sa.String(length=16), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('nonce', 'nc', name=op.f('pk_digest_nonce_use')),
    )
    op.create_index('ix_digest_nonce_use_used_at', 'digest_nonce_use', ['used_at'])


def downgrade():
    op.drop_index('ix_digest_nonce_use_used_at', table_name='digest_nonce_use')
    op.drop_table('digest_nonce_use')
    op.drop_table('sign_in_failure')
    op.drop_column('project_role', 'places')
