"""Each door answers a failure in its own format: OpenRosa XML, JSON problem details, or a page."""
import json


def _status_and_body(response) -> tuple[int, bytes]:
    if hasattr(response, "status_code"):          # requests.Response
        return response.status_code, response.content
    return response.status, response.body         # tests.support.raw_http.RawResponse


def openrosa_error(response, status: int) -> str:
    """The message of an OpenRosaResponse error with this status."""
    got, body = _status_and_body(response)
    assert got == status, body[:500]
    assert response.headers["Content-Type"].startswith("text/xml"), response.headers
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert b'<message nature="error">' in body, body[:500]
    return body.decode()


def problem(response, status: int, code: float | None = None) -> dict:
    """The JSON problem details (ODK Central's code and message) with this status."""
    got, body = _status_and_body(response)
    assert got == status, body[:500]
    assert response.headers["Content-Type"].startswith("application/problem+json"), response.headers
    details = json.loads(body)
    assert details["status"] == status and details["message"]
    if code is not None:
        assert details["code"] == code, details
    return details


def page(response, status: int) -> str:
    """A page for people, in Chinese first."""
    got, body = _status_and_body(response)
    assert got == status, body[:500]
    assert response.headers["Content-Type"].startswith("text/html"), response.headers
    text = body.decode()
    assert 'lang="zh-CN"' in text
    return text
