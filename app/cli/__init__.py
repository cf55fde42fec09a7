"""Administrator commands: flask --app wsgi <group> <command> ..."""
from flask import Flask

from .accounts import app_user_cli, user_cli
from .blobs import blobs_cli
from .forms import form_cli, project_cli
from .monitoring import campaign_cli, households_cli, places_cli, rules_cli


def register(app: Flask) -> None:
    for group in (user_cli, project_cli, form_cli, app_user_cli, places_cli, households_cli, campaign_cli,
                  rules_cli, blobs_cli):
        app.cli.add_command(group)
