"""The request itself is bad: unreadable text in its URL or headers, ids no row can have, strings longer
than their columns, a body that cannot be read. Each gets a 4xx in its door's format, never a 5xx, and
nothing reaches SQL. Requests are sent byte by byte (tests.support.raw_http) where a library would
refuse to send them."""
import json
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

import pytest
import requests
from sqlalchemy import func, select

from demo.submissions import collect_multipart
from tests.conftest import REPO
from tests.http import doors
from tests.support.instances import build_instance
from tests.support.raw_http import MALFORMED_CHUNKS, send

SCREENING = REPO / "forms" / "fpf_hh_screening.md"


@dataclass
class Site:
    url: str
    project: int
    token: str
    bearer: tuple[str, str]

    @property
    def device_base(self) -> str:
        return f"/v1/key/{self.token}/projects/{self.project}"


@pytest.fixture()
def site(live_server, admin, project, publish, device) -> Site:
    publish(SCREENING)
    token = device.server_url.split("/v1/key/")[1].split("/")[0]
    session = requests.post(f"{live_server}/v1/sessions", json={"email": admin[0], "password": admin[1]},
                            timeout=10).json()
    return Site(live_server, project, token, ("Authorization", f"Bearer {session['token']}"))


def _get(site: Site, target: str, *, auth: bool = True, headers=()):
    return send(site.url, "GET", target, ([site.bearer] if auth else []) + list(headers))


def _count(app, model) -> int:
    from app.extensions import db
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# reliability/10: a %00 anywhere in the URL reached a query parameter, and psycopg refused it (500).
@pytest.mark.parametrize("target,door", [
    ("/v1/projects/{p}/households/%00", "api"),
    ("/v1/projects/{p}/forms/fpf_hh_screening/submissions/%00/flags", "api"),
    ("/v1/projects/{p}/coverage?campaign=%00", "api"),
    ("/v1/projects/{p}/forms/%00/attachments", "api"),
    ("/v1/projects/{p}/forms/%00.xml", "openrosa"),
    ("{device}/forms/%00.xml", "openrosa"),
    ("{device}/forms/%00/manifest", "openrosa"),
    ("{device}/formList?formID=%00", "openrosa"),
    ("/v1/key/%00/projects/{p}/formList", "openrosa"),
    ("/%00", "web"),
    ("/healthz?x=%00", "web"),
])
def test_nul_anywhere_in_the_url_is_400_in_the_doors_format(site, target, door):
    response = _get(site, target.format(p=site.project, device=site.device_base))
    {"api": doors.problem, "openrosa": doors.openrosa_error, "web": doors.page}[door](response, 400)
    assert "could not be read" in response.text


def test_nul_in_the_draft_test_url_is_400_without_credentials(site):
    response = send(site.url, "POST", "/v1/test/%00/projects/1/forms/x/draft/submission",
                    [("Content-Type", "multipart/form-data; boundary=x"), ("Content-Length", "0")])
    doors.openrosa_error(response, 400)


@pytest.mark.parametrize("bad", ["%FF", "%C0%80", "%ED%A0%80", "%01", "%0A", "%7F", "%C2%85"],
                         ids=["invalid-utf8", "overlong-nul", "surrogate", "soh", "newline", "del", "c1-nel"])
def test_bad_utf8_and_control_characters_in_path_or_query_are_400(site, bad):
    doors.problem(_get(site, f"/v1/projects/{site.project}/households/H{bad}"), 400, 400.1)
    doors.problem(_get(site, f"/v1/projects/{site.project}/coverage?campaign=c{bad}"), 400, 400.1)
    doors.openrosa_error(_get(site, f"{site.device_base}/formList?formID=f{bad}", auth=False), 400)


@pytest.mark.parametrize("value", [b"a\x00b", b"a\x01b", b"a\x7fb", b"\xff\xfe", b"a\xc2\x85b"],
                         ids=["nul", "soh", "del", "invalid-utf8", "c1-nel"])
def test_unreadable_header_values_are_400_naming_the_header(site, value):
    response = _get(site, f"{site.device_base}/formList", auth=False, headers=[("X-Fuzz", value)])
    text = doors.openrosa_error(response, 400)
    assert "X-Fuzz header" in text


def test_a_tab_in_a_header_value_is_fine(site):
    response = _get(site, f"{site.device_base}/formList", auth=False, headers=[("User-Agent", b"Collect\tv2025")])
    assert response.status == 200, response.text


def test_an_unreadable_authorization_header_is_not_echoed(site):
    token = site.bearer[1].split()[1]
    response = send(site.url, "GET", "/v1/projects", [("Authorization", f"Bearer {token}\x00")])
    doors.problem(response, 400, 400.6)
    assert token not in response.text


# reliability/11: an id of 2^31 or more met an `integer` column in PostgreSQL (500).
def test_project_ids_out_of_range_are_404_there_is_no_project(site):
    for too_big in ("2147483648", "9223372036854775808", "9" * 5000):
        response = _get(site, f"/v1/projects/{too_big}/forms")
        details = doors.problem(response, 404)
        if len(too_big) < 20:
            assert details["message"] == f"There is no project {too_big}."
    response = _get(site, f"/v1/key/{site.token}/projects/2147483648/formList", auth=False)
    assert "There is no project 2147483648." in doors.openrosa_error(response, 404)
    assert _get(site, "/v1/projects/2147483647/forms").status == 404      # in range: just not there


def _digits(number: int, zero: str) -> str:
    """The number written with another script's digits (zero: that script's digit zero)."""
    return "".join(chr(ord(zero) + int(d)) for d in str(number))


@pytest.mark.parametrize("zero", ["\uff10", "\u0660", "\u0966"], ids=["fullwidth", "arabic-indic", "devanagari"])
def test_ids_in_other_scripts_digits_open_nothing(site, zero):
    """werkzeug's <int:> takes any Unicode digit and int() reads '７' as 7: the project itself opened."""
    project = quote(_digits(site.project, zero))
    doors.problem(_get(site, f"/v1/projects/{project}/forms"), 404)
    doors.openrosa_error(_get(site, f"/v1/key/{site.token}/projects/{project}/formList", auth=False), 404)


def _campaign(app, project) -> int:
    result = app.test_cli_runner().invoke(args=["campaign", "create", str(project), "二〇二六年排查", "--start",
                                                "2026-11-01", "--end", "2026-11-30", "--forms", "fpf_hh_screening"])
    assert result.exit_code == 0, result.output
    return int(result.output)


def test_campaign_query_values_that_cannot_be_an_id_are_names(app, site):
    campaign = _campaign(app, site.project)
    coverage = f"/v1/projects/{site.project}/coverage?campaign="
    assert _get(site, coverage + str(campaign)).status == 200
    assert _get(site, coverage + quote("二〇二六年排查")).status == 200
    for value in ("2147483648", quote(_digits(campaign, "\uff10")), quote("\u00b2"), "9" * 5000):
        doors.problem(_get(site, coverage + value), 404)


# A string route parameter longer than its column: refused before SQL, naming the field.
@pytest.mark.parametrize("target,field,limit", [
    ("/v1/projects/{p}/households/" + "H" * 10_000, "household_id", 40),
    ("/v1/projects/{p}/forms/" + "f" * 301, "xmlFormId", 300),
    ("/v1/projects/{p}/forms/fpf_hh_screening/submissions/uuid:" + "a" * 300 + "/flags", "instanceId", 300),
])
def test_route_strings_longer_than_their_column_are_400_13(site, target, field, limit):
    details = doors.problem(_get(site, target.format(p=site.project)), 400, 400.13)
    assert details["details"]["field"] == field and details["details"]["limit"] == limit


def test_household_ids_are_compared_in_nfc(app, site):
    from app.services.registry.imports import import_households, import_places
    decomposed = unicodedata.normalize("NFD", "户-é")
    with app.app_context():
        import_places("places.csv", (REPO / "tests" / "data" / "places.csv").read_bytes())
        import_households(site.project, "h.csv", f"household_id,village,head_name\n{decomposed},420102001001,王五\n"
                          .encode())
    for spelling in ("NFC", "NFD"):
        response = _get(site, f"/v1/projects/{site.project}/households/"
                              f"{quote(unicodedata.normalize(spelling, '户-é'))}")
        assert response.status == 200, response.text
        assert json.loads(response.body)["householdId"] == unicodedata.normalize("NFC", "户-é")


def test_a_device_id_longer_than_its_column_is_400_and_nothing_is_stored(app, site, device):
    from app.models import Submission
    xml, files = build_instance(device.get(device.form_list()[0].download_url).content)
    body, content_type = collect_multipart(xml, files)
    response = send(site.url, "POST", f"{site.device_base}/submission?deviceID={'d' * 301}",
                    [("Content-Type", content_type), ("Content-Length", str(len(body)))], body)
    assert "device ID" in doors.openrosa_error(response, 400)
    assert _count(app, Submission) == 0


@pytest.mark.parametrize("email,code", [("boss\u0000@example.org", 400.8), ("b" * 320 + "@example.org", 400.13)],
                         ids=["nul", "too-long"])
def test_session_requests_with_unstorable_emails_are_400(live_server, clean, email, code):
    response = requests.post(f"{live_server}/v1/sessions", json={"email": email, "password": "x" * 12}, timeout=10)
    assert doors.problem(response, 400, code)["details"]["field"] == "email"


# reliability/09: a malformed chunked body. werkzeug's server (here) raises OSError; gunicorn its own
# exceptions (tests/http/test_gunicorn_bodies.py).

@pytest.mark.parametrize("body", MALFORMED_CHUNKS.values(), ids=MALFORMED_CHUNKS.keys())
def test_malformed_chunked_bodies_are_400_39(app, site, body):
    from app.models import Submission
    response = send(site.url, "POST", f"{site.device_base}/submission",
                    [("Content-Type", "multipart/form-data; boundary=x"), ("Transfer-Encoding", "chunked")], body)
    assert "could not be read" in doors.openrosa_error(response, 400)
    assert _count(app, Submission) == 0


def test_a_body_shorter_than_its_content_length_is_400_39(site):
    response = send(site.url, "POST", f"{site.device_base}/submission",
                    [("Content-Type", "multipart/form-data; boundary=x"), ("Content-Length", "1000")],
                    b"--x\r\nContent-Disposition: form-data; name=\"xml_submission_file\"\r\n\r\n<da", half_close=True)
    assert "could not be read" in doors.openrosa_error(response, 400)


def test_every_route_parameter_is_checked_against_a_column(app):
    """A new route cannot skip the checks: each of its parameters must name the column it meets."""
    from app.http.route_values import ROUTE_VALUES
    unchecked = {f"{rule.rule}: {name}" for rule in app.url_map.iter_rules() if rule.endpoint != "static"
                 for name in rule.arguments if name not in ROUTE_VALUES}
    assert not unchecked, "add these parameters to app/http/route_values.py ROUTE_VALUES"


def test_json_nested_too_deeply_to_parse_is_400(live_server, clean):
    body = "[" * 100_000 + "]" * 100_000
    response = requests.post(f"{live_server}/v1/sessions", data=body, headers={"Content-Type": "application/json"},
                             timeout=10)
    doors.problem(response, 400)


@pytest.mark.parametrize("body", ['{"email": "\\ud800@x.org", "password": "a long enough one"}',
                                  '{"email": "a@x.org", "password": "\\udfff"}', '{"\\ud800": 1}'])
def test_a_lone_surrogate_in_json_is_400_not_500(live_server, body):
    """Found by the attack test: Python reads "\\ud800" into a str nothing can encode."""
    import requests
    response = requests.post(f"{live_server}/v1/sessions", data=body.encode(), timeout=10,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["code"] == 400.3


def test_too_many_parts_is_413_saying_so_not_that_the_body_is_too_large(app, project, device):
    """werkzeug refuses a multipart body of more than 1,000 parts with the same exception as an oversized
    one; the answer names the limit that was hit (found by the attack test: 100 KB told it was over 50 MB)."""
    files = [("xml_submission_file", ("s.xml", b"<data/>", "text/xml"))]
    files += [(f"f{i}", (f"f{i}.jpg", b"x", "image/jpeg")) for i in range(1200)]
    answer = device.http.post(f"{device.server_url}/submission", files=files, timeout=60)
    assert answer.status_code == 413
    assert b"more than 1000 parts" in answer.content and b"OpenRosaResponse" in answer.content
