"""The OpenRosa door: what ODK Collect, Enketo and Web Forms talk to."""
from flask import Blueprint

bp = Blueprint("openrosa", __name__, url_prefix="/v1")

from . import views  # noqa: E402,F401  (routes register on import)
