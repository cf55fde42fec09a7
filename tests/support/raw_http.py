"""HTTP requests written byte by byte: what requests and http.client refuse to send (NUL, bad UTF-8,
control characters in headers, malformed chunked bodies), sent as a fuzzer or a broken client would."""
import http.client
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class RawResponse:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def send(base_url: str, method: str, target: bytes | str, headers: list[tuple[str, bytes | str]] = (),
         body: bytes = b"", *, half_close: bool = False, timeout: float = 30) -> RawResponse:
    """One request on its own connection; `target` and header values go out exactly as given.

    Content-Length is not added: say it (or Transfer-Encoding) in `headers` when there is a body.
    With `half_close` the client stops sending after the body, as a client that gave up would.
    """
    url = urlsplit(base_url)
    lines = [method.encode() + b" " + _bytes(target) + b" HTTP/1.1",
             b"Host: " + url.netloc.encode(), b"Connection: close"]
    lines += [name.encode() + b": " + _bytes(value) for name, value in headers]
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        return RawResponse(response.status, response.headers, response.read())


def _bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


# Chunked bodies a server cannot read (cases/reliability/09): a bad size, a negative one, a missing terminator.
MALFORMED_CHUNKS = {
    "chunk-size-zz": b"zz\r\n--x\r\n0\r\n\r\n",
    "chunk-size-negative": b"-1\r\n--x\r\n0\r\n\r\n",
    "chunk-missing-terminator": b"3\r\n--x-x\r\n0\r\n\r\n",
}
