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


def too_long(field: str, label: str, limit: int, length: int, plural: str | None = None) -> Problem:
    """ODK Central's 400.13 ("Length of value too long for a field"), saying which field and its limit.

    The value itself is not repeated: it may be very long, or personal.
    """
    plural = plural or label + "s"
    return Problem(400.13, f"The {label} is {length} characters long; {plural} can have at most {limit}.",
                   {"field": field, "limit": limit, "length": length})


def out_of_range(field: str, label: str, minimum: int, maximum: int) -> Problem:
    """ODK Central's 400.22 (value out of range for its type): a number the column cannot hold."""
    return Problem(400.22, f"The {label} must be between {minimum} and {maximum}.",
                   {"field": field, "minimum": minimum, "maximum": maximum})


def unreadable_body(reason: str = "") -> Problem:
    """400.39: the request body could not be read (malformed chunked coding, a dropped connection)."""
    return Problem(400.39, f"The request body could not be read{': ' + reason if reason else ''}. "
                           "Nothing was stored; please send it again.")


def service_unavailable(message: str, retry_after_s: int) -> Problem:
    """503 with Retry-After (RFC 9110 §10.2.3): ODK Collect and API clients send again later."""
    return Problem(503.1, message, headers=[("Retry-After", str(retry_after_s))])
