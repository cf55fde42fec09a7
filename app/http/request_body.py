"""A request body that cannot be read is the client's 400, whatever the server underneath raised;
and a body the app did not need is read to its end before the answer goes.

Reading the body can fail in as many ways as there are servers: gunicorn raises its own parse errors
(InvalidChunkSize, ChunkMissingTerminator, NoMoreData) for a malformed chunked body, werkzeug's server
an OSError ("Invalid chunk header"), any of them a socket error when the client goes away mid-body,
and werkzeug's LimitedStream turns a body shorter than its Content-Length into ClientDisconnected
(app/errors.py answers it alike). To the client they all mean one thing: its body could not be read
and nothing was stored (400.39).
"""
import logging

from flask import Flask, Response, current_app, request

from ..problems import Problem, unreadable_body

log = logging.getLogger(__name__)


class GuardedInput:
    """wsgi.input, with any failure to read it raised as Problem 400.39 (the doors render it).

    It offers read/readline/readlines/iteration, as PEP 3333 asks of wsgi.input, and no readinto, so
    werkzeug reads it through read().
    """

    def __init__(self, stream):
        self._stream = stream

    def read(self, *args) -> bytes:
        return self._guarded(self._stream.read, *args)

    def readline(self, *args) -> bytes:
        return self._guarded(self._stream.readline, *args)

    def readlines(self, *args) -> list[bytes]:
        return self._guarded(self._stream.readlines, *args)

    def __iter__(self):
        while line := self.readline():
            yield line

    @staticmethod
    def _guarded(read, *args):
        try:
            return read(*args)
        except Problem:
            raise
        except Exception as e:   # noqa: BLE001  every server's failure is the same failure to the client
            # The exception's text may quote the client's bytes; its class is enough to tell them apart.
            log.info("request body unreadable: %s", type(e).__name__)
            raise unreadable_body() from None


class GuardedBodyMiddleware:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if "wsgi.input" in environ:
            environ["wsgi.input"] = GuardedInput(environ["wsgi.input"])
        return self.wsgi_app(environ, start_response)


_DRAIN_CHUNK = 64 * 1024


def finish_reading(response: Response) -> Response:
    """Read what is left of the request body (up to MAX_CONTENT_LENGTH), then answer.

    An answer given before the body is read (a 401, 403 or 404 decided from the URL and headers)
    otherwise closes the connection with the body's bytes unread, and the kernel then resets it:
    the front door, still sending the body it buffered, reads the reset as gunicorn failing and
    answers 502/503 instead of the app's answer (found by tests/fuzz). A body over the limit is
    left unread: the front door never sends one, and nobody else is owed the courtesy.
    """
    length = request.content_length
    limit = current_app.config["MAX_CONTENT_LENGTH"] or 0
    if length is not None and length > limit:
        return response
    try:
        read = 0
        while read <= limit and (chunk := request.stream.read(_DRAIN_CHUNK)):
            read += len(chunk)
    except Exception:       # noqa: BLE001  the answer stands whatever the rest of the body was
        pass
    return response


def install(app: Flask) -> None:
    app.wsgi_app = GuardedBodyMiddleware(app.wsgi_app)
    app.after_request(finish_reading)
