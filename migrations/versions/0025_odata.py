"""OData in SQL: pgcrypto (SHA-1 for the ids of repeat rows, which must be Central's: sha1 of
"Submissions#{instanceId}%%{group}#%%{repeat}#{i}", central-backend lib/data/odata.js hashId, so that join keys
saved from Central match; PostgreSQL's own sha224..sha512 have no SHA-1), a geo answer as OData writes it,
encodeURIComponent for navigation links, the index the OData pages walk (a form's submissions, newest first),
and answers compressed with lz4

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

# A coordinate as Collect writes it; no exponent and at most 20 integer digits, so the cast to float8 can
# neither fail nor overflow on whatever text was stored (an unreadable answer is kept as sent).
GEO_FUNCTION = r"""
CREATE FUNCTION dixian_odata_geo(kind text, raw text, wkt boolean) RETURNS json
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  number constant text := '^[-+]?([0-9]{1,20}(\.[0-9]*)?|\.[0-9]+)$';
  point text;
  parts text[];
  coordinates json[] := '{}';
  texts text[] := '{}';
  accuracies json[] := '{}';
  accurate boolean := false;
  position json;
  accuracy float8;
BEGIN
  IF raw IS NULL OR btrim(raw) = '' THEN
    RETURN NULL;
  END IF;
  FOREACH point IN ARRAY regexp_split_to_array(btrim(raw), '\s*;\s*') LOOP
    parts := regexp_split_to_array(btrim(point), '\s+');
    CONTINUE WHEN coalesce(array_length(parts, 1), 0) < 2 OR parts[1] !~ number OR parts[2] !~ number;
    IF parts[3] ~ number THEN
      position := json_build_array(parts[2]::float8, parts[1]::float8, parts[3]::float8);
      texts := texts || (parts[2]::float8 || ' ' || parts[1]::float8 || ' ' || parts[3]::float8);
    ELSE
      position := json_build_array(parts[2]::float8, parts[1]::float8);
      texts := texts || (parts[2]::float8 || ' ' || parts[1]::float8);
    END IF;
    coordinates := coordinates || position;
    accuracy := CASE WHEN parts[4] ~ number THEN parts[4]::float8 END;
    accurate := accurate OR accuracy IS NOT NULL;
    accuracies := accuracies || to_json(accuracy);
  END LOOP;
  IF cardinality(coordinates) = 0 THEN
    RETURN NULL;
  END IF;
  IF kind = 'geopoint' THEN
    IF wkt THEN
      RETURN to_json('POINT (' || texts[1] || ')');
    END IF;
    RETURN CASE WHEN accuracies[1] IS NULL OR accuracies[1]::text = 'null'
                THEN json_build_object('type', 'Point', 'coordinates', coordinates[1])
                ELSE json_build_object('type', 'Point', 'coordinates', coordinates[1],
                                       'properties', json_build_object('accuracy', accuracies[1])) END;
  END IF;
  IF wkt THEN
    RETURN to_json(CASE WHEN kind = 'geotrace' THEN 'LINESTRING (' || array_to_string(texts, ',') || ')'
                        ELSE 'POLYGON ((' || array_to_string(texts, ',') || '))' END);
  END IF;
  RETURN (json_build_object('type', CASE WHEN kind = 'geotrace' THEN 'LineString' ELSE 'Polygon' END,
                           'coordinates', CASE WHEN kind = 'geotrace' THEN to_json(coordinates)
                                               ELSE json_build_array(coordinates) END)::jsonb
         || CASE WHEN accurate THEN jsonb_build_object('properties', json_build_object('accuracies', accuracies))
                 ELSE '{}'::jsonb END)::json;
END
$$
"""

# JavaScript's encodeURIComponent, as Central writes an instanceID into a navigation link
# (Submissions('uuid%3A...')): UTF-8 bytes percent-encoded but for A-Z a-z 0-9 - _ . ! ~ * ' ( ).
URI_FUNCTION = r"""
CREATE FUNCTION dixian_uri_component(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT string_agg(CASE WHEN c ~ '^[A-Za-z0-9_.!~*''()-]$' THEN c
                         ELSE upper(regexp_replace(encode(convert_to(c, 'UTF8'), 'hex'), '(..)', '%\1', 'g')) END,
                    '' ORDER BY n)
  FROM regexp_split_to_table(value, '') WITH ORDINALITY AS t(c, n)
$$
"""


# Answers are read whole by every export, OData page and recompute: new versions keep them compressed with lz4,
# which decompresses several times faster than PostgreSQL's default pglz (rows already stored keep pglz until
# rewritten). A server built without lz4 keeps pglz.
LZ4 = """
DO $$ BEGIN
  ALTER TABLE submission_version ALTER COLUMN answers SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'lz4 is not available; answers stay compressed with pglz';
END $$
"""


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
    op.execute(LZ4)
    op.execute(GEO_FUNCTION)
    op.execute(URI_FUNCTION)
    op.create_index("ix_submission_form_id_id", "submission", ["form_id", "id"])


def downgrade():
    op.execute("ALTER TABLE submission_version ALTER COLUMN answers SET COMPRESSION pglz")
    op.drop_index("ix_submission_form_id_id", table_name="submission")
    op.execute("DROP FUNCTION IF EXISTS dixian_uri_component(text)")
    op.execute("DROP FUNCTION IF EXISTS dixian_odata_geo(text, text, boolean)")
    op.execute("DROP EXTENSION IF EXISTS pgcrypto")
