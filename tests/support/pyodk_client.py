"""pyodk, ODK's own Python client, pointed at the live test server as an analyst would point it at Central:
a config file with the base URL, an email and a password, and a default project.

pyodk signs in with POST /v1/sessions, checks the token with GET /v1/users/current, then parses every
response into its pydantic models, so a key Central always sends but Dixian left out fails here.
"""
from pathlib import Path

from pyodk.client import Client

from tests.support.people import PASSWORD, user_with_role


def pyodk_client(live_server: str, email: str, password: str, project: int, folder: Path) -> Client:
    """A signed-in pyodk Client; `folder` (a test's tmp_path) holds its config and token cache."""
    config = folder / f"pyodk-{email}.toml"
    config.write_text(f'[central]\nbase_url = "{live_server}"\nusername = "{email}"\n'
                      f'password = "{password}"\ndefault_project_id = {project}\n', encoding="utf-8")
    client = Client(config_path=str(config), cache_path=str(folder / f"pyodk-{email}-cache.toml"),
                    project_id=project)
    client.open()
    return client


def pyodk_as_role(app, live_server: str, project: int, role: str, folder: Path, places=()) -> Client:
    """pyodk signed in as a new user holding `role` on `places` of `project`."""
    email = user_with_role(app, project, role, places)
    return pyodk_client(live_server, email, PASSWORD, project, folder)


def app_users(client: Client):
    """pyodk's ProjectAppUserService on the client's session: 1.3.0 uses it inside projects.create_app_users and
    does not hang it on Client, so an analyst reaches it as pyodk._endpoints.project_app_users."""
    from pyodk._endpoints.project_app_users import ProjectAppUserService
    return ProjectAppUserService(session=client.session, default_project_id=client.project_id)


def form_assignments(client: Client):
    """pyodk's FormAssignmentService, likewise (pyodk._endpoints.form_assignments)."""
    from pyodk._endpoints.form_assignments import FormAssignmentService
    return FormAssignmentService(session=client.session, default_project_id=client.project_id)
