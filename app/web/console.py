"""The console's pages for one project: the coverage map, and a household's page."""
from flask import current_app, redirect, url_for

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..services.accounts import projects
from ..services.coverage.campaigns import project_campaigns
from ..services.registry.household_record import household_code_by_id, household_record
from . import bp
from .views import page


@bp.get("/projects/<int:project_id>/map")
@requires(Permission.COVERAGE_READ)
def coverage_map(project_id: int, access: Access):
    """The map page: the script (static/map.js) reads the places and tiles through the API, with the
    session's cookie; the page holds no data but the project's campaigns."""
    return page("map.html", project=projects.require_project(project_id), campaigns=project_campaigns(project_id),
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
