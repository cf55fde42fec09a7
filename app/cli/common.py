"""What every command group shares: services' Problems become clear command-line errors."""
import click

from ..problems import Problem


class _ProblemAsClickError(click.ClickException):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)


def run(fn, *args, **kwargs):
    """Call a service; a Problem ends the command with its message (exit 1), never a traceback."""
    try:
        return fn(*args, **kwargs)
    except Problem as e:
        raise _ProblemAsClickError(e) from None
