"""The console's pages for one project: the coverage map, a village's households, a household's page."""
from flask import current_app, redirect, request, url_for

from ..core.access import Access, Permission
from ..core.rules.flags import ALL_RISK_CODES, SEVERITY_OF
from ..http.permissions import requires
from ..problems import not_found
from ..services.accounts import projects
from ..services.coverage.campaigns import find_campaign, place_name, project_campaigns
from ..services.coverage.village_households import STATES, village_households
from ..services.registry.household_record import household_code_by_id, household_record
from . import bp
from .i18n import flag_name
from .views import page


@bp.get("/projects/<int:project_id>/map")
@requires(Permission.COVERAGE_READ)
def coverage_map(project_id: int, access: Access):
    """The map page: the script (static/map.js) reads the places and tiles through the API, with the
    session's cookie; the page holds no data but the project's campaigns."""
    return page("map.html", project=projects.require_project(project_id), campaigns=project_campaigns(project_id),
                flag_names={code: flag_name(code) for code in SEVERITY_OF},
                map_config={"project": project_id, "tiandituKey": current_app.config["TIANDITU_KEY"],
                            "households": access.can(Permission.HOUSEHOLD_READ),
                            "householdPage": url_for("web.household_by_id", project_id=project_id,
                                                     household_row=0).rsplit("/", 1)[0] + "/"})


@bp.get("/projects/<int:project_id>/households/by-id/<int:household_row>")
@requires(Permission.HOUSEHOLD_READ)
def household_by_id(project_id: int, household_row: int, access: Access):
    """Where a household point on the map links: its page (the tile holds only this opaque id)."""
    code = household_code_by_id(access, household_row)
    return redirect(url_for("web.household_page", project_id=project_id, household_id=code))


@bp.get("/projects/<int:project_id>/households/<household_id>")
@requires(Permission.HOUSEHOLD_READ)
def household_page(project_id: int, household_id: str, access: Access):
    """A household (`household_id`: its registry code, as in the API): registry record, members, current
    flags explained, history (ID numbers masked unless the role may read them)."""
    return page("household.html", project=projects.require_project(project_id),
                record=household_record(access, household_id))


@bp.get("/projects/<int:project_id>/villages/<village>/households")
@requires(Permission.HOUSEHOLD_READ)
def village_household_list(project_id: int, village: str, access: Access):
    """A village's households in a campaign (?campaign=, the latest without), 50 a page (?page=),
    filtered by state (?state=unscreened|screened|flagged) and by flag (?flag=CODE)."""
    name = place_name(village)
    if name is None or not access.covers(village):
        raise not_found(f"There is no village {village} to list here.")
    campaigns = project_campaigns(project_id)
    chosen = request.args.get("campaign")
    campaign = find_campaign(project_id, chosen) if chosen else (campaigns[0] if campaigns else None)
    if campaign is None:
        raise not_found(f"There is no campaign in project {project_id} yet.")
    page_number = request.args.get("page", "1")
    listed = village_households(access, campaign, village, state=request.args.get("state") or None,
                                flag=request.args.get("flag") or None,
                                page=int(page_number) if page_number.isascii() and page_number.isdigit()
                                and len(page_number) < 7 else 0)
    return page("households.html", project=projects.require_project(project_id), village=village,
                place_name=name, campaign=campaign, campaigns=campaigns, listed=listed,
                states=STATES, flags=ALL_RISK_CODES, state=request.args.get("state", ""),
                flag=request.args.get("flag", ""))
