"""thumbnails: a photo's thumbnail, made once and kept as a blob of its own (formats.thumbnail)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 19:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'blob_thumbnail',
        sa.Column('blob_sha256', sa.String(length=64), nullable=False),
        sa.Column('edge', sa.SmallInteger(), nullable=False),
        sa.Column('thumbnail_sha256', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['blob_sha256'], ['blob.sha256'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['thumbnail_sha256'], ['blob.sha256']),
        sa.PrimaryKeyConstraint('blob_sha256', 'edge'),
    )


def downgrade():
    op.drop_table('blob_thumbnail')
