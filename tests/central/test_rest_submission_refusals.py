"""Bad input to Central's REST submission routes: each is refused with Central's JSON problem (never a 5xx),
and nothing of it is stored."""
import requests

from tests.support.rest_submissions import (
    jpeg,
    new_instance_id,
    rows,
    screening,
    submissions_url,
)

XML = {"Content-Type": "application/xml"}


def _problem(answer: requests.Response, status: int, code: float) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == code, answer.json()


def _stored(app) -> tuple:
    return tuple(rows(app, "SELECT (SELECT count(*) FROM submission), (SELECT count(*) FROM submission_version), "
                           "(SELECT count(blob_sha256) FROM submission_attachment)")[0])


def test_bad_submissions_are_refused_with_centrals_problems(app, demo_county, odk, live_server, monkeypatch):
    url = submissions_url(live_server, demo_county)
    post = odk.session.post
    before = _stored(app)
    _problem(post(url, data=b"this is not XML", headers=XML), 400, 400.1)
    _problem(post(url, data=b"<data id='fpf_hh_screening'><unclosed></data>", headers=XML), 400, 400.1)
    _problem(post(url, data=b"", headers=XML), 400, 400.1)
    instance_id = new_instance_id()
    xml = screening(instance_id)
    # The XML sent as a web form would send it, as OpenRosa's multipart, or with no type at all.
    _problem(post(url, data={"xml": xml.decode()}), 415, 415.1)
    _problem(post(url, files={"xml_submission_file": ("s.xml", xml, "text/xml")}), 415, 415.1)
    _problem(requests.post(url, data=xml, headers={"Authorization": odk.session.headers["Authorization"],
                                                   "Content-Type": ""}, timeout=10), 415, 415.1)
    # XML of another form, to a form the project does not have, and an edit sent as a new submission.
    housing = xml.replace(b'id="fpf_hh_screening"', b'id="fpf_housing"')
    _problem(post(url, data=housing, headers=XML), 400, 400.8)
    _problem(post(submissions_url(live_server, demo_county, "no_such_form"), data=xml, headers=XML), 400, 400.8)
    _problem(post(submissions_url(live_server, demo_county, "no_such_form"),
                  data=xml.replace(b'id="fpf_hh_screening"', b'id="no_such_form"'), headers=XML), 404, 404.1)
    _problem(post(url, data=screening(new_instance_id(), deprecated_id=instance_id), headers=XML), 400, 400.8)
    # A version the form never had.
    _problem(post(url, data=xml.replace(b'version="2026112301"', b'version="1999"'), headers=XML), 404, 404.6)
    # Past the server's bounds: bytes, and elements and attributes.
    monkeypatch.setitem(app.config, "MAX_SUBMISSION_XML_BYTES", len(xml) - 1)
    _problem(post(url, data=xml, headers=XML), 413, 413.1)
    monkeypatch.setitem(app.config, "MAX_SUBMISSION_XML_BYTES", len(xml))
    monkeypatch.setitem(app.config, "MAX_SUBMISSION_ELEMENTS", 20)
    _problem(post(url, data=xml, headers=XML), 413, 413.1)
    monkeypatch.undo()
    assert _stored(app) == before

    assert post(url, data=xml, headers=XML).status_code == 200
    # Central's REST create: an instanceID the form has is 409.3, even with the same XML (no resend here).
    _problem(post(url, data=xml, headers=XML), 409, 409.3)
    _problem(post(url, data=screening(instance_id, inc_wage="1"), headers=XML), 409, 409.3)
    assert _stored(app) == (before[0] + 1, before[1] + 1, before[2])


def test_bad_reads_edits_and_files_are_refused_with_centrals_problems(app, demo_county, odk, live_server,
                                                                       monkeypatch):
    url = submissions_url(live_server, demo_county)
    instance_id = new_instance_id()
    xml = screening(instance_id, photo="house.jpg")
    assert odk.session.post(url, data=xml, headers=XML).status_code == 200
    before = _stored(app)
    unknown = f"{url}/{new_instance_id()}"
    for path in ("", ".xml", "/versions", f"/versions/{instance_id}", f"/versions/{instance_id}.xml",
                 "/attachments"):
        _problem(odk.session.get(f"{unknown}{path}"), 404, 404.1)
    _problem(odk.session.get(f"{url}/{instance_id}/versions/uuid:none"), 404, 404.1)
    _problem(odk.session.get(f"{url}/{instance_id}/versions/uuid:none.xml"), 404, 404.1)
    _problem(odk.session.get(submissions_url(live_server, demo_county, "no_such_form")), 404, 404.1)
    for query in ({"limit": "ten"}, {"offset": "-1"}, {"limit": "1e3"}, {"limit": str(2**63)}):
        _problem(odk.session.get(url, params=query), 400, 400.8)
    _problem(odk.session.put(unknown, data=screening(new_instance_id(), deprecated_id=instance_id), headers=XML),
             404, 404.1)
    _problem(odk.session.put(f"{url}/{instance_id}", data=b"<not-closed", headers=XML), 400, 400.1)
    _problem(odk.session.put(f"{url}/{instance_id}", data=screening(new_instance_id(), deprecated_id=instance_id),
                             headers={"Content-Type": "application/json"}), 415, 415.1)
    other_form = screening(new_instance_id(), deprecated_id=instance_id).replace(b'id="fpf_hh_screening"',
                                                                                 b'id="fpf_housing"')
    _problem(odk.session.put(f"{url}/{instance_id}", data=other_form, headers=XML), 400, 400.8)
    # Files: for a submission that does not exist, a name it does not expect, and past the request bound.
    _problem(odk.session.post(f"{unknown}/attachments/house.jpg", data=jpeg()), 404, 404.1)
    _problem(odk.session.post(f"{url}/{instance_id}/attachments/card.jpg", data=jpeg()), 404, 404.1)
    _problem(odk.session.post(f"{url}/{instance_id}/attachments/..%2Fhouse.jpg", data=jpeg()), 404, 404.1)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100)
    _problem(odk.session.post(f"{url}/{instance_id}/attachments/house.jpg", data=jpeg()), 413, 413.1)
    chunked = (part for part in (jpeg(), jpeg((1, 2, 3))))          # no Content-Length: read until the bound
    _problem(odk.session.post(f"{url}/{instance_id}/attachments/house.jpg", data=chunked), 413, 413.1)
    monkeypatch.undo()
    assert _stored(app) == before
