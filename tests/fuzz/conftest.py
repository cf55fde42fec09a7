"""The fuzz runs use the front door's servers (real gunicorn and nginx on the test database), in a
package of their own: their tests empty the tables, which the front door's package-wide site must keep."""
from tests.frontdoor.conftest import gunicorn, gunicorn_env, start_front_door  # noqa: F401  (fixtures)
