"""OData rows and CSV lines kept ahead of reads: flask --app wsgi odata ..."""
import time
from datetime import timedelta

import click
from flask.cli import AppGroup

from ..services.submissions.odata_store import forget_kept, keep_due

odata_cli = AppGroup("odata", help="OData rows and CSV lines kept ahead of reads.")


@odata_cli.command("keep")
@click.option("--again", is_flag=True,
              help="Forget every row kept and write them all again (after answers were changed by hand in the "
                   "database: a version's answers never change otherwise, so its rows are never written twice).")
def odata_keep(again):
    """Write now the OData rows and CSV lines of every submission that has none kept for its current version and
    fields (the background jobs do it a few hundred at a time, a minute after each arrives; this is for after an
    upgrade or a bulk load, and writes the newest too)."""
    if again:
        forget_kept()
        click.echo("forgot every row kept")
    started, total = time.monotonic(), 0
    # No minute's wait, unlike the jobs: a submission still being saved as this walks past it is read written
    # from its answers (slower, never different) until `odata keep` is run again.
    while written := keep_due(settle=timedelta(0)):
        total += written
        click.echo(f"{total} submissions written ({time.monotonic() - started:.0f} s)")
    click.echo(f"done: {total} submissions written in {time.monotonic() - started:.1f} s")
