"""The people's door: pages for supervisors and residents (zh-CN first)."""
from flask import Blueprint

bp = Blueprint("web", __name__)

from . import views  # noqa: E402,F401
