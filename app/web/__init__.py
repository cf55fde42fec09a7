"""The people's door: pages for supervisors and residents (zh-CN first)."""
import math

from flask import Blueprint, Flask, g

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")

from . import console, flag_lines, leads, people, public_links, submissions, views  # noqa: E402,F401
from .i18n import language, remember_language  # noqa: E402


@bp.app_template_filter("china_time")
def china_time(moment) -> str:
    """An aware datetime as China's clock reads it (UTC+8, what township staff go by): 2026-12-01 18:30."""
    from ..core.working_days import CHINA
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if moment else "–"


@bp.app_template_filter("amount")
def amount(value) -> str:
    """A sum of money or a count as people write it: 20559.0 -> '20,559', 1234.5 -> '1,234.5', None -> '–'.

    At most two decimals (fen); a value that is not a finite number is shown as it is."""
    if value is None:
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return str(value)
    number = round(number, 2) + 0.0          # + 0.0: -0.001 is shown as 0, not -0
    return f"{number:,.2f}".rstrip("0").rstrip(".")


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
