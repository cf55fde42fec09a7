"""OData rows kept ahead of reads: flask --app wsgi odata ..."""
import time

import click
from flask.cli import AppGroup

from ..services.submissions.odata_store import forget_kept, keep_due

odata_cli = AppGroup("odata", help="OData rows kept ahead of reads.")


@odata_cli.command("keep")
@click.option("--again", is_flag=True,
              help="Forget every row kept and write them all again (after answers were changed by hand in the "
                   "database: a version's answers never change otherwise, so its rows are never written twice).")
def odata_keep(again):
    """Write now the OData rows of every submission that has none kept for its current version (the background
    jobs do it a few hundred at a time; this is for after an upgrade, or a bulk load)."""
    if again:
        forget_kept()
    started, total = time.monotonic(), 0
    while written := keep_due():
        total += written
        click.echo(f"{total} submissions written ({time.monotonic() - started:.0f} s)")
    click.echo(f"done: {total} submissions written in {time.monotonic() - started:.1f} s")
