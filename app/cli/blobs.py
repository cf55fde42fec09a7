"""Attachment files: flask --app wsgi blobs ..."""
import click
from flask import current_app
from flask.cli import AppGroup

from ..storage.blobstore import ABANDONED_AFTER_SECONDS

blobs_cli = AppGroup("blobs", help="Attachment files.")


@blobs_cli.command("clean")
@click.option("--older-than", "older_than", type=float, default=ABANDONED_AFTER_SECONDS, show_default=True,
              help="Seconds a temporary file must have been left untouched.")
def blobs_clean(older_than):
    """Delete temporary files a crash left in the blob directory (scripts/serve.sh runs it at start)."""
    removed = current_app.extensions["blobstore"].remove_abandoned(older_than)
    click.echo(f"removed {removed} abandoned temporary file(s)")
