#!/usr/bin/env bash
# Starts Dixian with everything it needs: packages, a local PostGIS (unless DATABASE_URL is
# given), migrations, the forms in forms/, then gunicorn on $BIND (default 127.0.0.1:8000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

export DIXIAN_DATA_DIR="${DIXIAN_DATA_DIR:-/var/lib/dixian}"   # blobs and the server secret
mkdir -p "$DIXIAN_DATA_DIR"

if [[ -z "${DATABASE_URL:-}" ]]; then
  # A Debian-managed cluster: its data lives in /var/lib/postgresql/15/dixian, outside the repo.
  port="${PGPORT:-5433}"
  if ! pg_lsclusters -h | awk '{print $2}' | grep -qx dixian; then
    pg_createcluster 15 dixian -p "$port" >/dev/null
  fi
  pg_ctlcluster 15 dixian status >/dev/null 2>&1 || pg_ctlcluster 15 dixian start
  port="$(pg_lsclusters -h | awk '$2 == "dixian" {print $3}')"
  runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -q <<'SQL'
DO $$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dixian') THEN
    CREATE ROLE dixian LOGIN PASSWORD 'dixian';
  END IF;
END$$;
SELECT 'CREATE DATABASE dixian OWNER dixian' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'dixian')\gexec
\c dixian
CREATE EXTENSION IF NOT EXISTS postgis;
SQL
  export DATABASE_URL="postgresql+psycopg://dixian:dixian@127.0.0.1:$port/dixian"
fi

# Once, before gunicorn forks: workers must never race to migrate.
.venv/bin/flask --app wsgi db upgrade
.venv/bin/flask --app wsgi form sync forms

# Each worker holds at most WORKER_CONNECTIONS keep-alive clients, so devices spread over all
# workers instead of piling onto the first one that accepts (measured by scripts/bench_ingest.py).
workers="${WORKERS:-$(( $(nproc) * 2 ))}"
exec .venv/bin/gunicorn --config python:app.serving --workers "$workers" --worker-class gthread \
  --threads "${THREADS:-4}" --worker-connections "${WORKER_CONNECTIONS:-8}" --bind "${BIND:-127.0.0.1:8000}" --no-control-socket wsgi:app
