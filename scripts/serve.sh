#!/usr/bin/env bash
# Starts Dixian with everything it needs: packages, a local PostGIS (unless DATABASE_URL is
# given), migrations, the forms in forms/, then gunicorn on a private loopback address ($APP_BIND)
# behind nginx, the front door, on $BIND (default 127.0.0.1:8000). `scripts/serve.sh stop` ends both.
# Run again while the server is up, it says so and exits 0, changing nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

export DIXIAN_DATA_DIR="${DIXIAN_DATA_DIR:-/var/lib/dixian}"   # blobs and the server secret
export DIXIAN_RUN_DIR="${DIXIAN_RUN_DIR:-/run/dixian}"         # pid files, nginx.conf; emptied at boot
export LOG_DIR="${LOG_DIR:-/var/log/dixian}"                   # the front door's access and error logs
export BIND="${BIND:-127.0.0.1:8000}" APP_BIND="${APP_BIND:-127.0.0.1:8001}"
PG_CLUSTER="${PG_CLUSTER:-dixian}"                             # the local cluster 15/$PG_CLUSTER

# The pid in $DIXIAN_RUN_DIR/$1 if that process still runs and is the program named $2 (after a reboot a
# stale file may name another process); else fails.
running() {
  local pid
  pid="$(cat "$DIXIAN_RUN_DIR/$1" 2>/dev/null)" || return 1
  grep -qaF -- "$2" "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

if [[ "${1:-}" == "stop" ]]; then
  # Both end gracefully on TERM, after the requests under way (the front door never starts nginx if
  # it is still starting); QUIT for an nginx whose front door was killed.
  stop() {
    local pid
    # It may have ended since it was found (nginx ends with its front door): not a failure.
    if pid="$(running "$2" "$3")"; then kill "-$1" "$pid" 2>/dev/null || true; fi
  }
  stop TERM gunicorn.pid gunicorn
  stop TERM frontdoor.pid app.frontdoor
  stop QUIT nginx.pid nginx
  # Returns once they have ended (gunicorn may take its 30 s graceful timeout), so that
  # `scripts/serve.sh stop; scripts/serve.sh` starts afresh instead of finding the server still up.
  for _ in $(seq 450); do
    if ! running gunicorn.pid gunicorn >/dev/null && ! running frontdoor.pid app.frontdoor >/dev/null \
        && ! running nginx.pid nginx >/dev/null; then
      echo "serve: stopped" >&2
      exit 0
    fi
    sleep 0.1
  done
  echo "serve: the server is still ending after 45 s; see its pid files in $DIXIAN_RUN_DIR" >&2
  exit 1
fi

# Already serving: nothing to do (starting a second front door would take the port from the first, and
# gunicorn would refuse its pid file). Restarting is `scripts/serve.sh stop`, then this again.
if pid="$(running gunicorn.pid gunicorn)"; then
  echo "serve: Dixian is already running (gunicorn, pid $pid; its pid files in $DIXIAN_RUN_DIR); nothing" \
       "changed. To restart it: scripts/serve.sh stop, then scripts/serve.sh; to load new code without a" \
       "gap: kill -HUP $pid" >&2
  exit 0
fi

scripts/setup.sh
mkdir -p "$DIXIAN_DATA_DIR"
# The front door's settings (a certificate path, BIND) are checked before anything starts.
.venv/bin/python -m app.frontdoor check

if [[ -z "${DATABASE_URL:-}" ]]; then
  # A Debian-managed cluster: its data lives in /var/lib/postgresql/15/$PG_CLUSTER, outside the repo.
  # One that exists already is used as it is (started if stopped, on its own port), with the role and
  # database dixian added if missing.
  if [[ ! "$PG_CLUSTER" =~ ^[A-Za-z0-9_-]+$ ]]; then
    echo "serve: PG_CLUSTER=$PG_CLUSTER: give a cluster name of letters, digits, '-' and '_'." >&2
    exit 2
  fi
  port="${PGPORT:-5433}"
  if ! pg_lsclusters -h | awk '$1 == "15" {print $2}' | grep -qxF -- "$PG_CLUSTER"; then
    pg_createcluster 15 "$PG_CLUSTER" -p "$port" >/dev/null
    # A quarter of the memory for PostgreSQL's buffers, as its manual suggests for a server of its own
    # (PG_SHARED_BUFFERS to choose): at Debian's 128 MB a county's kept export rows (~1.5 GB) did not stay
    # in them, and a CSV zip took 5 s instead of 3.3 (scripts/bench_export.py).
    buffers="${PG_SHARED_BUFFERS:-$(awk '/^MemTotal:/ {print int($2 / 4 / 1024) "MB"}' /proc/meminfo)}"
    pg_conftool 15 "$PG_CLUSTER" set shared_buffers "$buffers"
  fi
  pg_ctlcluster 15 "$PG_CLUSTER" status >/dev/null 2>&1 || pg_ctlcluster 15 "$PG_CLUSTER" start
  port="$(pg_lsclusters -h | awk -v name="$PG_CLUSTER" '$1 == "15" && $2 == name {print $3}')"
  runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -q <<'SQL'
DO $$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dixian') THEN
    CREATE ROLE dixian LOGIN PASSWORD 'dixian';
  END IF;
END$$;
SELECT 'CREATE DATABASE dixian OWNER dixian' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'dixian')\gexec
\c dixian
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgis;
SQL
  export DATABASE_URL="postgresql+psycopg://dixian:dixian@127.0.0.1:$port/dixian"
  echo "serve: DATABASE_URL=$DATABASE_URL" >&2
  database_export="DATABASE_URL='$DATABASE_URL' "
else
  # The operator's own URL: its password stays out of the journal, and out of the export line below
  # (a masked one pasted there would fail); they set it in the other shell as they set it here.
  echo "serve: DATABASE_URL as you gave it ($(sed -E 's#(://[^:/@]*:)[^/]*@#\1***@#' <<<"$DATABASE_URL"))" >&2
  database_export=""
fi

# What administration commands (flask --app wsgi ...) in another shell need to act on this server: its
# database and data folder, and the public URL they write into devices' settings (README, "First run").
if [[ -n "${TLS_CERT_FILE:-}" ]]; then scheme=https; else scheme=http; fi
echo "serve: for administration commands in another shell, in $(pwd):" >&2
echo "  export ${database_export}DIXIAN_DATA_DIR='$DIXIAN_DATA_DIR'" \
     "PUBLIC_URL='${PUBLIC_URL:-$scheme://$BIND}' DIXIAN_RUN_DIR='$DIXIAN_RUN_DIR'" >&2
[[ -n "$database_export" ]] || echo "  (and your DATABASE_URL)" >&2
echo "serve: the front door will listen on $scheme://$BIND (gunicorn, behind it, on $APP_BIND)" >&2

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
