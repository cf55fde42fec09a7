"""The OpenRosa door: what ODK Collect, Enketo and Web Forms talk to."""
from flask import Blueprint, Flask

bp = Blueprint("openrosa", __name__, url_prefix="/v1")

from . import views  # noqa: E402,F401  (routes register on import)

# The last segment of OpenRosa's own URLs: a request to one that matched no route still gets its
# answer as an OpenRosaResponse, which Collect shows to the person.
_ENDINGS = ("/formList", "/submission", "/manifest")


def register(app: Flask) -> None:
    from ..http.errors import register_door
    app.register_blueprint(bp)
    register_door(app, bp.name, views.render_problem, claims=lambda path: path.endswith(_ENDINGS))
