"""Fixtures of the Central API tests."""
import pytest
import requests


@pytest.fixture()
def api(live_server, admin):
    """A requests session signed in (bearer) as the administrator of the `admin` fixture."""
    session = requests.Session()
    token = session.post(f"{live_server}/v1/sessions", json={"email": admin[0], "password": admin[1]},
                         timeout=10).json()["token"]
    session.headers["Authorization"] = f"Bearer {token}"
    return session
