"""What the benchmarks share: a throwaway PostgreSQL, a synthetic county loaded into it, gunicorn in front."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app import create_app  # noqa: E402
from demo.county import DemoCounty, build_county  # noqa: E402
from demo.simulate import LoadedCounty, load_county  # noqa: E402

PGBIN = "/usr/lib/postgresql/15/bin"
VENV_BIN = REPO / ".venv" / "bin"


@dataclass
class BenchServer:
    pg_port: int
    url: str
    county: DemoCounty
    loaded: LoadedCounty

    def psql(self, sql: str) -> str:
        return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-d", "bench",
                               "-Atc", sql], check=True, capture_output=True, text=True).stdout.strip()


@contextmanager
def throwaway_cluster(*, durable: bool = True, keep: bool = False, settings: str = ""):
    """A fresh PostgreSQL cluster with an empty database `bench`, migrated: (port, folder). `durable`:
    fsync and synchronous_commit on; `settings`: more -c options. Its shared_buffers are a quarter of the
    memory, as scripts/serve.sh gives the cluster it creates. DATABASE_URL and DIXIAN_DATA_DIR are
    set in this process's environment. With `keep` it is left running afterwards (its URL is printed)."""
    tmp = tempfile.mkdtemp(prefix="dixian-bench-")
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
    pg_port = _free_port()
    _as_postgres([f"{PGBIN}/initdb", "-D", f"{tmp}/data", "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8"])
    quarter_mb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 4 // 2 ** 20
    options = f" -c shared_buffers={quarter_mb}MB" + ("" if durable else " -c synchronous_commit=off") + settings
    _as_postgres([f"{PGBIN}/pg_ctl", "-D", f"{tmp}/data", "-l", f"{tmp}/pg.log", "-w", "start", "-o",
                  f"-p {pg_port} -k {tmp} -c listen_addresses=127.0.0.1 -c max_connections=200{options}"])
    try:
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "postgres", "-qc",
                        "CREATE DATABASE bench"], check=True)
        os.environ.update({"DATABASE_URL": f"postgresql://postgres@127.0.0.1:{pg_port}/bench",
                           "DIXIAN_DATA_DIR": f"{tmp}/dixian"})
        subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=REPO, check=True,
                       capture_output=True)
        yield pg_port, tmp
    finally:
        if keep:
            print(f"database kept: postgresql://postgres@127.0.0.1:{pg_port}/bench (data in {tmp})")
        else:
            _as_postgres([f"{PGBIN}/pg_ctl", "-D", f"{tmp}/data", "-m", "fast", "-w", "stop"])
            shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def gunicorn_serving(*, workers: int = 4, threads: int = 4, worker_connections: int = 8, env: dict | None = None,
                     front_door: bool = False):
    """gunicorn as scripts/serve.sh runs it, on a free loopback port, for the environment's database;
    yields its URL. With `front_door`, nginx in front of it as serve.sh runs it too (app.frontdoor, one
    upstream connection a request, which spreads requests over the workers as in production), and the
    URL is the front door's."""
    http_port = _free_port()
    door_port = _free_port() if front_door else http_port
    environment = {**os.environ, "PUBLIC_URL": f"http://127.0.0.1:{door_port}", **(env or {})}
    gunicorn = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--config", "python:app.serving", "--workers", str(workers),
         "--worker-class", "gthread", "--threads", str(threads), "--worker-connections", str(worker_connections),
         "--bind", f"127.0.0.1:{http_port}", "--no-control-socket", "--log-level", "warning", "wsgi:app"],
        cwd=REPO, env=environment)
    door = None
    try:
        _wait_for_port(http_port, gunicorn)
        if front_door:
            # Its own folder, which nginx's workers (www-data) may enter, for its configuration, logs and
            # buffered bodies.
            run_dir = tempfile.mkdtemp(prefix="dixian-bench-door-")
            os.chmod(run_dir, 0o755)
            door = subprocess.Popen(
                [str(VENV_BIN / "python"), "-m", "app.frontdoor", "run"], cwd=REPO, env={
                    **environment, "BIND": f"127.0.0.1:{door_port}", "APP_BIND": f"127.0.0.1:{http_port}",
                    "DIXIAN_RUN_DIR": run_dir, "LOG_DIR": run_dir, "DIXIAN_DATA_DIR": run_dir})
            _wait_for_port(door_port, door)
        yield f"http://127.0.0.1:{door_port}"
    finally:
        if door is not None:
            door.send_signal(signal.SIGTERM)
            door.wait(timeout=30)
            shutil.rmtree(run_dir, ignore_errors=True)
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    """Until something listens on `port` (at most 10 s); SystemExit if `process` ends first."""
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"{process.args[0]} ended ({process.returncode}) before listening on {port}") from None
            time.sleep(0.1)


@contextmanager
def bench_server(*, villages: int, households: int, rules: str = "on", workers: int = 4, threads: int = 4,
                 worker_connections: int = 8, durable: bool = True, keep: bool = False):
    """A fresh cluster (durable: fsync and synchronous_commit on), migrated and loaded, behind gunicorn."""
    with throwaway_cluster(durable=durable, keep=keep) as (pg_port, _):
        os.environ["RISK_RULES"] = rules
        county = build_county(townships=max(1, villages // 16), villages=villages, households=households)
        app = create_app()
        with app.app_context():
            loaded = load_county(county, "bench", REPO / "forms", app.extensions["blobstore"])
            from app.extensions import db
            db.engine.dispose()
        with gunicorn_serving(workers=workers, threads=threads, worker_connections=worker_connections,
                              env={"RISK_RULES": rules}) as url:
            yield BenchServer(pg_port, url, county, loaded)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> None:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def clone_screenings(server: BenchServer, form: str, target: int) -> None:
    """Copy the submissions of `form` (with their versions and geo answers) under new instanceIDs until there
    are `target`: the issues allow bulk loading beyond what ingest sends."""
    seeded = int(server.psql("SELECT count(*) FROM submission s JOIN form f ON f.id = s.form_id "
                             f"WHERE f.xml_form_id = '{form}'"))
    copies = max(0, -(-target // seeded) - 1)
    server.psql(f"""
        CREATE TABLE bench_src AS SELECT s.id, s.instance_id, s.current_version_id FROM submission s
            JOIN form f ON f.id = s.form_id WHERE f.xml_form_id = '{form}';
        WITH copies AS (SELECT generate_series(1, {copies}) AS k),
        made AS (
            INSERT INTO submission (project_id, form_id, instance_id, submitter_id, admin_code, household_id,
                                    review_state, surveyed_on, is_draft, created_at)
            SELECT s.project_id, s.form_id, s.instance_id || '~' || c.k, s.submitter_id, s.admin_code, s.household_id,
                   s.review_state, s.surveyed_on, false, s.created_at + c.k * interval '1 millisecond'
            FROM submission s JOIN bench_src USING (id) CROSS JOIN copies c
            RETURNING id, instance_id)
        INSERT INTO submission_version (submission_id, form_id, form_version_id, instance_id, xml, xml_sha256, answers,
                                        problems, encrypted, submitter_id, received_at)
        SELECT m.id, v.form_id, v.form_version_id, m.instance_id, v.xml, v.xml_sha256, v.answers, v.problems,
               v.encrypted, v.submitter_id, v.received_at
        FROM made m JOIN bench_src b ON b.instance_id = split_part(m.instance_id, '~', 1)
        JOIN submission_version v ON v.id = b.current_version_id;
        UPDATE submission s SET current_version_id = v.id FROM submission_version v
            WHERE v.submission_id = s.id AND s.current_version_id IS NULL;
        INSERT INTO geo_answer (submission_version_id, form_id, field_path, repeat_positions, kind, raw, geom, altitude,
                                accuracy, problem)
        SELECT nv.id, g.form_id, g.field_path, g.repeat_positions, g.kind, g.raw, g.geom, g.altitude, g.accuracy,
               g.problem
        FROM submission_version nv JOIN bench_src b ON b.instance_id = split_part(nv.instance_id, '~', 1)
        JOIN geo_answer g ON g.submission_version_id = b.current_version_id
        WHERE nv.instance_id LIKE '%~%';
        DROP TABLE bench_src;
        ANALYZE;
    """)


def pad_members(server, members: int) -> None:
    """Make every screening's member repeat `members` long, from copies of its own members."""
    server.psql(f"""
        UPDATE submission_version SET answers = jsonb_set(answers, '{{member}}', jsonb_path_query_array(
            {' || '.join(["(answers->'member')"] * members)}, '$[0 to {members - 1}]'))
        WHERE jsonb_typeof(answers->'member') = 'array' AND jsonb_array_length(answers->'member') > 0
    """)
    server.psql("VACUUM ANALYZE submission_version")


def keep_kept_rows(server) -> None:
    """What the background jobs do a few hundred submissions a round (OData rows and CSV lines kept ahead of
    reads: services/submissions/odata_store.py), done now at once by `flask odata keep`; prints its last line."""
    keeping = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "odata", "keep"], cwd=REPO, check=True,
                             capture_output=True, text=True)
    print(keeping.stdout.strip().splitlines()[-1], flush=True)
    server.psql("VACUUM ANALYZE odata_row")


def count_screenings(server: BenchServer, form: str) -> int:
    """How many submissions `form` has, printed with their members (the member repeat's entries)."""
    total = int(server.psql(f"SELECT count(*) FROM submission s JOIN form f ON f.id = s.form_id "
                            f"WHERE f.xml_form_id = '{form}'"))
    members = int(server.psql("SELECT sum(jsonb_array_length(v.answers->'member')) FROM submission s "
                              "JOIN submission_version v ON v.id = s.current_version_id"))
    print(f"{total} screenings with {members} members ({members / total:.1f} each)", flush=True)
    return total


class KeptCounty:
    """What a benchmark's measure() needs of a county an earlier --keep run left: its database port and the
    URL of the server serving it (psql as BenchServer's)."""

    def __init__(self, pg_port: int, url: str):
        self.pg_port, self.url = pg_port, url

    psql = BenchServer.psql


@contextmanager
def kept_county(folder: str):
    """The county an earlier --keep run left running in `folder` (the data directory it printed), served again
    by one gunicorn worker without background jobs: yields a KeptCounty. Points this process's DATABASE_URL and
    DIXIAN_DATA_DIR at it too."""
    port = Path(folder, "data", "postmaster.pid").read_text().splitlines()[3]
    os.environ.update({"DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/bench",
                       "DIXIAN_DATA_DIR": f"{folder}/dixian"})
    with gunicorn_serving(workers=1, env={"BACKGROUND_JOBS_SECONDS": "0"}) as url:
        yield KeptCounty(int(port), url)


def signed_in(url: str):
    """A requests session of the administrator an earlier run made (admin_session)."""
    import requests
    http = requests.Session()
    token = http.post(f"{url}/v1/sessions", timeout=30,
                      json={"email": "bench@example.org", "password": "bench password 1"}).json()["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    return http


def admin_session(server: BenchServer):
    """The app (for direct service calls) and an HTTP session signed in as a new administrator."""
    import requests

    from app import create_app
    app = create_app()
    with app.app_context():
        from app.services.accounts.users import create_user
        create_user("bench@example.org", "bench password 1", app.config["DIGEST_REALM"], admin=True)
    http = requests.Session()
    token = http.post(f"{server.url}/v1/sessions", timeout=30,
                      json={"email": "bench@example.org", "password": "bench password 1"}).json()["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    return app, http
