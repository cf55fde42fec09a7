"""household person: each household's persons by normalised ID number, from the registry and its latest
screening, for R22 "person in two households" (issue 17); filled from the registry as it stands (screenings
are added by `rules recompute` or as they arrive)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 19:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'household_person',
        sa.Column('household_id', sa.BigInteger(), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('idno', sa.String(length=18), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['project_id'], ['project.id']),
        sa.PrimaryKeyConstraint('household_id', 'source', 'idno'),
    )
    op.create_index('ix_household_person_project_idno', 'household_person', ['project_id', 'idno'])
    # The registry's persons as core.idcard.normalise writes them (spaces out, upper-case; at most 18).
    op.execute(r"""
        INSERT INTO household_person (household_id, source, idno, project_id)
        SELECT DISTINCT h.id, 'registry', n.idno, h.project_id
        FROM household h
        CROSS JOIN LATERAL (SELECT h.head_idno AS raw
                            UNION ALL SELECT m->>'idno' FROM jsonb_array_elements(
                                CASE jsonb_typeof(h.members) WHEN 'array' THEN h.members ELSE '[]' END) m) ids
        CROSS JOIN LATERAL (SELECT upper(translate(ids.raw, E' \t\r\n\u00a0\u3000', '')) AS idno) n
        WHERE length(n.idno) BETWEEN 1 AND 18""")


def downgrade():
    op.drop_index('ix_household_person_project_idno', table_name='household_person')
    op.drop_table('household_person')
