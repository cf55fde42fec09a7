"""Dixian: an ODK-compatible field-data server for poverty-relapse monitoring."""
from pathlib import Path

from flask import Flask

from . import config
from .http.key_prefix import KeyPrefixMiddleware
from .http.proxies import TrustedProxies
from .extensions import db, migrate
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
    app.extensions["blobstore"] = FileBlobStore(app.config["BLOB_DIR"])

    from .http import errors
    from . import http
    from .api import bp as api_bp
    from .cli import register as register_cli
    from .openrosa import bp as openrosa_bp
    from .services.column_limits import guard_flushes
    from .web import bp as web_bp
    guard_flushes()
    http.install(app)   # before the blueprints: their routes take its <int:...> converter
    app.register_blueprint(openrosa_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(web_bp)
    errors.register(app)
    register_cli(app)
    _declare_static(app)

    app.wsgi_app = TrustedProxies(KeyPrefixMiddleware(app.wsgi_app), app.config)
    return app


def _declare_static(app: Flask) -> None:
    """Flask's own static-file route says who may call it, like every other route."""
    from .http.permissions import public
    serve = app.view_functions["static"]

    def static(**kwargs):
        return serve(**kwargs)
    app.view_functions["static"] = public("static files: scripts, styles and images, no data")(static)
