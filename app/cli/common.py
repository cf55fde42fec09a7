"""What every command group shares: services' Problems become clear command-line errors; ids that fit."""
import click

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
