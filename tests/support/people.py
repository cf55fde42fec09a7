"""People of a test project: users holding a role limited to some places, signed in as each door
signs them in (a bearer session for the API, Digest for OpenRosa)."""
import requests
from requests.auth import HTTPDigestAuth

from tests.support.collect import CollectClient

PASSWORD = "a long enough password"


def user_with_role(app, project: int, role: str, places=()) -> str:
    """Creates a user granted `role` on `project`, limited to `places` (admin codes); returns the email,
    which names the role and places (one such user per test)."""
    from app.services.accounts.grants import grant_role
    from app.services.accounts.users import create_user
    email = f"{role}-{'-'.join(places) or 'all'}@example.org"
    with app.app_context():
        create_user(email, PASSWORD, "Dixian")
        grant_role(project, email, role, places)
    return email


def bearer(app, live_server: str, project: int, role: str, places=()) -> dict:
    """The Authorization header of a new user with `role` on `places`, signed in through /v1/sessions."""
    email = user_with_role(app, project, role, places)
    token = requests.post(f"{live_server}/v1/sessions", json={"email": email, "password": PASSWORD},
                          timeout=10).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def digest_client(app, live_server: str, project: int, role: str, places=()) -> CollectClient:
    """Collect as a new user with `role` on `places` would be set up: OpenRosa with Digest."""
    email = user_with_role(app, project, role, places)
    return CollectClient(f"{live_server}/v1/projects/{project}", auth=HTTPDigestAuth(email, PASSWORD))
