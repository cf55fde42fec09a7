"""Administrator commands: flask --app wsgi <group> <command> ..."""
import functools

import click
from flask import Flask, current_app
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from .accounts import app_user_cli, user_cli
from .blobs import blobs_cli
from .forms import form_cli, project_cli
from .monitoring import campaign_cli, households_cli, places_cli, rules_cli
from .odata import odata_cli
from .self_report import public_link_cli


def register(app: Flask) -> None:
    for group in (user_cli, project_cli, form_cli, app_user_cli, places_cli, households_cli, campaign_cli,
                  rules_cli, blobs_cli, public_link_cli, odata_cli):
        for command in group.commands.values():
            command.callback = _database_errors_in_one_line(command.callback)
        app.cli.add_command(group)


def _database_errors_in_one_line(callback):
    """A database that cannot be reached ends the command with one line naming it (without its password)
    and what to check, instead of a hundred lines of traceback (found by a newcomer who had not set
    DATABASE_URL in the second shell)."""
    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except OperationalError as e:
            url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
            reason = str(e.orig).strip().splitlines()[0] if e.orig else "no answer"
            raise click.ClickException(
                f"The database at {url} cannot be used: {reason}. Is it running, and is DATABASE_URL the "
                f"server's? (scripts/serve.sh prints the export line to use at start.)") from None
    return run
