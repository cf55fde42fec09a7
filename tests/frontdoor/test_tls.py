"""TLS at the front door: with a certificate configured, BIND speaks https, and the app knows it
(X-Forwarded-Proto from a trusted proxy), so it offers and accepts Basic authentication as over https."""
import subprocess

import pytest
import requests

from app import config

OPENROSA = {"X-OpenRosa-Version": "1.0"}


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def challenges(response: requests.Response) -> list[str]:
    return [value.split(" ", 1)[0] for value in response.raw.headers.getlist("WWW-Authenticate")]


def test_with_a_certificate_the_front_door_speaks_https_and_the_app_sees_it(start_front_door, site,
                                                                            certificate):
    cert, key = certificate
    door = start_front_door(tls_cert_file=str(cert), tls_key_file=str(key))
    assert door.url.startswith("https://")
    submission = f"{door.url}/v1/projects/{site.project_id}/submission"

    # Over https the app offers Basic beside Digest, and takes a password with it.
    asked = requests.head(submission, headers=OPENROSA, verify=str(cert), timeout=10)
    assert asked.status_code == 401
    assert challenges(asked) == ["Digest", "Basic"]
    signed_in = requests.head(submission, headers=OPENROSA, auth=site.admin, verify=str(cert), timeout=10)
    assert signed_in.status_code == 204
    # A device's token works as before.
    assert requests.head(f"{door.url}{site.device_path}/submission", headers=OPENROSA, verify=str(cert),
                         timeout=10).status_code == 204

    # Plain http to the https address: a clear 400, not a hang or garbage.
    plain = requests.head(submission.replace("https://", "http://"), headers=OPENROSA, timeout=10)
    assert plain.status_code == 400
    assert "speaks https" in requests.get(submission.replace("https://", "http://"), headers=OPENROSA,
                                          timeout=10).text


def test_without_a_certificate_passwords_stay_on_digest(start_front_door, site):
    door = start_front_door()
    submission = f"{door.url}/v1/projects/{site.project_id}/submission"
    asked = requests.head(submission, headers=OPENROSA, timeout=10)
    assert asked.status_code == 401
    assert challenges(asked) == ["Digest"]
    # A client cannot claim https through the front door: nginx replaces or removes those headers.
    spoofed = requests.head(submission, auth=site.admin, timeout=10, headers={
        **OPENROSA, "X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"})
    assert spoofed.status_code == 401


def test_public_url_defaults_to_https_when_a_certificate_is_set(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "test")
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    monkeypatch.setenv("BIND", "dixian.example.org:8443")
    monkeypatch.delenv("TLS_CERT_FILE", raising=False)
    assert config.from_environment()["PUBLIC_URL"] == "http://dixian.example.org:8443"
    monkeypatch.setenv("TLS_CERT_FILE", "/etc/dixian/cert.pem")
    assert config.from_environment()["PUBLIC_URL"] == "https://dixian.example.org:8443"
