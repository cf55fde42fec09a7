"""The request's text is readable: its path, query and header values are UTF-8 without control characters.

PostgreSQL text cannot hold NUL, so a %00 that reached a query would be a 500; other control characters
and undecodable bytes name nothing that could exist here either. werkzeug decodes such bytes leniently
(as U+FFFD), so they are checked on the bytes the client sent, before any door reads them.
"""
import re
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask, request

from ..problems import invalid_header, unparseable
from .key_prefix import ENVIRON_KEY

# Unicode's control characters (category Cc): C0 (NUL..US), DEL and C1. A header value may hold a tab
# (RFC 9110 §5.5), a URL none of them.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_TAB = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
# Headers carried outside HTTP_* in the WSGI environ (PEP 3333).
_UNPREFIXED_HEADERS = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}


def install(app: Flask) -> None:
    # First of the app's before_request functions: nothing after it sees unreadable text.
    app.before_request_funcs.setdefault(None, []).insert(0, check_request_text)


def check_request_text() -> None:
    """Problem 400.1 for an unreadable path or query, 400.6 for an unreadable header (as ODK Central's
    invalidHeader); the offending value is never repeated, since it may carry a token."""
    environ = request.environ
    # The request-target as sent, where the server keeps it: werkzeug's server decodes PATH_INFO with
    # errors="replace", so bytes that are not UTF-8 show only there. And PATH_INFO as routed, with the
    # device token the key prefix took out of it.
    raw = urlsplit(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
    paths = (raw.path, (environ.get(ENVIRON_KEY) or "") + environ.get("PATH_INFO", ""))
    if not all(_readable(_unquoted(path)) for path in paths):
        raise unparseable("URL path", "It holds a control character (such as NUL) or bytes that are not UTF-8.")
    queries = (raw.query, environ.get("QUERY_STRING", ""))
    if not all(_readable(_unquoted(query.replace("+", " "))) for query in queries):
        raise unparseable("URL query", "It holds a control character (such as NUL) or bytes that are not UTF-8.")
    for key, value in environ.items():
        name = _header_name(key)
        if name and not _readable(_wsgi_bytes(value), _CONTROL_BUT_TAB):
            raise invalid_header(name, "it holds a control character (such as NUL) or bytes that are not UTF-8.")


def _unquoted(value: str) -> bytes | None:
    """Percent-decoded bytes (RFC 3986 §2.1) of a WSGI string."""
    data = _wsgi_bytes(value)
    return None if data is None else unquote_to_bytes(data)


def _wsgi_bytes(value: str) -> bytes | None:
    """The bytes as received: WSGI carries them as latin-1 strings (PEP 3333 'bytes-as-unicode')."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return None


def _readable(data: bytes | None, control: re.Pattern = _CONTROL) -> bool:
    if data is None:
        return False
    try:
        return not control.search(data.decode("utf-8"))
    except UnicodeDecodeError:
        return False


def _header_name(key: str) -> str | None:
    if key.startswith("HTTP_"):
        return key[5:].replace("_", "-").title()
    return _UNPREFIXED_HEADERS.get(key)
