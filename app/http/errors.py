"""Every failure answers in the format of the door it came through, and never as a bare 500 page.

Each door registers how it renders a Problem (OpenRosa XML, JSON problem details, a page) with
`register_door`, naming its blueprint and the URLs it answers that match no route, so this module
knows no door: a new door (OData, the console, self-report) registers itself and nothing here
changes. A request no door claims gets the fallback door's rendering (the people's pages).
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge

from ..problems import Problem, from_http_status, internal_error, service_unavailable, too_large, unreadable_body
from .database_unavailable import RETRY_AFTER_S, is_transient

log = logging.getLogger(__name__)

Renderer = Callable[[Problem], Response]


@dataclass(frozen=True)
class Door:
    blueprint: str
    render: Renderer
    claims: Callable[[str], bool]     # a URL path this door answers for when no route matched


def register_door(app: Flask, blueprint: str, render: Renderer, *,
                  claims: Callable[[str], bool] = lambda path: False, fallback: bool = False) -> None:
    """Say how a door renders problems. `claims(path)` picks the door for a URL that matched no route
    (doors are asked in the order they registered); the `fallback` door answers the rest."""
    doors = app.extensions.setdefault("problem_doors", {"doors": [], "fallback": None})
    door = Door(blueprint, render, claims)
    doors["doors"].append(door)
    if fallback:
        doors["fallback"] = door


def render(problem: Problem) -> Response:
    """The problem as the door of the current request renders it."""
    doors = current_app.extensions["problem_doors"]
    door = (next((d for d in doors["doors"] if d.blueprint == request.blueprint), None)
            or next((d for d in doors["doors"] if d.claims(request.path)), None)
            or doors["fallback"])
    return door.render(problem)


def register(app: Flask) -> None:
    app.register_error_handler(Problem, render)

    @app.errorhandler(RequestEntityTooLarge)
    def request_too_large(e):
        # werkzeug raises this for three limits; say which one, so that no one is told a 100 KB body is too big.
        limit = app.config["OPENROSA_ACCEPT_CONTENT_LENGTH"]
        if request.content_length is None or request.content_length > (request.max_content_length or limit):
            return render(too_large(f"The request is larger than the {limit} bytes this server accepts."))
        return render(too_large(f"The multipart body has more than {request.max_form_parts} parts, or a field "
                                f"that is not a file larger than {request.max_form_memory_size} bytes."))

    @app.errorhandler(ClientDisconnected)
    def body_cut_short(e):
        # werkzeug's name for a body shorter than its Content-Length; other ways a body cannot be read
        # are raised as this same Problem by app/http/request_body.py.
        return render(unreadable_body())

    @app.errorhandler(SQLAlchemyError)
    def database_error(e: SQLAlchemyError):
        if not is_transient(e):
            return unexpected(e)
        # One line, no traceback: an outage would otherwise fill the log with identical ones.
        log.warning("database unavailable on %s %s: %s", request.method, request.path,
                    type(getattr(e, "orig", None) or e).__name__)
        return render(service_unavailable(
            "The database is not answering just now; nothing was stored. Please try again in a moment.",
            RETRY_AFTER_S))

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        return render(from_http_status(e.code or 500, e.description or e.name))

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        # Logged without the request body: submissions carry personal data.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render(internal_error())
