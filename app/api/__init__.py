"""The JSON API door, shaped like ODK Central's so pyodk and Central clients can use it."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/v1")

from . import views  # noqa: E402,F401
