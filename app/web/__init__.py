"""The people's door: pages for supervisors and residents (zh-CN first)."""
from flask import Blueprint, Flask

bp = Blueprint("web", __name__)

from . import views  # noqa: E402,F401


def register(app: Flask) -> None:
    """The pages, and a page for every problem no other door claims."""
    from ..http.errors import register_door
    from .problem_page import render_problem
    app.register_blueprint(bp)
    register_door(app, bp.name, render_problem, fallback=True)
