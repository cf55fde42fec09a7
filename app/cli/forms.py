"""Projects and forms: flask --app wsgi project|form ..."""
import json
from pathlib import Path
from urllib.parse import quote

import click
from flask import current_app
from flask.cli import AppGroup

from ..core.access import SYSTEM
from ..core.collect_settings import collect_settings, qr_payload
from ..services.accounts import app_users, projects
from ..services.forms import catalog as form_catalog
from ..services.forms.folder import publish_directory
from ..services.forms.publish import publish_draft, publish_form, set_form_state
from .common import PROJECT_ID, device_account, run, save_private_qr

project_cli = AppGroup("project", help="Projects.")
form_cli = AppGroup("form", help="Forms: publish, list, open/close.")


@project_cli.command("create")
@click.argument("name")
def project_create(name):
    project = run(projects.create_project, name)
    click.echo(project.id)


@project_cli.command("list")
def project_list():
    for p in projects.list_projects():
        click.echo(f"{p.id}\t{p.name}")


@form_cli.command("publish")
@click.argument("project_id", type=PROJECT_ID)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--media", "media_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with the form's media files (default: <file name>-media/ beside the form).")
@click.option("--draft", is_flag=True, help="Make it the form's draft, for testing on a device before publishing.")
@click.option("--qr-png", type=click.Path(dir_okay=False, path_type=Path), help="With --draft: the test QR code.")
def form_publish(project_id, files, media_dir, draft, qr_png):
    for path in files:
        folder = media_dir or path.with_name(f"{path.stem}-media")
        media = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}
        result = run(publish_form, project_id, path.name, path.read_bytes(), media=media,
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
        save_private_qr(payload, qr_png)
    click.echo(json.dumps({"server_url": server_url, "qr_payload": payload}, ensure_ascii=False))


@form_cli.command("publish-draft")
@click.argument("project_id", type=PROJECT_ID)
@click.argument("xml_form_id")
def form_publish_draft(project_id, xml_form_id):
    """Publish the form's draft; its test submissions are deleted."""
    form = run(publish_draft, project_id, xml_form_id)
    click.echo(f"published: {form.xml_form_id} version '{form.current_version.version}'")


@form_cli.command("state")
@click.argument("project_id", type=PROJECT_ID)
@click.argument("xml_form_id")
@click.argument("state", type=click.Choice(["open", "closing", "closed"]))
def form_state(project_id, xml_form_id, state):
    form = run(set_form_state, project_id, xml_form_id, state)
    click.echo(f"{form.xml_form_id}: {form.state}")


@form_cli.command("assign")
@click.argument("project_id", type=PROJECT_ID)
@click.argument("xml_form_id")
@click.argument("devices", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Take the form back from these devices.")
def form_assign(project_id, xml_form_id, devices, remove):
    """Give a form to chosen device accounts only (a form nobody is assigned goes to every device)."""
    ids = [run(app_users.find_app_user, project_id, device_account(d)).actor_id for d in devices]
    run(form_catalog.assign_form, project_id, xml_form_id, ids, assigned=not remove)
    click.echo(f"{xml_form_id}: {'taken from' if remove else 'assigned to'} {', '.join(devices)}")


@form_cli.command("list")
@click.argument("project_id", type=PROJECT_ID)
def form_list(project_id):
    for listing in form_catalog.form_listings(project_id, SYSTEM):
        form, version = listing.form, listing.version
        click.echo(f"{form.xml_form_id}\t{form.state}\t{version.version if version else ''}\t"
                   f"{version.title if version else ''}")


@form_cli.command("sync")
@click.argument("directory", default="forms", type=click.Path(file_okay=False, path_type=Path))
@click.option("--project", "project_name", help="Project name (default: DEFAULT_PROJECT_NAME).")
def form_sync(directory, project_name):
    """Publish every form in a folder into the default project; unchanged forms are left alone."""
    name = project_name or current_app.config["DEFAULT_PROJECT_NAME"]
    report = run(publish_directory, directory, name, blobs=current_app.extensions["blobstore"])
    click.echo(f"project {report.project_id} ({name})")
    for line in report.lines:
        click.echo(f"  {line}")
