"""Web users and device accounts: flask --app wsgi user|app-user ..."""
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..core.access import ROLES, place_code
from ..core.collect_settings import collect_settings, qr_payload
from ..services import column_limits
from ..services.accounts import app_users, grants, projects, users
from ..services.accounts.app_users import assign_places
from .common import PROJECT_ID, device_account, run, save_private_qr

user_cli = AppGroup("user", help="Web users (administrators, supervisors).")
app_user_cli = AppGroup("app-user", help="Device accounts for ODK Collect.")


@user_cli.command("create")
@click.argument("email")
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--admin", is_flag=True, help="May do everything in every project.")
@click.option("--digest", is_flag=True, help="May sign in from ODK Collect over plain http (HTTP Digest). Keeps an "
              "unsalted MD5 of the password, which is weak if the database is ever read by others.")
def user_create(email, password, admin, digest):
    email = run(column_limits.EMAIL.clean, email.strip().lower())
    realm = current_app.config["DIGEST_REALM"] if digest else None
    user = run(users.create_user, email, password, realm, admin=admin)
    click.echo(json.dumps({"id": user.actor_id, "email": user.email, "admin": user.is_admin}))


@user_cli.command("grant")
@click.argument("project_id", type=PROJECT_ID)
@click.argument("email")
@click.argument("role", type=click.Choice(list(ROLES)))
@click.option("--place", "places", multiple=True, metavar="CODE",
              help="Limit the role to this county, township or village (12-digit code); repeat for more. "
                   "Without it the role covers the whole project.")
def user_grant(project_id, email, role, places):
    """Give a web user a role in a project (replaces their earlier role there)."""
    grant = run(grants.grant_role, project_id, column_limits.nfc(email), role, places)
    where = ", ".join(place_code(p) for p in grant.places) or "the whole project"
    click.echo(f"{email} is now {role} in project {project_id}, in {where}")


@app_user_cli.command("create")
@click.argument("project_id", type=PROJECT_ID)
@click.argument("name")
@click.option("--qr-png", type=click.Path(dir_okay=False, path_type=Path), help="Write the QR code here.")
def app_user_create(project_id, name, qr_png):
    name = run(column_limits.DEVICE_ACCOUNT_NAME.clean, name.strip())
    # Made with SECRET_KEY, so GET /v1/projects/{id}/app-users can show the token again (as Central does).
    app_user, token = run(app_users.create_app_user, project_id, name, secret_key=current_app.config["SECRET_KEY"])
    project = projects.require_project(project_id)
    server_url = f"{current_app.config['PUBLIC_URL']}/v1/key/{token}/projects/{project_id}"
    payload = qr_payload(collect_settings(server_url, project.name))
    if qr_png:
        save_private_qr(payload, qr_png)
    click.echo(json.dumps({"id": app_user.actor_id, "name": app_user.actor.display_name, "project_id": project_id,
                           "token": token, "server_url": server_url, "qr_payload": payload}, ensure_ascii=False))


@app_user_cli.command("revoke")
@click.argument("project_id", type=PROJECT_ID)
@click.argument("name_or_id")
def app_user_revoke(project_id, name_or_id):
    app_user = run(app_users.find_app_user, project_id, device_account(name_or_id))
    app_users.revoke_app_user(app_user)
    click.echo(f"revoked: {app_user.actor.display_name} (id {app_user.actor_id})")


@app_user_cli.command("list")
@click.argument("project_id", type=PROJECT_ID)
def app_user_list(project_id):
    for app_user in app_users.list_app_users(project_id):
        state = "active" if app_user.token_sha256 else "revoked"
        click.echo(f"{app_user.actor_id}\t{app_user.actor.display_name}\t{state}")


@app_user_cli.command("assign")
@click.argument("project_id", type=PROJECT_ID)
@click.argument("name_or_id")
@click.argument("village_codes", nargs=-1, required=True)
def app_user_assign(project_id, name_or_id, village_codes):
    """The villages a device covers; its pick-lists show only these (replaces earlier ones)."""
    run(assign_places, project_id, device_account(name_or_id), list(village_codes))
    click.echo(f"{name_or_id}: {len(village_codes)} village(s)")
