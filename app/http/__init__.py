"""What every door shares about the HTTP request itself.

Installed once by the app factory, before the doors' blueprints, so that no route can miss it:
readable text in the path, query and headers (request_text), ids and strings from the path that
fit their columns (route_values), a body whose unreadability is the client's 400 (request_body,
request_json), a time limit on each request's statements (statement_timeout), and the headers every
answer carries (response_headers).
"""
from flask import Flask

from . import request_body, request_json, request_text, response_headers, route_values, statement_timeout


def install(app: Flask) -> None:
    request_text.install(app)
    route_values.install(app)
    request_body.install(app)
    request_json.install(app)
    statement_timeout.install(app)
    response_headers.install(app)
