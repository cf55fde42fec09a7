"""A Problem as the API answers it: JSON problem details."""
from flask import Response, jsonify

from ..problems import Problem

# RFC 9110's reason phrases, for RFC 9457's "title".
_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type", 429: "Too Many Requests",
           500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable"}


def render_problem(problem: Problem) -> Response:
    """ODK Central's code and message (what Central's clients read), plus RFC 9457's status and title."""
    body = {"code": problem.code, "message": problem.message, "status": problem.status,
            "title": _TITLES.get(problem.status, "Error"), "details": problem.details}
    response = jsonify(body)
    response.status_code = problem.status
    response.mimetype = "application/problem+json"
    for name, value in problem.headers:
        response.headers.add(name, value)
    return response
