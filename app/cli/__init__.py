"""Administrator commands: flask --app wsgi <group> <command> ..."""
import json
from pathlib import Path
from urllib.parse import quote

import click
import segno
from flask import Flask, current_app
from flask.cli import AppGroup

from ..core.collect_settings import collect_settings, qr_payload
from ..problems import Problem
from ..services import accounts, form_catalog, projects
from ..services.forms_directory import publish_directory
from ..services.publish_form import publish_draft, publish_form, set_form_state
from ..services.coverage import create_campaign
from ..services.recompute_flags import recompute_flags
from ..services.registry_import import assign_places, import_households, import_places
from ..services.rulesets import save_ruleset

user_cli = AppGroup("user", help="Web users (administrators, supervisors).")
project_cli = AppGroup("project", help="Projects.")
form_cli = AppGroup("form", help="Forms: publish, list, open/close.")
app_user_cli = AppGroup("app-user", help="Device accounts for ODK Collect.")
places_cli = AppGroup("places", help="Administrative places (行政区划).")
households_cli = AppGroup("households", help="The household registry (户).")
campaign_cli = AppGroup("campaign", help="Screening campaigns (排查批次).")
rules_cli = AppGroup("rules", help="Risk rules and their rulesets.")


class _ProblemAsClickError(click.ClickException):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)


def _run(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except Problem as e:
        raise _ProblemAsClickError(e) from None


@user_cli.command("create")
@click.argument("email")
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--admin", is_flag=True, help="May do everything in every project.")
def user_create(email, password, admin):
    user = _run(accounts.create_user, email, password, current_app.config["DIGEST_REALM"], admin=admin)
    click.echo(json.dumps({"id": user.actor_id, "email": user.email, "admin": user.is_admin}))


@user_cli.command("grant")
@click.argument("project_id", type=int)
@click.argument("email")
@click.argument("role", type=click.Choice(accounts.ROLES))
def user_grant(project_id, email, role):
    _run(accounts.grant_role, project_id, email, role)
    click.echo(f"{email} is now {role} in project {project_id}")


@project_cli.command("create")
@click.argument("name")
def project_create(name):
    project = _run(projects.create_project, name)
    click.echo(project.id)


@project_cli.command("list")
def project_list():
    for p in projects.list_projects():
        click.echo(f"{p.id}\t{p.name}")


@form_cli.command("publish")
@click.argument("project_id", type=int)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--media", "media_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with the form's media files (default: <file name>-media/ beside the form).")
@click.option("--draft", is_flag=True, help="Make it the form's draft, for testing on a device before publishing.")
@click.option("--qr-png", type=click.Path(dir_okay=False, path_type=Path), help="With --draft: the test QR code.")
def form_publish(project_id, files, media_dir, draft, qr_png):
    for path in files:
        folder = media_dir or path.with_name(f"{path.stem}-media")
        media = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}
        result = _run(publish_form, project_id, path.name, path.read_bytes(), media=media,
                      blobs=current_app.extensions["blobstore"], draft=draft)
        status = ("draft" if draft else "published") if result.created else "unchanged"
        click.echo(f"{status}: {result.form.xml_form_id} version '{result.version.version}' ({path.name})")
        for warning in result.warnings:
            click.echo(f"  warning: {warning}", err=True)
        if draft:
            _echo_draft_access(project_id, result.form, qr_png)


def _echo_draft_access(project_id: int, form, qr_png: Path | None) -> None:
    server_url = (f"{current_app.config['PUBLIC_URL']}/v1/test/{form.draft_token}/projects/{project_id}"
                  f"/forms/{quote(form.xml_form_id, safe='')}/draft")
    settings = collect_settings(server_url, f"[草稿 Draft] {form.draft_version.title}")
    settings["project"]["icon"] = "📝"
    payload = qr_payload(settings)
    if qr_png:
        segno.make(payload, error="l").save(str(qr_png), scale=6, border=4)
    click.echo(json.dumps({"server_url": server_url, "qr_payload": payload}, ensure_ascii=False))


@form_cli.command("publish-draft")
@click.argument("project_id", type=int)
@click.argument("xml_form_id")
def form_publish_draft(project_id, xml_form_id):
    """Publish the form's draft; its test submissions are deleted."""
    form = _run(publish_draft, project_id, xml_form_id)
    click.echo(f"published: {form.xml_form_id} version '{form.current_version.version}'")


@form_cli.command("state")
@click.argument("project_id", type=int)
@click.argument("xml_form_id")
@click.argument("state", type=click.Choice(["open", "closing", "closed"]))
def form_state(project_id, xml_form_id, state):
    form = _run(set_form_state, project_id, xml_form_id, state)
    click.echo(f"{form.xml_form_id}: {form.state}")


@form_cli.command("assign")
@click.argument("project_id", type=int)
@click.argument("xml_form_id")
@click.argument("devices", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Take the form back from these devices.")
def form_assign(project_id, xml_form_id, devices, remove):
    """Give a form to chosen device accounts only (a form nobody is assigned goes to every device)."""
    ids = [_run(accounts.find_app_user, project_id, d).actor_id for d in devices]
    _run(form_catalog.assign_form, project_id, xml_form_id, ids, assigned=not remove)
    click.echo(f"{xml_form_id}: {'taken from' if remove else 'assigned to'} {', '.join(devices)}")


@form_cli.command("list")
@click.argument("project_id", type=int)
def form_list(project_id):
    for form, version in form_catalog.all_forms(project_id):
        click.echo(f"{form.xml_form_id}\t{form.state}\t{version.version if version else ''}\t"
                   f"{version.title if version else ''}")


@form_cli.command("sync")
@click.argument("directory", default="forms", type=click.Path(file_okay=False, path_type=Path))
@click.option("--project", "project_name", help="Project name (default: DEFAULT_PROJECT_NAME).")
def form_sync(directory, project_name):
    """Publish every form in a folder into the default project; unchanged forms are left alone."""
    name = project_name or current_app.config["DEFAULT_PROJECT_NAME"]
    report = _run(publish_directory, directory, name, blobs=current_app.extensions["blobstore"])
    click.echo(f"project {report.project_id} ({name})")
    for line in report.lines:
        click.echo(f"  {line}")


@app_user_cli.command("create")
@click.argument("project_id", type=int)
@click.argument("name")
@click.option("--qr-png", type=click.Path(dir_okay=False, path_type=Path), help="Write the QR code here.")
def app_user_create(project_id, name, qr_png):
    app_user, token = _run(accounts.create_app_user, project_id, name)
    project = form_catalog.require_project(project_id)
    server_url = f"{current_app.config['PUBLIC_URL']}/v1/key/{token}/projects/{project_id}"
    payload = qr_payload(collect_settings(server_url, project.name))
    if qr_png:
        segno.make(payload, error="l").save(str(qr_png), scale=6, border=4)
    click.echo(json.dumps({"id": app_user.actor_id, "name": app_user.actor.display_name, "project_id": project_id,
                           "token": token, "server_url": server_url, "qr_payload": payload}, ensure_ascii=False))


@app_user_cli.command("revoke")
@click.argument("project_id", type=int)
@click.argument("name_or_id")
def app_user_revoke(project_id, name_or_id):
    app_user = _run(accounts.find_app_user, project_id, name_or_id)
    accounts.revoke_app_user(app_user)
    click.echo(f"revoked: {app_user.actor.display_name} (id {app_user.actor_id})")


@app_user_cli.command("list")
@click.argument("project_id", type=int)
def app_user_list(project_id):
    for app_user in accounts.list_app_users(project_id):
        state = "active" if app_user.token_sha256 else "revoked"
        click.echo(f"{app_user.actor_id}\t{app_user.actor.display_name}\t{state}")


@app_user_cli.command("assign")
@click.argument("project_id", type=int)
@click.argument("name_or_id")
@click.argument("village_codes", nargs=-1, required=True)
def app_user_assign(project_id, name_or_id, village_codes):
    """The villages a device covers; its pick-lists show only these (replaces earlier ones)."""
    _run(assign_places, project_id, name_or_id, list(village_codes))
    click.echo(f"{name_or_id}: {len(village_codes)} village(s)")


@places_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def places_import(file):
    """CSV (code, level, parent_code, name, seismic_ge7, water_scarce, boundary_geojson) or GeoJSON."""
    report = _run(import_places, file.name, file.read_bytes())
    click.echo(f"places: {report.created} added, {report.updated} updated")


@households_cli.command("import")
@click.argument("project_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def households_import(project_id, file):
    """CSV: household_id, village, head_name[, head_idno, poverty_status, category, status, last_pc_income, members]."""
    form_catalog.require_project(project_id)
    report = _run(import_households, project_id, file.name, file.read_bytes())
    click.echo(f"households: {report.created} added, {report.updated} updated")


@campaign_cli.command("create")
@click.argument("project_id", type=int)
@click.argument("name")
@click.option("--start", "starts_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--end", "ends_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--forms", "form_ids", required=True, help="Comma-separated form IDs, e.g. fpf_hh_screening,fpf_housing")
def campaign_create(project_id, name, starts_on, ends_on, form_ids):
    campaign = _run(create_campaign, project_id, name, starts_on.date(), ends_on.date(),
                    [f.strip() for f in form_ids.split(",") if f.strip()])
    click.echo(campaign.id)


@rules_cli.command("save")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def rules_save(file):
    """Store a ruleset (JSON); refused with the reason if a threshold is missing or contradictory."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise click.ClickException(f"{file.name} is not JSON: {e}") from None
    ruleset = _run(save_ruleset, data)
    click.echo(f"saved ruleset {ruleset.label}")


@rules_cli.command("recompute")
@click.argument("project_id", type=int)
def rules_recompute(project_id):
    """Raise every flag of a project again under the rulesets and registry now in force."""
    form_catalog.require_project(project_id)
    click.echo(f"re-assessed {_run(recompute_flags, project_id)} submission(s)")


def register(app: Flask) -> None:
    for group in (user_cli, project_cli, form_cli, app_user_cli, places_cli, households_cli, campaign_cli,
                  rules_cli):
        app.cli.add_command(group)
