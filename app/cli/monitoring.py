"""Places, the registry, campaigns and risk rules: flask --app wsgi places|households|campaign|rules ..."""
import json
from pathlib import Path

import click
from flask.cli import AppGroup

from ..core.household_standing import TERMS
from ..services.accounts import projects
from ..services.column_limits import CAMPAIGN_NAME, nfc
from ..services.coverage.campaigns import create_campaign
from ..services.monitoring.recompute import recompute_flags
from ..services.monitoring.rulesets import save_ruleset
from ..services.registry.imports import import_households, import_places
from .common import PROJECT_ID, run

places_cli = AppGroup("places", help="Administrative places (行政区划).")
households_cli = AppGroup("households", help="The household registry (户).")
campaign_cli = AppGroup("campaign", help="Screening campaigns (排查批次).")
rules_cli = AppGroup("rules", help="Risk rules and their rulesets.")


@places_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def places_import(file):
    """CSV (code, level, parent_code, name, seismic_ge7, water_scarce, boundary_geojson) or GeoJSON."""
    report = run(import_places, file.name, file.read_bytes())
    click.echo(f"places: {report.created} added, {report.updated} updated")


def _allowed_terms() -> str:
    return "; ".join(f"{column}: " + ", ".join(f"{code} ({names[0]})" for code, names in terms.items())
                     for column, terms in TERMS.items())


@households_cli.command("import", help=(
    "CSV: household_id, village, head_name[, head_idno, poverty_status, category, status, last_pc_income, "
    f"members, hh_size]. Allowed values (or their Chinese terms) - {_allowed_terms()}. members: a JSON list "
    "of {name, relation, idno}; hh_size (家庭人口数, 1-99) where no list is given. All rows or none."))
@click.argument("project_id", type=PROJECT_ID)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def households_import(project_id, file):
    projects.require_project(project_id)
    report = run(import_households, project_id, file.name, file.read_bytes())
    click.echo(f"households: {report.created} added, {report.updated} updated")
    for group in report.shared_ids:
        click.echo(f"warning: households {', '.join(group)} share the head's ID number (户主身份证号重复); "
                   "their screenings will be flagged until corrected")
    for group in sorted(set(report.shared_persons) - set(report.shared_ids)):
        click.echo(f"warning: households {', '.join(group)} list the same person (一人多户); "
                   "their later screenings will be flagged until corrected")


@campaign_cli.command("create")
@click.argument("project_id", type=PROJECT_ID)
@click.argument("name")
@click.option("--start", "starts_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--end", "ends_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--forms", "form_ids", required=True, help="Comma-separated form IDs, e.g. fpf_hh_screening,fpf_housing")
def campaign_create(project_id, name, starts_on, ends_on, form_ids):
    name = run(CAMPAIGN_NAME.clean, name.strip())
    campaign = run(create_campaign, project_id, name, starts_on.date(), ends_on.date(),
                    [nfc(f.strip()) for f in form_ids.split(",") if f.strip()])
    click.echo(campaign.id)


@rules_cli.command("save")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def rules_save(file):
    """Store a ruleset (JSON); refused with the reason if a threshold is missing or contradictory."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise click.ClickException(f"{file.name} is not JSON: {e}") from None
    ruleset = run(save_ruleset, data)
    click.echo(f"saved ruleset {ruleset.label}")


@rules_cli.command("recompute")
@click.argument("project_id", type=PROJECT_ID)
def rules_recompute(project_id):
    """Raise every flag of a project again under the rulesets and registry now in force."""
    projects.require_project(project_id)
    click.echo(f"re-assessed {run(recompute_flags, project_id)} submission(s)")
