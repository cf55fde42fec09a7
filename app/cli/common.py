"""What every command group shares: services' Problems become clear command-line errors; ids that fit; QR
codes that hold a credential written for their owner's eyes only."""
import os
from pathlib import Path

import click
import segno

from ..problems import Problem
from ..services import column_limits as limits


class _ProblemAsClickError(click.ClickException):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)


def run(fn, *args, **kwargs):
    """Call a service; a Problem ends the command with its message (exit 1), never a traceback."""
    try:
        return fn(*args, **kwargs)
    except Problem as e:
        raise _ProblemAsClickError(e) from None


class RowId(click.ParamType):
    """A row id argument: ASCII digits that fit the id's column.

    click's INT reads other scripts' digits ('１', '١') as numbers, and passes ids no column can hold
    on to PostgreSQL (a traceback instead of an answer).
    """
    name = "id"

    def __init__(self, field: limits.IdField):
        self.field = field

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int):
            return value
        parsed = self.field.parse(value)
        if parsed is None:
            self.fail(f"There is no {self.field.label} {value}: ids are ASCII digits, at most "
                      f"{limits.integer_range(self.field.column)[1]}.", param, ctx)
        return parsed


PROJECT_ID = RowId(limits.PROJECT_ID)


def device_account(name_or_id: str) -> str:
    """A device account's name (in NFC, as stored) or id, as accounts.find_app_user takes it.

    Digits in another script would be read there as an id; they name no account.
    """
    if name_or_id.isdigit() and limits.ACTOR_ID.parse(name_or_id) is None:
        raise click.ClickException(f"No device account '{name_or_id}'.")
    return limits.nfc(name_or_id)


def save_private_qr(payload: str, path: Path) -> None:
    """Writes `payload` as a QR code PNG (error correction L, as Collect's own codes) readable and writable by
    its owner only (0600, an existing file narrowed too): the codes commands write hold a credential, a
    device's token or a draft's test code, and whoever reads the file can submit as that device."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), 0o600)
        segno.make(payload, error="l").save(f, kind="png", scale=6, border=4)
