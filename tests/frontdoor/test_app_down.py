"""While gunicorn is stopped, restarting or stuck, devices get a prompt 503 or 504 with Retry-After in
OpenRosa's format from the front door, never a refused connection or a hang; it serves again as soon
as gunicorn is back, without being restarted.

The front door runs here as scripts/serve.sh runs it: `python -m app.frontdoor run`, settings from
the environment.
"""
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import REPO
from tests.frontdoor.conftest import Gunicorn, free_port, front_door_base, submission, wait_for_port

OPENROSA = {"X-OpenRosa-Version": "1.0"}


@pytest.fixture(scope="module")
def own_gunicorn(gunicorn_env):
    """A gunicorn of this module's own, to stop and start; each test leaves it running."""
    server = Gunicorn(gunicorn_env, workers=1).start()
    yield server
    server.stop()
    shutil.rmtree(server.logs, ignore_errors=True)


@pytest.fixture
def front_door_cli(own_gunicorn, gunicorn_env):
    """`python -m app.frontdoor run` in front of own_gunicorn, waiting at most 2 s for its answers."""
    base = front_door_base()
    port = free_port()
    env = {**gunicorn_env, "BIND": f"127.0.0.1:{port}", "APP_BIND": own_gunicorn.address,
           "DIXIAN_RUN_DIR": str(base / "run"), "LOG_DIR": str(base / "log"), "DIXIAN_DATA_DIR": str(base),
           "APP_SECONDS": "2"}
    process = subprocess.Popen([sys.executable, "-m", "app.frontdoor", "run"], cwd=REPO, env=env)
    wait_for_port(port, process)
    yield f"http://127.0.0.1:{port}", process, base
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)
    shutil.rmtree(base, ignore_errors=True)


def collect_requests(url: str, device_path: str) -> list[requests.Response]:
    """What Collect sends: HEAD /submission, GET formList, POST a submission."""
    return [
        requests.head(f"{url}{device_path}/submission", headers=OPENROSA, timeout=10),
        requests.get(f"{url}{device_path}/formList", headers=OPENROSA, timeout=10),
        requests.post(f"{url}{device_path}/submission", headers=OPENROSA, files=submission()[1], timeout=10),
    ]


def test_devices_get_503_with_retry_after_while_gunicorn_is_stopped_and_service_once_it_is_back(
        front_door_cli, own_gunicorn, site):
    url, front_door, base = front_door_cli
    assert [r.status_code for r in collect_requests(url, site.device_path)] == [204, 200, 201]

    own_gunicorn.stop()
    started = time.monotonic()
    answers = collect_requests(url, site.device_path)
    assert time.monotonic() - started < 3
    for answer in answers:
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "10"
        assert answer.headers["X-OpenRosa-Version"] == "1.0"
        assert answer.headers["Content-Type"].startswith("text/xml")
    assert "The server is restarting or not running" in answers[1].text
    assert answers[1].text.startswith('<OpenRosaResponse xmlns="http://openrosa.org/http/response"')

    own_gunicorn.start()
    assert [r.status_code for r in collect_requests(url, site.device_path)] == [204, 200, 201]

    # TERM ends nginx and then the front door, with the error log written and masked.
    front_door.terminate()
    assert front_door.wait(timeout=10) == 0
    error_log = (base / "log" / "error.log").read_bytes()
    assert b"connect() failed (111: Connection refused)" in error_log
    assert site.token.encode() not in error_log


def test_a_stuck_gunicorn_gets_devices_a_504_after_app_seconds_not_a_hang(front_door_cli, own_gunicorn, site):
    url, _, _ = front_door_cli
    os.killpg(own_gunicorn.process.pid, signal.SIGSTOP)      # master and worker: connections queue unanswered
    try:
        started = time.monotonic()
        answer = requests.get(f"{url}{site.device_path}/formList", headers=OPENROSA, timeout=10)
        waited = time.monotonic() - started
    finally:
        os.killpg(own_gunicorn.process.pid, signal.SIGCONT)
    assert answer.status_code == 504
    assert 1.5 < waited < 5
    assert answer.headers["Retry-After"] == "10"
    assert "did not answer in time" in answer.text
