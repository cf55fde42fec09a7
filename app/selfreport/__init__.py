"""The residents' door: a village's public link opens the self-report form in the phone's browser
(ODK Web Forms), and the report comes back here. Anyone may call it; the link's token is the only key,
and it opens one form in one village, to send and never to read back.

Its failures are pages in Chinese (a resident reads them), whatever the Problem.
"""
from flask import Blueprint, Flask

bp = Blueprint("selfreport", __name__, template_folder="templates")

from . import views  # noqa: E402,F401


def register(app: Flask) -> None:
    from ..http.errors import register_door
    from .pages import render_problem
    app.register_blueprint(bp)
    register_door(app, bp.name, render_problem, claims=lambda path: path.startswith("/f/"))
