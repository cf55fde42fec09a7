"""The options Central reads from every API request (central-backend lib/http/preprocessors.js
queryOptionsHandler): extended metadata by header, and paging by ?limit= and ?offset=."""
from flask import request

from ..problems import unexpected_value

MAX_ROWS = 2**31 - 1        # a bound PostgreSQL's LIMIT and OFFSET take (bigint, but no list is longer)


def extended_metadata() -> bool:
    """X-Extended-Metadata: true (compared as Central's isTrue does, in any case): the answer also names
    who made each thing (and, for a version, its form version)."""
    return request.headers.get("X-Extended-Metadata", "").strip().lower() == "true"


def paging() -> tuple[int | None, int]:
    """(limit, offset) from ?limit= and ?offset= (none: everything, from the first). Raises Problem 400.8
    for one that is not a whole number from 0 to MAX_ROWS."""
    return _whole("limit"), _whole("offset") or 0


def _whole(name: str) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_ROWS:
        raise unexpected_value(name, f"?{name}= is a whole number from 0 to {MAX_ROWS}.")
    return int(value)
