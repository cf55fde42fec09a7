"""The people's door: pages for supervisors and residents (zh-CN first)."""
from flask import Blueprint, Flask, g

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")

from . import console, people, public_links, views  # noqa: E402,F401
from .i18n import language, remember_language  # noqa: E402


@bp.before_app_request
def _choose_language():
    g.lang = language()


bp.after_app_request(remember_language)


def register(app: Flask) -> None:
    """The pages, and a page for every problem no other door claims."""
    from ..http.errors import register_door
    from .problem_page import render_problem
    app.register_blueprint(bp)
    register_door(app, bp.name, render_problem, fallback=True)
