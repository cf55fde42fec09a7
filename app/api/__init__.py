"""The JSON API door, shaped like ODK Central's so pyodk and Central clients can use it.

One module per resource (sessions, users, projects, forms, submissions, households, coverage, app users,
assignments, public links, datasets and their OData feed), each
route declaring who may call it; JSON is shaped by the marshmallow schemas in schemas/ only.
"""
from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/v1")

from . import (  # noqa: E402,F401
    app_users,
    assignments,
    coverage,
    datasets,
    entity_odata,
    exports,
    forms,
    households,
    map_units,
    odata,
    projects,
    public_links,
    sessions,
    submission_uploads,
    submission_versions,
    submissions,
    tiles,
    users,
)


def register(app: Flask) -> None:
    """The routes, and problems as JSON for every /v1 URL the OpenRosa door does not claim."""
    from ..http.errors import register_door
    from .problems import render_problem
    app.register_blueprint(bp)
    register_door(app, bp.name, render_problem, claims=lambda path: path.startswith("/v1/"))
