#!/usr/bin/env bash
# Starts Dixian with everything it needs: packages, a local PostGIS (unless DATABASE_URL is
# given), migrations, the forms in forms/, then gunicorn on a private loopback address ($APP_BIND)
# behind nginx, the front door, on $BIND (default 127.0.0.1:8000). `scripts/serve.sh stop` ends both.
set -euo pipefail
cd "$(dirname "$0")/.."

export DIXIAN_DATA_DIR="${DIXIAN_DATA_DIR:-/var/lib/dixian}"   # blobs and the server secret
export DIXIAN_RUN_DIR="${DIXIAN_RUN_DIR:-/run/dixian}"         # pid files, nginx.conf; emptied at boot
export LOG_DIR="${LOG_DIR:-/var/log/dixian}"                   # the front door's access and error logs
export BIND="${BIND:-127.0.0.1:8000}" APP_BIND="${APP_BIND:-127.0.0.1:8001}"

if [[ "${1:-}" == "stop" ]]; then
  # Both end gracefully on TERM, after the requests under way (the front door never starts nginx if
  # it is still starting); QUIT for an nginx whose front door was killed. A pid is signalled only if
  # it is still the program that wrote it.
  stop() {
    local pid
    pid="$(cat "$DIXIAN_RUN_DIR/$2" 2>/dev/null)" || return 0
    if grep -qaF -- "$3" "/proc/$pid/cmdline" 2>/dev/null; then kill "-$1" "$pid"; fi
  }
  stop TERM gunicorn.pid gunicorn
  stop TERM frontdoor.pid app.frontdoor
  stop QUIT nginx.pid nginx
  exit 0
fi

scripts/setup.sh
mkdir -p "$DIXIAN_DATA_DIR"
# The front door's settings (a certificate path, BIND) are checked before anything starts.
.venv/bin/python -m app.frontdoor check

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
# Temporary files of attachments a crash interrupted (old ones only: other machines may be writing).
.venv/bin/flask --app wsgi blobs clean

# nginx in front, in the background: it replaces a front door still running from an earlier start,
# and answers 503 with Retry-After whenever gunicorn is down, e.g. while it restarts.
.venv/bin/python -m app.frontdoor run &
echo $! > "$DIXIAN_RUN_DIR/frontdoor.pid"

# gunicorn gets only whole requests from nginx, one connection each, so its threads work and never
# wait on a client. Each worker holds at most WORKER_CONNECTIONS connections, so requests spread
# over all workers instead of piling onto the first one that accepts (scripts/bench_ingest.py).
workers="${WORKERS:-$(( $(nproc) * 2 ))}"
exec .venv/bin/gunicorn --config python:app.serving --workers "$workers" --worker-class gthread \
  --threads "${THREADS:-4}" --worker-connections "${WORKER_CONNECTIONS:-8}" --bind "$APP_BIND" \
  --pid "$DIXIAN_RUN_DIR/gunicorn.pid" --no-control-socket wsgi:app
