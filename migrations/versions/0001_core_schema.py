"""core schema: projects, actors, forms, submissions, geo answers

Revision ID: eaf3feba5cf4
Revises: 
Create Date: 2026-11-22 08:23:38.038577

"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table('actor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actor'))
    )
    op.create_table('blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('md5', sa.String(length=32), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blob'))
    )
    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project'))
    )
    op.create_table('api_session',
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_api_session_actor_id_actor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_sha256', name=op.f('pk_api_session'))
    )
    with op.batch_alter_table('api_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_session_actor_id'), ['actor_id'], unique=False)

    op.create_table('app_user',
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_app_user_actor_id_actor'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_app_user_project_id_project')),
    sa.PrimaryKeyConstraint('actor_id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_app_user_token_sha256'))
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_app_user_project_id'), ['project_id'], unique=False)

    op.create_table('form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('xml_form_id', sa.String(length=300), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['actor.id'], name=op.f('fk_form_created_by_actor')),
    sa.ForeignKeyConstraint(['current_version_id'], ['form_version.id'], name='fk_form_current_version', use_alter=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_form_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form')),
    sa.UniqueConstraint('project_id', 'xml_form_id', name=op.f('uq_form_project_id_xml_form_id'))
    )
    with op.batch_alter_table('form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_project_id'), ['project_id'], unique=False)

    op.create_table('project_role',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_project_role_actor_id_actor'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_role_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'actor_id', name=op.f('pk_project_role'))
    )
    op.create_table('web_user',
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('digest_ha1', sa.String(length=32), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_web_user_actor_id_actor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('actor_id', name=op.f('pk_web_user')),
    sa.UniqueConstraint('email', name=op.f('uq_web_user_email'))
    )
    op.create_table('form_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=300), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('xml', sa.LargeBinary(), nullable=False),
    sa.Column('md5', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.LargeBinary(), nullable=True),
    sa.Column('source_name', sa.String(length=300), nullable=True),
    sa.Column('schema', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('warnings', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['form.id'], name=op.f('fk_form_version_form_id_form'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by'], ['actor.id'], name=op.f('fk_form_version_published_by_actor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_version')),
    sa.UniqueConstraint('form_id', 'version', name=op.f('uq_form_version_form_id_version'))
    )
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_version_form_id'), ['form_id'], unique=False)

    op.create_table('submission',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=300), nullable=False),
    sa.Column('current_version_id', sa.BigInteger(), nullable=True),
    sa.Column('submitter_id', sa.Integer(), nullable=False),
    sa.Column('admin_code', sa.String(length=20), nullable=True),
    sa.Column('review_state', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['current_version_id'], ['submission_version.id'], name='fk_submission_current_version', use_alter=True),
    sa.ForeignKeyConstraint(['form_id'], ['form.id'], name=op.f('fk_submission_form_id_form')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_submission_project_id_project')),
    sa.ForeignKeyConstraint(['submitter_id'], ['actor.id'], name=op.f('fk_submission_submitter_id_actor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission')),
    sa.UniqueConstraint('form_id', 'instance_id', name=op.f('uq_submission_form_id_instance_id'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_admin_code'), ['admin_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_form_id'), ['form_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_submitter_id'), ['submitter_id'], unique=False)

    op.create_table('form_attachment',
    sa.Column('form_version_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('blob_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['blob_sha256'], ['blob.sha256'], name=op.f('fk_form_attachment_blob_sha256_blob')),
    sa.ForeignKeyConstraint(['form_version_id'], ['form_version.id'], name=op.f('fk_form_attachment_form_version_id_form_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('form_version_id', 'name', name=op.f('pk_form_attachment'))
    )
    op.create_table('submission_version',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('submission_id', sa.BigInteger(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('form_version_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=300), nullable=False),
    sa.Column('deprecated_id', sa.String(length=300), nullable=True),
    sa.Column('instance_name', sa.Text(), nullable=True),
    sa.Column('xml', sa.LargeBinary(), nullable=False),
    sa.Column('xml_sha256', sa.String(length=64), nullable=False),
    sa.Column('answers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('problems', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('encrypted', sa.Boolean(), nullable=False),
    sa.Column('submitter_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=300), nullable=True),
    sa.Column('user_agent', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['form.id'], name=op.f('fk_submission_version_form_id_form')),
    sa.ForeignKeyConstraint(['form_version_id'], ['form_version.id'], name=op.f('fk_submission_version_form_version_id_form_version')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_version_submission_id_submission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitter_id'], ['actor.id'], name=op.f('fk_submission_version_submitter_id_actor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_version')),
    sa.UniqueConstraint('form_id', 'instance_id', name=op.f('uq_submission_version_form_id_instance_id'))
    )
    with op.batch_alter_table('submission_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_version_form_version_id'), ['form_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_version_submission_id'), ['submission_id'], unique=False)

    op.create_geospatial_table('geo_answer',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('submission_version_id', sa.BigInteger(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('field_path', sa.String(length=1000), nullable=False),
    sa.Column('repeat_positions', postgresql.ARRAY(sa.Integer()), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('geom', Geometry(srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('altitude', sa.Float(), nullable=True),
    sa.Column('accuracy', sa.Float(), nullable=True),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['form_id'], ['form.id'], name=op.f('fk_geo_answer_form_id_form')),
    sa.ForeignKeyConstraint(['submission_version_id'], ['submission_version.id'], name=op.f('fk_geo_answer_submission_version_id_submission_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_geo_answer'))
    )
    with op.batch_alter_table('geo_answer', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_geo_answer_geom', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index('ix_geo_answer_form_field', ['form_id', 'field_path'], unique=False)
        batch_op.create_index(batch_op.f('ix_geo_answer_submission_version_id'), ['submission_version_id'], unique=False)

    op.create_table('submission_attachment',
    sa.Column('submission_version_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('blob_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['blob_sha256'], ['blob.sha256'], name=op.f('fk_submission_attachment_blob_sha256_blob')),
    sa.ForeignKeyConstraint(['submission_version_id'], ['submission_version.id'], name=op.f('fk_submission_attachment_submission_version_id_submission_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_version_id', 'name', name=op.f('pk_submission_attachment'))
    )
    # The two "current version" pointers close a cycle, so they are added once both tables exist.
    op.create_foreign_key('fk_form_current_version', 'form', 'form_version', ['current_version_id'], ['id'])
    op.create_foreign_key('fk_submission_current_version', 'submission', 'submission_version',
                          ['current_version_id'], ['id'], deferrable=True, initially='DEFERRED')



def downgrade():
    op.drop_constraint('fk_submission_current_version', 'submission', type_='foreignkey')
    op.drop_constraint('fk_form_current_version', 'form', type_='foreignkey')
    op.drop_table('submission_attachment')
    with op.batch_alter_table('geo_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_geo_answer_submission_version_id'))
        batch_op.drop_index('ix_geo_answer_form_field')
        batch_op.drop_geospatial_index('idx_geo_answer_geom', postgresql_using='gist', column_name='geom')

    op.drop_geospatial_table('geo_answer')
    with op.batch_alter_table('submission_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_version_submission_id'))
        batch_op.drop_index(batch_op.f('ix_submission_version_form_version_id'))

    op.drop_table('submission_version')
    op.drop_table('form_attachment')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_submitter_id'))
        batch_op.drop_index(batch_op.f('ix_submission_project_id'))
        batch_op.drop_index(batch_op.f('ix_submission_form_id'))
        batch_op.drop_index(batch_op.f('ix_submission_admin_code'))

    op.drop_table('submission')
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_version_form_id'))

    op.drop_table('form_version')
    op.drop_table('web_user')
    op.drop_table('project_role')
    with op.batch_alter_table('form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_project_id'))

    op.drop_table('form')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_user_project_id'))

    op.drop_table('app_user')
    with op.batch_alter_table('api_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_session_actor_id'))

    op.drop_table('api_session')
    op.drop_table('project')
    op.drop_table('blob')
    op.drop_table('actor')
