"""Bad input gets a clear OpenRosa error and never a 5xx or a partial record."""
import http.client
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from demo.submissions import collect_multipart
from tests.conftest import REPO
from tests.support.instances import build_instance

SCREENING = REPO / "forms" / "fpf_hh_screening.md"


def _count(app, model):
    from app.extensions import db
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _assert_openrosa_error(response, status):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("text/xml")
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert b'<message nature="error">' in response.content


def _post_raw(device, body: bytes, content_type: str, headers: dict | None = None):
    return device.http.post(f"{device.server_url}/submission", data=body,
                            headers={"Content-Type": content_type, **(headers or {})}, timeout=30)


@pytest.mark.parametrize("body,content_type", [
    (b"--xyz\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; filename=\"a.xml\"\r\n\r\n<da",
     "multipart/form-data; boundary=xyz"),                      # truncated
    (b"garbage without any boundary", "multipart/form-data"),   # no boundary
    (b"--xyz\r\nbroken header line\r\n\r\n<data/>\r\n--xyz--\r\n", "multipart/form-data; boundary=xyz"),
])
def test_malformed_multipart_is_400(device, body, content_type):
    _assert_openrosa_error(_post_raw(device, body, content_type), 400)


def test_missing_xml_part_is_400(device):
    response = device.http.post(f"{device.server_url}/submission", files={"photo.jpg": ("photo.jpg", b"x")})
    _assert_openrosa_error(response, 400)
    assert "xml_submission_file" in response.text


def test_raw_xml_body_is_400(device):
    _assert_openrosa_error(_post_raw(device, b'<data id="x"/>', "text/xml"), 400)


@pytest.mark.parametrize("xml", [
    b"<data id='fpf_hh_screening'><unclosed></data>",
    b"not xml at all",
    b"",
])
def test_malformed_xml_is_400(device, publish, xml):
    publish(SCREENING)
    _assert_openrosa_error(device.post_submission(xml), 400)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<data id="fpf_hh_screening" version="2026112301"><head_name>&xxe;</head_name></data>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<data id="fpf_hh_screening" version="2026112301"><head_name>&lol3;</head_name></data>"""


@pytest.mark.parametrize("xml", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_doctype_and_entities_are_refused(app, device, publish, xml):
    from app.models import SubmissionVersion
    publish(SCREENING)
    response = device.post_submission(xml)
    _assert_openrosa_error(response, 400)
    assert "DOCTYPE" in response.text
    assert _count(app, SubmissionVersion) == 0


def test_body_over_the_advertised_limit_is_413_with_openrosa_body(app, device, publish):
    from app.models import SubmissionVersion
    publish(SCREENING)
    xml, _ = build_instance(device.get(device.form_list()[0].download_url).content)
    limit = int(device.head_submission().headers["X-OpenRosa-Accept-Content-Length"])
    response = device.post_submission(xml, {"big.jpg": b"\0" * (limit + 2_000_000)})
    _assert_openrosa_error(response, 413)
    assert _count(app, SubmissionVersion) == 0


def test_chunked_multipart_post_is_accepted(app, device, publish):
    publish(SCREENING)
    xml, files = build_instance(device.get(device.form_list()[0].download_url).content)
    body, content_type = collect_multipart(xml, files)
    url = urlsplit(f"{device.server_url}/submission")
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.putrequest("POST", f"{url.path}?deviceID=test")
    conn.putheader("Content-Type", content_type)
    conn.putheader("Transfer-Encoding", "chunked")
    conn.putheader("X-OpenRosa-Version", "1.0")
    conn.endheaders()
    for i in range(0, len(body), 1000):
        chunk = body[i:i + 1000]
        conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
    conn.send(b"0\r\n\r\n")
    response = conn.getresponse()
    assert response.status == 201, response.read()


def test_missing_root_id_is_400(device):
    _assert_openrosa_error(device.post_submission(b"<data><meta><instanceID>uuid:1</instanceID></meta></data>"), 400)


def test_a_failure_while_storing_leaves_no_partial_record(app, device, publish):
    """Blob storage failing half-way (disk full) rolls the whole POST back."""
    from app.models import Submission, SubmissionVersion

    class FullDisk:
        def put(self, data):
            raise OSError(28, "No space left on device")

    publish(SCREENING)
    xml, files = build_instance(device.get(device.form_list()[0].download_url).content)
    real = app.extensions["blobstore"]
    app.extensions["blobstore"] = FullDisk()
    try:
        response = device.post_submission(xml, files)
    finally:
        app.extensions["blobstore"] = real
    _assert_openrosa_error(response, 500)
    assert _count(app, Submission) == 0 and _count(app, SubmissionVersion) == 0
    assert device.post_submission(xml, files).status_code == 201   # and the resend works
