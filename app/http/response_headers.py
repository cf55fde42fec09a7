"""Headers every answer carries, whatever door gives it: no content sniffing, and nothing personal kept
by a cache.

Household records, flags, coverage and pick-lists hold personal data (PIPL): a browser or a proxy
must not keep a copy (`Cache-Control: private, no-store`, unless the view chose its own, as formList's
no-cache or the static files' caching). `nosniff` keeps a browser from running a CSV or an XML answer
as a page.
"""
from flask import Flask, Response, request


def add_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    static = request.endpoint is not None and (request.endpoint == "static" or request.endpoint.endswith(".static"))
    if not static and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def install(app: Flask) -> None:
    app.after_request(add_headers)
