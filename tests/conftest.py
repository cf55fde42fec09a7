"""Test fixtures: a real PostGIS started for the session, the app on a real HTTP port."""
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import psycopg
import pytest

# Helpers under tests/support assert too; show their failures as clearly as a test's own (before
# they are imported).
pytest.register_assert_rewrite("tests.support")
from sqlalchemy import text  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from tests.support.collect import CollectClient  # noqa: E402

PGBIN = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
REPO = Path(__file__).resolve().parents[1]
# Real ODK forms from public repositories, with their sources and licences (MANIFEST.md,
# LICENSES/): kept in the repository so the suite passes from any clone.
REAL_FORMS = REPO / "tests" / "data" / "real-forms"


def _as_postgres(cmd: list[str]) -> None:
    if os.geteuid() == 0:   # PostgreSQL refuses to run as root
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def database_url():
    """A throwaway PostGIS cluster in a temporary directory (or TEST_DATABASE_URL)."""
    if os.environ.get("TEST_DATABASE_URL"):
        yield os.environ["TEST_DATABASE_URL"]
        return
    tmp = tempfile.mkdtemp(prefix="dixian-pg-")
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = f"{tmp}/data"
    _as_postgres([f"{PGBIN}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "-N"])
    # Durability off: the tests measure behaviour, not speed (the benchmark keeps it on).
    _as_postgres([f"{PGBIN}/pg_ctl", "-D", data, "-l", f"{tmp}/log", "-w", "start", "-o",
                  f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off "
                  "-c synchronous_commit=off -c full_page_writes=off"])
    try:
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE dixian_test")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/dixian_test"
    finally:
        _as_postgres([f"{PGBIN}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    from app import create_app

    data_dir = tmp_path_factory.mktemp("data")
    os.environ["DIXIAN_DATA_DIR"] = str(data_dir)
    application = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BLOB_DIR": str(data_dir / "blobs"),
        "SECRET_KEY": "test-secret",
        "OPENROSA_ACCEPT_CONTENT_LENGTH": 5_000_000,
        "MAX_CONTENT_LENGTH": 6_000_000,
    })
    with application.app_context():
        upgrade()   # the real migrations, as `flask db upgrade` runs them
    yield application
    with application.app_context():
        from app.extensions import db
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()


@pytest.fixture()
def ctx(app):
    """An app context for calling services directly; tables are emptied afterwards."""
    with app.app_context():
        yield app
    _empty_tables(app)


@pytest.fixture()
def clean(app):
    yield
    _empty_tables(app)


def _empty_tables(app):
    from app.extensions import db
    from app.services.accounts import access_cache
    from app.services.coverage import tile_cache
    from app.services.monitoring.rulesets import forget_cached
    forget_cached()
    with app.app_context():
        access_cache.forget_all()
        tile_cache.forget_all()
        db.session.remove()
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        # Identities are not restarted: ids stay unique across tests (caches key on them).
        db.session.execute(text(f"TRUNCATE {tables} CASCADE"))
        db.session.commit()


@pytest.fixture()
def project(app, clean):
    from app.services.accounts.projects import create_project
    with app.app_context():
        return create_project("测试项目 Test project").id


@pytest.fixture()
def admin(app, clean):
    from app.services.accounts.users import create_user
    with app.app_context():
        create_user("admin@example.org", "correct horse battery", app.config["DIGEST_REALM"], admin=True)
    return ("admin@example.org", "correct horse battery")


@pytest.fixture()
def publish(app, project):
    """Publish a form file (with optional media folder) into the test project."""
    from app.services.forms.publish import publish_form

    def _publish(path: Path, media_dir: Path | None = None, project_id: int = project):
        media = {}
        if media_dir is not None:
            media = {p.name: p.read_bytes() for p in media_dir.iterdir() if p.is_file() and p != path}
        with app.app_context():
            result = publish_form(project_id, path.name, path.read_bytes(), media=media,
                                  blobs=app.extensions["blobstore"])
            return result.form.xml_form_id, result.version.version
    return _publish


@pytest.fixture()
def editor(project, live_server, admin):
    """A Collect client signed in (Digest) as an administrator, who may edit submissions: an edit
    (a deprecatedID) needs submission.update, which devices and data collectors do not have."""
    from requests.auth import HTTPDigestAuth
    return CollectClient(f"{live_server}/v1/projects/{project}", auth=HTTPDigestAuth(*admin))


@pytest.fixture()
def device(app, project, live_server):
    """An app user's Collect client, configured from the server URL its QR code would carry."""
    from app.services.accounts.app_users import create_app_user
    with app.app_context():
        _, token = create_app_user(project, "村干部 测试")
    return CollectClient(f"{live_server}/v1/key/{token}/projects/{project}")


@pytest.fixture()
def demo_county(app, project, publish, device, clean):
    """The demo county of the README's first run in the test project: places, 60 households placed in
    their villages, a campaign, and the example screening sent by a device of its village."""
    import re
    import uuid
    from datetime import date

    from app.services.accounts.app_users import assign_places
    from app.services.registry.imports import import_households, import_places
    demo = REPO / "demo"
    with app.app_context():
        import_places("places.csv", (demo / "places.csv").read_bytes())
        import_households(project, "households.csv", (demo / "households.csv").read_bytes())
        assign_places(project, "村干部 测试", ["429901001001", "429901001002"])
    publish(REPO / "forms" / "fpf_hh_screening.md")
    year = date.today().year
    result = app.test_cli_runner().invoke(args=["campaign", "create", str(project), "示范排查", "--start",
                                                f"{year}-01-01", "--end", f"{year}-12-31", "--forms",
                                                "fpf_hh_screening"])
    assert result.exit_code == 0, result.output
    example = (demo / "screening-example.xml").read_text(encoding="utf-8")
    xml = re.sub(r"uuid:[0-9a-f-]*", f"uuid:{uuid.uuid4()}", example).replace("2026-11-20", date.today().isoformat())
    assert device.post_submission(xml.encode(), {}).status_code == 201
    return project


@pytest.fixture()
def odk(live_server, admin, project, tmp_path):
    """pyodk signed in as an administrator of the test project (tests/support/pyodk_client.py)."""
    from tests.support.pyodk_client import pyodk_client
    client = pyodk_client(live_server, *admin, project, tmp_path)
    yield client
    client.close()
