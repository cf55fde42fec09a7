"""places households risk flags

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 09:10:09.252907

"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_geospatial_table('admin_unit',
    sa.Column('code', sa.String(length=15), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('parent_code', sa.String(length=15), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('boundary', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('seismic_ge7', sa.Boolean(), nullable=False),
    sa.Column('water_scarce', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['parent_code'], ['admin_unit.code'], name=op.f('fk_admin_unit_parent_code_admin_unit')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_admin_unit'))
    )
    with op.batch_alter_table('admin_unit', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_admin_unit_boundary', ['boundary'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index(batch_op.f('ix_admin_unit_parent_code'), ['parent_code'], unique=False)

    op.create_table('ruleset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province', sa.String(length=2), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('body', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ruleset')),
    sa.UniqueConstraint('province', 'year', 'version', name=op.f('uq_ruleset_province_year_version'))
    )
    op.create_table('app_user_place',
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('admin_code', sa.String(length=15), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_app_user_place_actor_id_actor'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['admin_code'], ['admin_unit.code'], name=op.f('fk_app_user_place_admin_code_admin_unit')),
    sa.PrimaryKeyConstraint('actor_id', 'admin_code', name=op.f('pk_app_user_place'))
    )
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('form_ids', postgresql.ARRAY(sa.String(length=300)), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_campaign_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign')),
    sa.UniqueConstraint('project_id', 'name', name=op.f('uq_campaign_project_id_name'))
    )
    op.create_table('household',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('household_code', sa.String(length=40), nullable=False),
    sa.Column('admin_code', sa.String(length=15), nullable=False),
    sa.Column('head_name', sa.String(length=100), nullable=False),
    sa.Column('head_idno', sa.String(length=18), nullable=True),
    sa.Column('poverty_status', sa.String(length=20), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('last_pc_income', sa.Float(), nullable=True),
    sa.Column('members', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['admin_code'], ['admin_unit.code'], name=op.f('fk_household_admin_code_admin_unit')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_household_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household')),
    sa.UniqueConstraint('project_id', 'household_code', name=op.f('uq_household_project_id_household_code'))
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_admin_code'), ['admin_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_head_idno'), ['head_idno'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_project_id'), ['project_id'], unique=False)

    op.create_table('risk_flag',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('submission_version_id', sa.BigInteger(), nullable=False),
    sa.Column('submission_id', sa.BigInteger(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.BigInteger(), nullable=True),
    sa.Column('admin_code', sa.String(length=15), nullable=True),
    sa.Column('rule', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('explanation_zh', sa.Text(), nullable=False),
    sa.Column('explanation_en', sa.Text(), nullable=False),
    sa.Column('inputs', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('threshold', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('ruleset', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_risk_flag_household_id_household')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_risk_flag_project_id_project')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_risk_flag_submission_id_submission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_version_id'], ['submission_version.id'], name=op.f('fk_risk_flag_submission_version_id_submission_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_flag'))
    )
    with op.batch_alter_table('risk_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_flag_admin_code'), ['admin_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_flag_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_flag_submission_version_id'), ['submission_version_id'], unique=False)

    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('household_id', sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f('ix_submission_household_id'), ['household_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_submission_household_id_household'), 'household', ['household_id'], ['id'])



def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_submission_household_id_household'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_submission_household_id'))
        batch_op.drop_column('household_id')

    with op.batch_alter_table('risk_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_flag_submission_version_id'))
        batch_op.drop_index(batch_op.f('ix_risk_flag_household_id'))
        batch_op.drop_index(batch_op.f('ix_risk_flag_admin_code'))

    op.drop_table('risk_flag')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_project_id'))
        batch_op.drop_index(batch_op.f('ix_household_head_idno'))
        batch_op.drop_index(batch_op.f('ix_household_admin_code'))

    op.drop_table('household')
    op.drop_table('campaign')
    op.drop_table('app_user_place')
    op.drop_table('ruleset')
    with op.batch_alter_table('admin_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_unit_parent_code'))
        batch_op.drop_geospatial_index('idx_admin_unit_boundary', postgresql_using='gist', column_name='boundary')

    op.drop_geospatial_table('admin_unit')
