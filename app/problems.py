"""Failures with a code, in ODK Central's numbering (404.1, 409.2, ...).

Services raise them; each door renders them in its own format (OpenRosa XML,
JSON problem details, or a page). The HTTP status is the code's integer part.
"""


class Problem(Exception):
    def __init__(self, code: float, message: str, details: dict | None = None,
                 headers: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or []   # e.g. WWW-Authenticate challenges

    @property
    def status(self) -> int:
        return int(self.code)


def bad_request(message: str, code: float = 400.1, **details) -> Problem:
    return Problem(code, message, details)


def not_found(message: str = "Could not find the resource you were looking for.", code: float = 404.1,
              **details) -> Problem:
    return Problem(code, message, details)


def conflict(message: str, code: float, **details) -> Problem:
    return Problem(code, message, details)


def forbidden(message: str = "The authentication you provided does not have rights to perform that action.",
              code: float = 403.1) -> Problem:
    return Problem(code, message)


def unauthorized(message: str = "Could not authenticate with the provided credentials.",
                 code: float = 401.2) -> Problem:
    return Problem(code, message)


def value_too_long(field: str, length: int, limit: int) -> Problem:
    """ODK Central's 400.13: a value longer than the column that would hold it. The value itself is
    not echoed (it may be a token or a personal ID number), only its field and length."""
    return Problem(400.13, f"Length of value too long for a field: {field} is {length} characters long, "
                           f"and at most {limit} are allowed.",
                   {"field": field, "length": length, "limit": limit})
