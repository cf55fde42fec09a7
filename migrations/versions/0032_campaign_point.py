"""campaign points: where the map draws each registered household in each campaign (its latest screening's
point, else the registry's), whether it was screened and its flag codes, kept by triggers on campaign_household,
household and campaign, so that a household tile reads one range of one spatial index (issue 13; models.risk
CampaignPoint)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 09:00:00

"""
import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None

# One household's row in one campaign written again from what it is made of, as the transaction sees them:
# the registry's household (its village, its point) and its campaign row, if any (the screening's point, whether
# it was screened, its flags). No row where neither gives a point, nor for a household of another project.
_REFRESH = """
CREATE FUNCTION campaign_point_refresh(c integer, hh bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO campaign_point AS p (campaign_id, household_id, admin_code, screened, flag_codes, point)
    SELECT c, h.id, h.admin_code, ch.screening_version_id IS NOT NULL, coalesce(ch.flag_codes, '{}'),
        coalesce(ch.screening_location, h.location)
    FROM household h
    JOIN campaign ca ON ca.id = c AND ca.project_id = h.project_id
    LEFT JOIN campaign_household ch ON ch.campaign_id = c AND ch.household_id = h.id
    WHERE h.id = hh AND coalesce(ch.screening_location, h.location) IS NOT NULL
    ON CONFLICT (campaign_id, household_id) DO UPDATE SET admin_code = excluded.admin_code,
        screened = excluded.screened, flag_codes = excluded.flag_codes, point = excluded.point;
    IF NOT FOUND THEN
        DELETE FROM campaign_point WHERE campaign_id = c AND household_id = hh;
    END IF;
END $$
"""
# A campaign row written, changed or removed (ingest, edits, rebuilds): its household's row again.
_FROM_CAMPAIGN_ROW = """
CREATE FUNCTION campaign_point_from_campaign_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM campaign_point_refresh(OLD.campaign_id, OLD.household_id);
    ELSE
        PERFORM campaign_point_refresh(NEW.campaign_id, NEW.household_id);
    END IF;
    RETURN NULL;
END $$
"""
# A household registered, moved to another village or point: its row in every campaign of its project.
# (A household removed takes its rows with it: the foreign key cascades.)
_FROM_HOUSEHOLD = """
CREATE FUNCTION campaign_point_from_household() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM campaign_point_refresh(c.id, NEW.id) FROM campaign c WHERE c.project_id = NEW.project_id;
    RETURN NULL;
END $$
"""
# A new campaign: every located household of its project, unscreened (its campaign rows, written next by
# the same transaction, fire the trigger above).
_FROM_CAMPAIGN = """
CREATE FUNCTION campaign_point_from_campaign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO campaign_point (campaign_id, household_id, admin_code, screened, flag_codes, point)
    SELECT NEW.id, h.id, h.admin_code, false, '{}', h.location
    FROM household h WHERE h.project_id = NEW.project_id AND h.location IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$
"""
_TRIGGERS = [
    """CREATE TRIGGER campaign_point_of_campaign_row AFTER INSERT OR UPDATE OR DELETE ON campaign_household
       FOR EACH ROW EXECUTE FUNCTION campaign_point_from_campaign_row()""",
    """CREATE TRIGGER campaign_point_of_new_household AFTER INSERT ON household
       FOR EACH ROW EXECUTE FUNCTION campaign_point_from_household()""",
    # A registry import sets every column of every household it names: only a real move counts.
    """CREATE TRIGGER campaign_point_of_moved_household AFTER UPDATE OF location, admin_code, project_id ON household
       FOR EACH ROW WHEN (OLD.location IS DISTINCT FROM NEW.location OR OLD.admin_code IS DISTINCT FROM NEW.admin_code
                          OR OLD.project_id IS DISTINCT FROM NEW.project_id)
       EXECUTE FUNCTION campaign_point_from_household()""",
    """CREATE TRIGGER campaign_point_of_new_campaign AFTER INSERT ON campaign
       FOR EACH ROW EXECUTE FUNCTION campaign_point_from_campaign()""",
]


def upgrade():
    op.create_table(
        'campaign_point',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.BigInteger(), nullable=False),
        sa.Column('admin_code', sa.String(length=20), nullable=False),
        sa.Column('screened', sa.Boolean(), nullable=False),
        sa.Column('flag_codes', postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column('point', geoalchemy2.types.Geometry(geometry_type='POINT', srid=4326, spatial_index=False,
                                                      from_text='ST_GeomFromEWKT', name='geometry'), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('campaign_id', 'household_id'),
    )
    # What is stored already, as the triggers would have written it.
    op.execute("""
        INSERT INTO campaign_point (campaign_id, household_id, admin_code, screened, flag_codes, point)
        SELECT ca.id, h.id, h.admin_code, ch.screening_version_id IS NOT NULL, coalesce(ch.flag_codes, '{}'),
            coalesce(ch.screening_location, h.location)
        FROM campaign ca JOIN household h ON h.project_id = ca.project_id
        LEFT JOIN campaign_household ch ON ch.campaign_id = ca.id AND ch.household_id = h.id
        WHERE coalesce(ch.screening_location, h.location) IS NOT NULL""")
    op.create_index('idx_campaign_point_point', 'campaign_point', ['point'], unique=False, postgresql_using='gist')
    for statement in (_REFRESH, _FROM_CAMPAIGN_ROW, _FROM_HOUSEHOLD, _FROM_CAMPAIGN, *_TRIGGERS):
        op.execute(statement)
    # Tiles read neither any more: each was one more index for ingest to write.
    op.drop_index('ix_campaign_household_located', table_name='campaign_household')
    op.drop_index('idx_campaign_household_screening_location', table_name='campaign_household',
                  postgresql_using='gist')


def downgrade():
    op.create_index('idx_campaign_household_screening_location', 'campaign_household', ['screening_location'],
                    unique=False, postgresql_using='gist')
    op.create_index('ix_campaign_household_located', 'campaign_household', ['campaign_id', 'household_id'],
                    postgresql_where=sa.text('screening_location IS NOT NULL'))
    for trigger, table in (("campaign_point_of_campaign_row", "campaign_household"),
                           ("campaign_point_of_new_household", "household"),
                           ("campaign_point_of_moved_household", "household"),
                           ("campaign_point_of_new_campaign", "campaign")):
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    for function in ("campaign_point_from_campaign_row", "campaign_point_from_household",
                     "campaign_point_from_campaign", "campaign_point_refresh"):
        op.execute(f"DROP FUNCTION {function}")
    op.drop_index('idx_campaign_point_point', table_name='campaign_point', postgresql_using='gist')
    op.drop_table('campaign_point')
