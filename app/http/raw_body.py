"""A request body taken whole, as Central's REST submission routes take it: the submission XML itself
(not OpenRosa's multipart), or one attachment's bytes.

Read in chunks up to a bound, so that a body larger than the caller may use is refused (413) as soon as
it passes the bound, whether it came with a Content-Length or chunked (pyodk sends attachments chunked);
werkzeug refuses one over MAX_CONTENT_LENGTH before any of it is read.
"""
from flask import request

from ..problems import too_large, unsupported_media_type

_CHUNK = 64 * 1024
XML_TYPES = ("application/xml", "text/xml")


def read_body(limit: int, what: str) -> bytes:
    """The request body, at most `limit` bytes. Raises Problem 413.1 beyond, 400.90 for a body that
    cannot be read (request_body.GuardedInput)."""
    chunks, size = [], 0
    while chunk := request.stream.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise too_large(f"The {what} is larger than the {limit} bytes this server takes.")
        chunks.append(chunk)
    return b"".join(chunks)


def require_xml_body() -> None:
    """Problem 415.1 unless the body is declared XML (application/xml or text/xml, as pyodk and Web Forms send
    it; or a +xml type): OpenRosa's multipart belongs at .../submission, and anything else is not a
    submission."""
    mimetype = request.mimetype
    if mimetype not in XML_TYPES and not mimetype.endswith("+xml"):
        raise unsupported_media_type(
            f"This URL takes the submission XML itself, sent as application/xml, not {mimetype or 'no type'}"
            + (" (OpenRosa's multipart POST goes to /v1/projects/{id}/submission)." if mimetype.startswith(
                "multipart/") else "."))


def client_user_agent() -> str | None:
    """The User-Agent a submission is stored with: ODK-Client's name before the User-Agent, as Central keeps
    it (central-backend lib/model/query/submissions.js createNew, prependString(odkClient))."""
    odk_client = request.headers.get("ODK-Client")
    user_agent = request.headers.get("User-Agent")
    if odk_client:
        return f"{odk_client} {user_agent or ''}".strip()
    return user_agent
