"""self-report: public links, one per village, form and project

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 08:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'public_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('form_id', sa.Integer(), nullable=False),
        sa.Column('village', sa.String(length=15), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('salt', sa.LargeBinary(length=16), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=True),
        sa.Column('quota', sa.Integer(), nullable=True),
        sa.Column('reports', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['actor.id']),
        sa.ForeignKeyConstraint(['form_id'], ['form.id']),
        sa.ForeignKeyConstraint(['project_id'], ['project.id']),
        sa.ForeignKeyConstraint(['revoked_by'], ['actor.id']),
        sa.ForeignKeyConstraint(['village'], ['admin_unit.code']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_sha256'),
    )
    op.create_index('ix_public_link_project_id', 'public_link', ['project_id'], unique=False)
    op.create_index('ix_public_link_village', 'public_link', ['village'], unique=False)


def downgrade():
    op.drop_index('ix_public_link_village', table_name='public_link')
    op.drop_index('ix_public_link_project_id', table_name='public_link')
    op.drop_table('public_link')
