"""The rendered configuration agrees with the app's settings, refuses settings that would change its
meaning, and a new front door takes over from one still running (scripts/serve.sh run again)."""
import re
import shutil

import pytest
import requests

from app import config
from app.frontdoor import render
from app.frontdoor.__main__ import main
from app.frontdoor.settings import SettingsError, from_environment
from app.frontdoor.supervise import FrontDoor
from tests.frontdoor.conftest import free_port, front_door_base, front_door_settings, wait_for_port


@pytest.fixture
def environment(monkeypatch):
    """scripts/serve.sh's environment, with the folders in a temporary place."""
    base = front_door_base()
    settings = {"SECRET_KEY": "test", "DIXIAN_DATA_DIR": str(base), "DIXIAN_RUN_DIR": str(base / "run"),
                "LOG_DIR": str(base / "log"), "BIND": "127.0.0.1:8000", "APP_BIND": "127.0.0.1:8001"}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    for name in ("TLS_CERT_FILE", "TLS_KEY_FILE", "OPENROSA_ACCEPT_CONTENT_LENGTH", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch
    shutil.rmtree(base, ignore_errors=True)


def test_the_front_doors_body_limit_for_submissions_is_flasks_and_elsewhere_smaller(environment):
    environment.setenv("OPENROSA_ACCEPT_CONTENT_LENGTH", "12345678")
    settings = from_environment()
    everywhere, *uploads = re.findall(r"client_max_body_size (\d+);", render.render(settings))
    assert len(uploads) == len(render.UPLOAD_LOCATIONS)
    for limit in uploads:
        assert int(limit) == config.from_environment()["MAX_CONTENT_LENGTH"]
        assert int(limit) > 12345678    # the advertised size counts files only; framing comes on top
    assert int(everywhere) == settings.other_body_bytes == 1_048_576


def test_settings_that_would_change_the_configurations_meaning_are_refused(environment):
    from_environment()
    refused = [("BIND", "127.0.0.1:8000; include /etc/nginx/nginx.conf"), ("BIND", "0.0.0.0:8000 ssl"),
               ("APP_BIND", "127.0.0.1:8000"), ("LOG_DIR", "/var/log/a b"), ("TLS_CERT_FILE", "/etc/cert.pem")]
    for name, value in refused:
        with environment.context() as changed:
            changed.setenv(name, value)
            with pytest.raises(SettingsError, match=name):
                from_environment()


def test_check_has_nginx_test_the_rendered_configuration(environment, tmp_path, capfd):
    assert main(["frontdoor", "check"]) == 0
    environment.setenv("TLS_CERT_FILE", str(tmp_path / "missing.pem"))
    environment.setenv("TLS_KEY_FILE", str(tmp_path / "missing.key"))
    assert main(["frontdoor", "check"]) == 1
    assert "missing.pem" in capfd.readouterr().err


def test_a_new_front_door_replaces_one_still_running():
    base = front_door_base()
    settings = front_door_settings(base, f"127.0.0.1:{free_port()}")
    first = FrontDoor(settings).start()
    second = None
    try:
        wait_for_port(int(settings.bind.rsplit(":", 1)[1]), first.process)
        second = FrontDoor(settings).start()     # same pid file and address, as serve.sh run twice
        assert first.wait() == 0
        wait_for_port(int(settings.bind.rsplit(":", 1)[1]), second.process)
        assert requests.head(f"http://{settings.bind}/v1/projects", timeout=10).status_code == 503
    finally:
        for door in (first, second):
            if door is not None and door.process.poll() is None:
                door.stop(grace_seconds=3)
        shutil.rmtree(base, ignore_errors=True)


def test_both_logs_are_there_from_the_start(start_front_door):
    door = start_front_door()
    assert requests.get(f"{door.url}/v1/projects", timeout=10).status_code == 401
    # nginx has warned about nothing, yet error.log is there to be watched (a new user's `tail -f`).
    assert door.settings.error_log.exists() and door.settings.error_log.read_bytes() == b""
    assert door.settings.access_log.exists()
