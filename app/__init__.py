"""Dixian: an ODK-compatible field-data server for poverty-relapse monitoring."""
from pathlib import Path

from flask import Flask

from . import config, read_only_commit
from .extensions import db, migrate
from .http.key_prefix import KeyPrefixMiddleware
from .http.proxies import TrustedProxies
from .storage.blobstore import FileBlobStore

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(config.from_environment())
    app.config.setdefault("MAX_SUBMISSION_XML_BYTES", 10_000_000)
    app.config.update(overrides or {})

    from . import models  # noqa: F401  (registers the tables)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    read_only_commit.install(app)
    app.extensions["blobstore"] = FileBlobStore(app.config["BLOB_DIR"])
    # What each worker process remembers between requests (one app per process).
    from .services.accounts import access_cache
    from .services.coverage import campaigns, tile_cache
    access_cache.configure(app.config["ACCESS_CACHE_SECONDS"])
    tile_cache.configure(app.config["TILE_CACHE_MB"])
    campaigns.remember_tiled_campaigns(app.config["TILES_CAMPAIGN_SECONDS"])

    from . import api, http, openrosa, selfreport, web
    from .cli import register as register_cli
    from .http import errors
    from .services.column_limits import guard_flushes
    guard_flushes()
    http.install(app)   # before the doors: their routes take its <int:...> converter
    # The OpenRosa door first: it claims its own URLs under /v1 before the API claims the rest.
    for door in (openrosa, api, selfreport, web):
        door.register(app)
    errors.register(app)
    register_cli(app)
    _declare_static(app)

    app.wsgi_app = TrustedProxies(KeyPrefixMiddleware(app.wsgi_app), app.config)
    return app


def _declare_static(app: Flask) -> None:
    """Flask's static-file routes (the app's and each blueprint's) say who may call them, like every
    other route."""
    from .http.permissions import public
    for endpoint in [e for e in app.view_functions if e == "static" or e.endswith(".static")]:
        app.view_functions[endpoint] = _public_static(app.view_functions[endpoint], public)


def _public_static(serve, public):
    def static(**kwargs):
        return serve(**kwargs)
    return public("static files: scripts, styles and images, no data")(static)
