"""flask --app wsgi public-link ...: the public links residents self-report through, and their posters."""
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import AppGroup

from ..services.self_report import links, posters
from .common import PROJECT_ID, run

LINK_ID = click.IntRange(1, 2 ** 31 - 1)
LINK_ID.name = "link id"
public_link_cli = AppGroup("public-link", help="Public links for residents' self-reports (农户自主申报), per village.")


@public_link_cli.command("create")
@click.argument("project_id", type=PROJECT_ID)
@click.argument("form_id")
@click.option("--village", "villages", multiple=True, help="A village code (repeat for more).")
@click.option("--township", help="A township code: a link for each of its villages.")
@click.option("--expires", type=click.DateTime(["%Y-%m-%d"]), help="The last day the links open.")
@click.option("--quota", type=click.IntRange(1, 1_000_000), help="Reports each link takes at most.")
def create(project_id, form_id, villages, township, expires, quota):
    """A link to FORM_ID (the residents' self-report form) for each village, unless it has a live one;
    prints id, village, name, URL (the URL is the credential) and new | existing."""
    issued = run(links.create_links, project_id, form_id, list(villages), township=township,
                 expires_on=expires.date() if expires else None, quota=quota, **links.settings(current_app.config))
    for link in issued:
        click.echo(f"{link.id}\t{link.village}\t{link.village_name}\t{link.url}\t"
                   f"{'existing' if link.existing else 'new'}")


@public_link_cli.command("list")
@click.argument("project_id", type=PROJECT_ID)
@click.option("--township", help="Only this township's villages.")
def list_links(project_id, township):
    """id, form, village, name, expiry, reports/quota, state of each link and the reports it refused, by reason
    (URLs: see `posters`)."""
    for row in run(links.project_links, project_id, township=township):
        state = "revoked" if row.revoked else "live"
        refused = ",".join(f"{reason}={count}" for reason, count in sorted(row.refused.items())) or "-"
        click.echo(f"{row.id}\t{row.xml_form_id}\t{row.village}\t{row.village_name}\t{row.expires_on or '-'}\t"
                   f"{row.reports}/{row.quota or '-'}\t{state}\t{refused}")


@public_link_cli.command("revoke")
@click.argument("project_id", type=PROJECT_ID)
@click.argument("link_ids", nargs=-1, required=True, type=LINK_ID)
def revoke(project_id, link_ids):
    """Revoke links by id (as `list` shows them): they stop opening at once, on every worker."""
    outcome = run(links.revoke_links, project_id, list(link_ids))
    click.echo(f"revoked: {' '.join(map(str, outcome.revoked)) or 'none'}")
    if outcome.already:
        click.echo(f"revoked before: {' '.join(map(str, outcome.already))}")
    if outcome.unknown:
        raise click.ClickException(f"no link of project {project_id}: {' '.join(map(str, outcome.unknown))}")


@public_link_cli.command("posters")
@click.argument("project_id", type=PROJECT_ID)
@click.option("--township", required=True, help="The township whose villages' live links are printed.")
@click.option("--pdf", "pdf_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--hotline", default=None, help="The phone number printed (default: SELF_REPORT_HOTLINE).")
def make_posters(project_id, township, pdf_path, hotline):
    """One A4 poster per live link of the township's villages, as a PDF. The server's PUBLIC_URL and
    SECRET_KEY must be set as when the links were made."""
    issued = run(links.live_links, project_id, township=township, **links.settings(current_app.config))
    hotline = current_app.config["SELF_REPORT_HOTLINE"] if hotline is None else hotline
    document = run(posters.posters_pdf, issued, hotline=hotline)
    try:
        pdf_path.write_bytes(document)
    except OSError as e:
        raise click.ClickException(f"Cannot write {pdf_path}: {e.strerror}.") from None
    click.echo(f"{len(issued)} posters in {pdf_path}, links under {current_app.config['PUBLIC_URL']}/f/")
    if not hotline:
        click.echo("no hotline printed: give --hotline or set SELF_REPORT_HOTLINE", err=True)
    if urlsplit(current_app.config["PUBLIC_URL"]).hostname in ("127.0.0.1", "localhost", "::1"):
        click.echo("warning: PUBLIC_URL is this machine's loopback address; phones cannot open these links",
                   err=True)
