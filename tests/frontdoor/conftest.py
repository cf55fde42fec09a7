"""The front door's tests: real gunicorn serving the test database, real nginx (from scripts/setup.sh --dev)
in front of it, configured by the same renderer scripts/serve.sh uses (app/frontdoor)."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from app.config import request_body_limit
from app.frontdoor.settings import FrontDoorSettings
from app.frontdoor.supervise import NGINX, FrontDoor
from tests.conftest import REPO, _empty_tables

HERE = Path(__file__).resolve().parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
ADMIN = ("frontdoor-admin@example.org", "correct horse battery")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    """Until something accepts connections on `port`; fails if `process` ends first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"{process.args[0]} ended with status {process.returncode} before listening")
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def raw_exchange(port: int, request: bytes, timeout: float = 5) -> bytes:
    """Sends `request` byte for byte (as a broken client would), then no more, and returns all the server
    answered until it closed the connection. For requests nginx answers itself: a request it passes on
    is cancelled when the client half-closes (nginx takes it for a client gone)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
        return answer


@dataclass
class Gunicorn:
    """gunicorn serving the test database as scripts/serve.sh runs it (gthread, app.serving), on loopback."""
    env: dict
    workers: int = 2
    port: int = field(default_factory=free_port)
    logs: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="dixian-gunicorn-")))
    process: subprocess.Popen | None = None
    options: tuple[str, ...] = ()            # more command-line options, e.g. an access log format

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def error_log(self) -> Path:
        return self.logs / "error.log"

    @property
    def access_log(self) -> Path:
        return self.logs / "access.log"

    def start(self) -> "Gunicorn":
        self.process = subprocess.Popen(
            [str(GUNICORN), "--config", "python:app.serving", "--workers", str(self.workers),
             "--worker-class", "gthread", "--threads", "4", "--worker-connections", "8",
             "--bind", self.address, "--no-control-socket", "--log-level", "info",
             "--error-logfile", str(self.error_log), "--access-logfile", str(self.access_log), *self.options,
             "wsgi:app"],
            cwd=REPO, env=self.env, start_new_session=True)     # its own group: SIGSTOP reaches the workers
        wait_for_port(self.port, self.process)
        # The port is bound by the master before the workers have imported the app.
        requests.get(f"http://{self.address}/v1/projects", timeout=30)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


def gunicorn_environment(app, database_url: str, **more: str) -> dict:
    """The environment of a gunicorn serving the same database, blobs and secret as the test app."""
    env = {key: value for key, value in os.environ.items() if key != "FORWARDED_ALLOW_IPS"}
    env.update({
        "DATABASE_URL": database_url,
        "BLOB_DIR": app.config["BLOB_DIR"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "OPENROSA_ACCEPT_CONTENT_LENGTH": str(app.config["OPENROSA_ACCEPT_CONTENT_LENGTH"]),
        "PUBLIC_URL": "http://frontdoor.invalid",
        "BACKGROUND_JOBS_SECONDS": "0",
    }, **more)
    return env


@pytest.fixture(scope="package")
def gunicorn_env(app, database_url):
    return gunicorn_environment(app, database_url)


@pytest.fixture(scope="package")
def gunicorn(gunicorn_env):
    server = Gunicorn(gunicorn_env).start()
    yield server
    server.stop()
    shutil.rmtree(server.logs, ignore_errors=True)


@dataclass(frozen=True)
class Site:
    project_id: int
    token: str
    admin: tuple[str, str]

    @property
    def device_path(self) -> str:
        """The OpenRosa root a device's QR code gives it: /v1/key/{token}/projects/{id}."""
        return f"/v1/key/{self.token}/projects/{self.project_id}"


@pytest.fixture(scope="package")
def site(app):
    """A project with the probe form, a device account and an administrator, for the whole package."""
    from app.services.accounts.app_users import create_app_user
    from app.services.accounts.projects import create_project
    from app.services.accounts.users import create_user
    from app.services.forms.publish import publish_form

    form = HERE / "probe_form.md"
    with app.app_context():
        project_id = create_project("前门 Front door").id
        publish_form(project_id, form.name, form.read_bytes(), blobs=app.extensions["blobstore"])
        _, token = create_app_user(project_id, "村干部 前门")
        create_user(*ADMIN, app.config["DIGEST_REALM"], admin=True)
    yield Site(project_id, token, ADMIN)
    _empty_tables(app)


def submission(note: str = "front door", photo: bytes | None = None) -> tuple[str, dict]:
    """A Collect-style multipart submission of the probe form: (instanceID, requests' `files`)."""
    instance_id = f"uuid:{uuid.uuid4()}"
    photo_name = "photo.jpg" if photo is not None else ""
    xml = (f'<data id="frontdoor_probe" version="1"><note>{note}</note><photo>{photo_name}</photo>'
           f"<meta><instanceID>{instance_id}</instanceID></meta></data>").encode()
    files = {"xml_submission_file": ("submission.xml", xml, "text/xml")}
    if photo is not None:
        files[photo_name] = (photo_name, photo, "image/jpeg")
    return instance_id, files


class RunningFrontDoor:
    def __init__(self, door: FrontDoor, base: Path):
        self.door, self.base = door, base

    @property
    def settings(self) -> FrontDoorSettings:
        return self.door.settings

    @property
    def port(self) -> int:
        return int(self.settings.bind.rsplit(":", 1)[1])

    @property
    def url(self) -> str:
        return f"{'https' if self.settings.tls else 'http'}://{self.settings.bind}"

    def stop(self) -> None:
        """Ends nginx and waits until its last error line is written."""
        if self.door.process is not None and self.door.process.poll() is None:
            self.door.stop(grace_seconds=3)


def front_door_settings(base: Path, upstream: str, **overrides) -> FrontDoorSettings:
    """Settings as from_environment() would give them, with the folders under `base`."""
    accept = overrides.pop("accept_bytes", 5_000_000)
    return FrontDoorSettings(
        bind=f"127.0.0.1:{free_port()}", app_bind=upstream, accept_bytes=accept,
        body_limit_bytes=request_body_limit(accept), run_dir=base / "run", log_dir=base / "log",
        temp_dir=base / "temp", **overrides).check()


def front_door_base() -> Path:
    """A folder for one front door. Not pytest's tmp_path: nginx's unprivileged workers must reach its
    temporary folder, and pytest's folders are private to root."""
    base = Path(tempfile.mkdtemp(prefix="dixian-frontdoor-"))
    base.chmod(0o755)
    return base


@pytest.fixture
def start_front_door(gunicorn):
    """start_front_door(upstream=gunicorn.address, **settings) -> RunningFrontDoor; ended after the test."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: run scripts/setup.sh --dev")
    running: list[RunningFrontDoor] = []

    def start(upstream: str | None = None, **overrides) -> RunningFrontDoor:
        base = front_door_base()
        settings = front_door_settings(base, upstream or gunicorn.address, **overrides)
        door = RunningFrontDoor(FrontDoor(settings).start(), base)
        running.append(door)
        wait_for_port(door.port, door.door.process)
        return door

    yield start
    for door in running:
        door.stop()
        shutil.rmtree(door.base, ignore_errors=True)
