"""Attacks on the residents' self-report door and the township's leads inbox, from a security review: each test
Each test states what the server should do; a failing test is a finding."""
import base64
import json
import time
from urllib.parse import quote

import pytest
import requests
from sqlalchemy import text

from tests.support.self_report import PNG, make_link, post_report, report_xml
from tests.web.conftest import web_user

HEAD_IDNO = "429901197212156394"       # H0000001's head in demo/households.csv, of 李家湾 (429901001001)


def _stored(app, sql: str, **params):
    from app.extensions import db
    with app.app_context():
        return db.session.execute(text(sql), params).all()


def _console(app, project: int, role: str, places=()):
    """A signed-in console session as requests sees it: (session, csrf token)."""
    from app.services.accounts.sessions import open_session
    from app.services.accounts.users import user_by_email
    email, _ = web_user(app, project, role, places)
    with app.app_context():
        token, session = open_session(user_by_email(email), 8)
        csrf = session.csrf
    client = requests.Session()
    client.cookies.set("dixian_session", token)
    return client, csrf


@pytest.fixture()
def link(app, publish, demo_county, monkeypatch):
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=500,
                                                              per_address_minute=500, per_address_day=500,
                                                              per_link_minute=500))
    return make_link(app, publish, demo_county)


def _sid(answer) -> int:
    assert answer.status_code == 201, answer.text
    return int(answer.json()["reference"].removeprefix("SR-"))


def _instance(app, submission_id):
    [(instance,)] = _stored(app, "SELECT instance_id FROM submission WHERE id = :id", id=submission_id)
    return instance


# --- 1. A resident's "photo" is served to the console as a page (stored XSS) --------------------------------

def test_a_photo_named_html_is_never_served_to_the_console_as_a_page(app, live_server, demo_county, link, device):
    polyglot = PNG + b"<script>alert(document.cookie)</script>"
    refused = post_report(live_server, link, report_xml(link.version, photo="bill.html"), {"bill.html": polyglot})
    assert refused.status_code == 400 and 'data-reason="attachment_type"' in refused.text
    # A file of any other submission (a phone's, which may send any name) is a download in a sandbox.
    from demo.submissions import screening_xml
    from tests.support.households import DEFAULT_MEMBERS
    xml = screening_xml("uuid:eeeeeeee-0000-4000-8000-000000000001", village="429901001001", household="H0000001",
                        gps="30.4 114.07 20 5", members=list(DEFAULT_MEMBERS), photo="x.html")
    assert device.post_submission(xml, {"x.html": polyglot}).status_code == 201
    viewer, _ = _console(app, demo_county, "viewer", ["429901001000"])
    answer = viewer.get(f"{live_server}/v1/projects/{demo_county}/forms/fpf_hh_screening/submissions/"
                        "uuid:eeeeeeee-0000-4000-8000-000000000001/attachments/x.html", timeout=10)
    assert answer.status_code == 200 and answer.content == polyglot
    assert answer.headers["Content-Type"] == "application/octet-stream"
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in answer.headers["Content-Security-Policy"]


# --- 2. A report ties itself to any household of the village (an element the form does not have) ------------

def test_a_report_cannot_tie_itself_to_a_registry_household(app, live_server, link):
    xml = report_xml(link.version).replace(b"<thanks/>", b"<thanks/><hh_id>H0000001</hh_id>")
    sid = _sid(post_report(live_server, link, xml))
    [(household_id,)] = _stored(app, "SELECT household_id FROM submission WHERE id = :id", id=sid)
    # Expected: the residents' form picks no household (it has no such question): a report from anyone who
    # scanned a poster is never filed under a household of the registry, nor in its history.
    assert household_id is None


# --- 3. The page's stamp never expires and can be replayed forever -------------------------------------------

def test_a_stamp_signed_a_month_ago_is_refused(app, live_server, link):
    answer = post_report(live_server, link, report_xml(link.version), stamp_age=30 * 24 * 3600)
    # The refusal's own text says "...or is too old; open the link again" (no_stamp); nothing enforces it.
    assert answer.status_code == 400, answer.status_code


# --- 4. The leads inbox --------------------------------------------------------------------------------------

def _lead_of(app, submission_id):
    return _stored(app, "SELECT lead_id FROM lead_report WHERE submission_id = :id", id=submission_id)[0][0]


def test_a_reason_with_a_nul_character_is_refused_not_a_500(app, live_server, demo_county, link):
    lead = _lead_of(app, _sid(post_report(live_server, link, report_xml(link.version))))
    manager, csrf = _console(app, demo_county, "manager", ["429901001000"])
    answer = manager.post(f"{live_server}/projects/{demo_county}/leads/{lead}/decision", timeout=10,
                          data={"csrf_token": csrf, "decision": "reject", "reason": "重复\x00反映"},
                          allow_redirects=False)
    assert answer.status_code < 500, answer.status_code
    assert _stored(app, "SELECT state FROM lead WHERE id = :id", id=lead) == [("new",)]


def test_a_reason_of_ten_thousand_characters_is_refused(app, live_server, demo_county, link):
    lead = _lead_of(app, _sid(post_report(live_server, link, report_xml(link.version))))
    manager, csrf = _console(app, demo_county, "manager", ["429901001000"])
    answer = manager.post(f"{live_server}/projects/{demo_county}/leads/{lead}/decision", timeout=10,
                          data={"csrf_token": csrf, "decision": "reject", "reason": "长" * 10_000},
                          allow_redirects=False)
    assert answer.status_code == 400
    assert _stored(app, "SELECT state FROM lead WHERE id = :id", id=lead) == [("new",)]


@pytest.mark.parametrize("lead_id", ["2147483648", "9223372036854775808", "99999999999999999999999999", "0",
                                     "-1", "١٢", "1e3"])
def test_lead_ids_out_of_range_are_404(app, live_server, demo_county, link, lead_id):
    viewer, csrf = _console(app, demo_county, "manager", ["429901001000"])
    shown = viewer.get(f"{live_server}/projects/{demo_county}/leads/{lead_id}", timeout=10)
    assert shown.status_code == 404, shown.status_code
    decided = viewer.post(f"{live_server}/projects/{demo_county}/leads/{lead_id}/decision", timeout=10,
                          data={"csrf_token": csrf, "decision": "accept"}, allow_redirects=False)
    assert decided.status_code == 404, decided.status_code


@pytest.mark.parametrize("into", ["2147483648", "999999999", "-1", "١", " 1"])
def test_merging_into_nonsense_is_refused_not_a_500(app, live_server, demo_county, link, into):
    lead = _lead_of(app, _sid(post_report(live_server, link, report_xml(link.version))))
    manager, csrf = _console(app, demo_county, "manager", ["429901001000"])
    answer = manager.post(f"{live_server}/projects/{demo_county}/leads/{lead}/decision", timeout=10,
                          data={"csrf_token": csrf, "decision": "merge", "into": into}, allow_redirects=False)
    assert answer.status_code in (400, 404, 409), answer.status_code
    assert _stored(app, "SELECT state FROM lead WHERE id = :id", id=lead) == [("new",)]


def test_a_viewer_and_a_forged_request_cannot_decide(app, live_server, demo_county, link):
    lead = _lead_of(app, _sid(post_report(live_server, link, report_xml(link.version))))
    viewer, viewer_csrf = _console(app, demo_county, "viewer", ["429901001000"])
    assert viewer.post(f"{live_server}/projects/{demo_county}/leads/{lead}/decision", timeout=10,
                       data={"csrf_token": viewer_csrf, "decision": "accept"},
                       allow_redirects=False).status_code == 403
    manager, _ = _console(app, demo_county, "manager", ["429901001000"])
    assert manager.post(f"{live_server}/projects/{demo_county}/leads/{lead}/decision", timeout=10,
                        data={"decision": "accept"}, allow_redirects=False).status_code in (400, 403)
    assert manager.post(f"{live_server}/projects/{demo_county}/leads/{lead}/decision", timeout=10,
                        data={"decision": "accept", "csrf_token": viewer_csrf},
                        allow_redirects=False).status_code in (400, 403)
    assert _stored(app, "SELECT state FROM lead WHERE id = :id", id=lead) == [("new",)]


def test_no_merge_into_a_lead_of_another_village_or_project(app, live_server, demo_county, publish, link):
    other_link = make_link(app, publish, demo_county, village="429901001002")
    mine = _lead_of(app, _sid(post_report(live_server, link, report_xml(link.version, phone="13800000001"))))
    theirs = _lead_of(app, _sid(post_report(live_server, other_link,
                                            report_xml(other_link.version, village="429901001002",
                                                       phone="13800000002"))))
    manager, csrf = _console(app, demo_county, "manager", ["429901001000"])
    answer = manager.post(f"{live_server}/projects/{demo_county}/leads/{mine}/decision", timeout=10,
                          data={"csrf_token": csrf, "decision": "merge", "into": str(theirs)}, allow_redirects=False)
    assert answer.status_code == 409
    # A manager of the other township cannot merge its leads into ours, nor read ours.
    other, other_csrf = _console(app, demo_county, "manager", ["429901002000"])
    assert other.get(f"{live_server}/projects/{demo_county}/leads/{mine}", timeout=10).status_code == 404
    assert other.post(f"{live_server}/projects/{demo_county}/leads/{mine}/decision", timeout=10,
                      data={"csrf_token": other_csrf, "decision": "reject", "reason": "x"},
                      allow_redirects=False).status_code == 404
    assert _stored(app, "SELECT state FROM lead ORDER BY id") == [("new",), ("new",)]


# --- 5. A report joins a lead of another township: its own township never sees it ---------------------------

def test_a_report_never_joins_a_lead_its_township_cannot_see(app, live_server, demo_county, publish, link):
    # Someone (anyone: posters are public) first reports the victim's phone under a village of another
    # township; the victim then reports under their own village's link.
    elsewhere = make_link(app, publish, demo_county, village="429901002001")
    _sid(post_report(live_server, elsewhere, report_xml(elsewhere.version, village="429901002001",
                                                        phone="13800138000", story="垃圾")))
    genuine = _sid(post_report(live_server, link, report_xml(link.version, phone="13800138000")))
    lead = _lead_of(app, genuine)
    [(lead_village,)] = _stored(app, "SELECT village FROM lead WHERE id = :id", id=lead)
    # The township of the report's own village (芳乡 429901001000) must find it in its inbox.
    manager, _ = _console(app, demo_county, "manager", ["429901001000"])
    assert manager.get(f"{live_server}/projects/{demo_county}/leads/{lead}", timeout=10).status_code == 200, \
        f"report of 429901001001 filed under lead {lead} of village {lead_village}"


# --- 6. An instanceID with slashes moves the lead page's photo links anywhere on the console ---------------

def test_the_lead_pages_photo_links_stay_on_the_reports_own_submission(app, live_server, demo_county, link):
    import html
    import re
    from urllib.parse import urljoin
    instance = "uuid:../../../../../../../../projects/1/leads/x"
    sid = _sid(post_report(live_server, link, report_xml(link.version, photo="bill.png", instance_id=instance),
                           {"bill.png": PNG}))
    viewer, _ = _console(app, demo_county, "viewer", ["429901001000"])
    shown = viewer.get(f"{live_server}/projects/{demo_county}/leads/{_lead_of(app, sid)}", timeout=10).text
    [src] = re.findall(r'<img class="photo"[^>]* src="([^"]*)"', shown)
    resolved = urljoin(f"{live_server}/projects/{demo_county}/leads/1", html.unescape(src))
    assert resolved.startswith(f"{live_server}/v1/projects/{demo_county}/forms/fpf_self_report/submissions/"), resolved


# --- 7. What held: the public door ---------------------------------------------------------------------------

TOKENS = ["a" * 13, "a" * 15, "A" * 14, "0" * 14, "٢" * 14, "２" * 14, "a" * 5000, "%00" * 14,
          "aaaaaaaaaaaaa%C3%A9", "%2e%2e", "aaaaaaaaaaaaa%0a", "aaaaaaaaaaaa%F0%9F%98%80"]


def test_malformed_tokens_are_404_with_the_policy(app, live_server, link):
    for token in TOKENS:
        for tail in ("", "/form.xml", "/attachments/admin_units.csv", "/challenge", "/thanks"):
            answer = requests.get(f"{live_server}/f/{token}{tail}", timeout=10, allow_redirects=False)
            assert answer.status_code in (400, 404, 414), (answer.status_code, token, tail)   # never a 5xx
            if answer.status_code == 404 and "text/html" in answer.headers.get("Content-Type", ""):
                assert "frame-ancestors 'none'" in answer.headers.get("Content-Security-Policy", "")


def test_the_thanks_page_of_a_token_that_opens_nothing_is_404(app, live_server, link):
    # A thank-you page for any token at all: a phishing poster could show the server's own thanks for a
    # "report" that never reached it (low).
    answer = requests.get(f"{live_server}/f/{'z' * 14}/thanks?ref=SR-1", timeout=10)
    assert answer.status_code == 404, answer.status_code


def test_posts_for_unknown_tokens_are_404_and_store_nothing(app, live_server, link):
    fake = type(link)(link.id, "z" * 14, "", link.village, link.version)
    assert post_report(live_server, fake, report_xml(link.version)).status_code == 404
    assert _stored(app, "SELECT count(*) FROM submission") == [(1,)]


@pytest.mark.parametrize("name", ["households.csv", "../households.csv", "..%2fhouseholds.csv", "%2e%2e",
                                  "fpf_self_report.xml", "admin_units.csv%00", "ADMIN_UNITS.CSV"])
def test_no_file_but_the_forms_own(app, live_server, link, name):
    answer = requests.get(f"{live_server}/f/{link.token}/attachments/{name}", timeout=10)
    assert answer.status_code in (400, 404), (name, answer.status_code)


def test_the_village_list_holds_the_links_village_and_those_above_it_only(app, live_server, link):
    answer = requests.get(f"{live_server}/f/{link.token}/attachments/admin_units.csv", timeout=10)
    if answer.status_code == 404:
        pytest.skip("the form has no generated village list")
    codes = {line.split(",")[0] for line in answer.text.splitlines()[1:]}
    assert all(c == link.village or c.startswith(link.village) or c in ("429901001000", "429901000000")
               for c in codes), codes
    form = requests.get(f"{live_server}/f/{link.token}/form.xml", timeout=10).text
    assert "H0000" not in form and "households.csv" not in form


def test_a_report_of_another_form_an_edit_or_bad_xml_is_refused(app, live_server, link):
    other = report_xml(link.version, form_id="fpf_hh_screening")
    assert post_report(live_server, link, other).status_code == 400
    first = report_xml(link.version)
    sid = _sid(post_report(live_server, link, first))
    instance = _instance(app, sid)
    edit = report_xml(link.version, story="改了").replace(
        b"<meta>", f"<meta><deprecatedID>{instance}</deprecatedID>".encode())
    assert post_report(live_server, link, edit).status_code == 403
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">'.encode()
                       for i in range(9))
            + b']><data id="fpf_self_report">&lol8;</data>')
    assert post_report(live_server, link, bomb).status_code in (400, 413)
    external = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                + report_xml(link.version, story="&x;"))
    answer = post_report(live_server, link, external)
    assert answer.status_code in (400, 413) or "root:" not in str(_stored(app, "SELECT answers::text FROM "
                                                                         "submission_version"))
    huge = report_xml(link.version, story="长" * 3_000_000)
    assert post_report(live_server, link, huge).status_code in (400, 413)
    deep = report_xml(link.version).replace(b"<thanks/>", b"<a>" * 5000 + b"</a>" * 5000)
    assert post_report(live_server, link, deep).status_code in (201, 400, 413)
    wide = report_xml(link.version).replace(b"<thanks/>", b"<x/>" * 300_000)
    assert post_report(live_server, link, wide).status_code in (400, 413)
    assert _stored(app, "SELECT count(*) FROM lead") == [(1,)]


def test_a_resend_is_one_report_one_lead_and_one_of_the_quota(app, live_server, demo_county, publish, monkeypatch):
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=500,
                                                              per_address_minute=500))
    link = make_link(app, publish, demo_county, quota=2)
    xml = report_xml(link.version, photo="bill.png")
    first = post_report(live_server, link, xml, {"bill.png": PNG})
    again = post_report(live_server, link, xml, {"bill.png": PNG})
    assert first.json()["reference"] == again.json()["reference"]
    assert _stored(app, "SELECT reports FROM public_link WHERE id = :id", id=link.id) == [(1,)]
    assert _stored(app, "SELECT count(*), sum(reports) FROM lead") == [(1, 1)]
    other = report_xml(link.version, story="别的").replace(b"<meta>", b"<meta>")
    conflicting = post_report(live_server, link, other.replace(
        other[other.index(b"<instanceID>"):other.index(b"</instanceID>")],
        xml[xml.index(b"<instanceID>"):xml.index(b"</instanceID>")]))
    assert conflicting.status_code == 409
    assert _stored(app, "SELECT reports FROM public_link WHERE id = :id", id=link.id) == [(1,)]


def test_the_quota_holds_against_a_race(app, live_server, demo_county, publish, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=500,
                                                              per_address_minute=500, per_link_minute=500))
    link = make_link(app, publish, demo_county, quota=3)
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda n: post_report(live_server, link, report_xml(link.version,
                                                                                   phone=f"1380000{n:04d}")),
                                range(12)))
    assert sorted(a.status_code for a in answers).count(201) == 3, [a.status_code for a in answers]
    assert all(a.status_code in (201, 410) for a in answers), [a.status_code for a in answers]
    assert _stored(app, "SELECT reports FROM public_link WHERE id = :id", id=link.id) == [(3,)]
    assert _stored(app, "SELECT count(*) FROM lead") == [(3,)]


@pytest.mark.parametrize("photo, status", [
    (b"<html><script>alert(1)</script></html>", 400),
    (b"GIF89a" + b"\0" * 10, 400),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", 400),
    (b"\xff\xd8\xff" + b"\0" * 6_000_001, 413),
])
def test_non_images_and_oversized_photos_are_refused(app, live_server, link, photo, status):
    answer = post_report(live_server, link, report_xml(link.version, photo="p.png"), {"p.png": photo})
    assert answer.status_code == status
    assert _stored(app, "SELECT count(*) FROM lead") == [(0,)]


def test_stamps_of_another_link_or_the_future_are_refused(app, live_server, demo_county, publish, link):
    other = make_link(app, publish, demo_county, village="429901001002")
    from app.core.fill_time import render_stamp
    stolen = render_stamp("test-secret", other.id, int(time.time()) - 60)
    assert post_report(live_server, link, report_xml(link.version), dixian_stamp=stolen).status_code == 400
    future = render_stamp("test-secret", link.id, int(time.time()) + 3600)
    assert post_report(live_server, link, report_xml(link.version), dixian_stamp=future).status_code == 400
    forged = render_stamp("another-secret", link.id, int(time.time()) - 60)
    assert post_report(live_server, link, report_xml(link.version), dixian_stamp=forged).status_code == 400
    for odd in ("", ".", "-60." + "0" * 64, "٦٠." + "0" * 64, "1" * 5000, "\x00"):
        assert post_report(live_server, link, report_xml(link.version), dixian_stamp=odd).status_code == 400
    assert _stored(app, "SELECT count(*) FROM lead") == [(0,)]


# --- 8. What held: the proof of work -------------------------------------------------------------------------

@pytest.fixture()
def challenged(app, publish, demo_county, monkeypatch):
    """A link whose every report must come with a proof of work (a small one)."""
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=0,
                                                              challenge_work=6, per_address_minute=500))
    return make_link(app, publish, demo_county)


def _solve(challenge_dict) -> str:
    import altcha
    challenge = altcha.Challenge.from_dict(challenge_dict)
    solution = altcha.solve_challenge(challenge)
    return base64.b64encode(json.dumps(altcha.Payload(challenge, solution).to_dict()).encode()).decode()


def test_a_solution_opens_one_report_and_only_this_servers(app, live_server, challenged):
    link = challenged
    assert post_report(live_server, link, report_xml(link.version)).status_code == 400        # none given
    challenge = requests.get(f"{live_server}/f/{link.token}/challenge", timeout=10).json()
    payload = _solve(challenge)
    assert post_report(live_server, link, report_xml(link.version), altcha=payload).status_code == 201
    assert post_report(live_server, link, report_xml(link.version), altcha=payload).status_code == 400   # reused
    from app.services.self_report.challenge import new_challenge
    foreign = _solve(new_challenge("another-secret", 6))
    assert post_report(live_server, link, report_xml(link.version), altcha=foreign).status_code == 400
    assert _stored(app, "SELECT count(*) FROM lead") == [(1,)]


@pytest.mark.parametrize("payload", [
    "x", "====", base64.b64encode(b"\xff\xfe").decode(), base64.b64encode(b"[]").decode(),
    base64.b64encode(b'{"challenge": "x", "solution": "y"}').decode(),
    base64.b64encode(b'{"challenge": {"parameters": {}}, "solution": {}}').decode(),
    base64.b64encode(json.dumps({"challenge": {"parameters": {"algorithm": "PBKDF2/SHA-256", "nonce": "zz",
                                                              "salt": "zz", "cost": 1, "expiresAt": "soon"},
                                               "signature": 5},
                                 "solution": {"counter": -1, "derivedKey": 7}}).encode()).decode(),
    base64.b64encode(json.dumps({"challenge": {"parameters": {"algorithm": "MD5", "nonce": "00", "salt": "00",
                                                              "cost": 10 ** 12, "expiresAt": 1e400}},
                                 "solution": {"counter": 10 ** 30, "derivedKey": "00"}}).encode()
                     .replace(b"Infinity", b"1e400")).decode(),
    base64.b64encode(b"[" * 100_000).decode()[:3999],
    "a" * 4001,
])
def test_malformed_solutions_are_refused_not_a_500(app, live_server, challenged, payload):
    answer = post_report(live_server, challenged, report_xml(challenged.version), altcha=payload)
    assert answer.status_code == 400, answer.status_code


def test_an_expired_solution_is_refused(app, live_server, challenged, monkeypatch):
    from app.services.self_report import challenge as challenge_module
    monkeypatch.setattr(challenge_module, "CHALLENGE_SECONDS", -5)
    with app.app_context():
        stale = challenge_module.new_challenge("test-secret", 6)
    answer = post_report(live_server, challenged, report_xml(challenged.version), altcha=_solve(stale))
    assert answer.status_code == 400


def test_forwarded_for_from_an_untrusted_peer_is_not_believed(app, link, monkeypatch):
    """Rate limits key on the peer's address: X-Forwarded-For counts only from TRUSTED_PROXIES."""
    from app.core.fill_time import render_stamp
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=500,
                                                              per_address_minute=2))
    client = app.test_client()
    codes = []
    for n in range(4):
        data = {"xml_submission_file": (__import__("io").BytesIO(report_xml(link.version)), "xml_submission_file"),
                "dixian_stamp": render_stamp("test-secret", link.id, int(time.time()) - 60 - n), "website": ""}
        codes.append(client.post(f"/f/{link.token}/submission", data=data, content_type="multipart/form-data",
                                 headers={"Accept": "application/json", "X-Forwarded-For": f"198.51.100.{n}"},
                                 environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code)
    assert codes == [201, 201, 429, 429], codes


# --- 9. A second village element files the report in another township (and under its households) ---------

def test_a_report_is_filed_under_the_links_village_whatever_else_it_names(app, live_server, link):
    xml = report_xml(link.version).replace(b"<thanks/>", b"<thanks/><village>429901002001</village>")
    sid = _sid(post_report(live_server, link, xml))
    [(admin_code,)] = _stored(app, "SELECT admin_code FROM submission WHERE id = :id", id=sid)
    # ingest_submission's docstring: "With `village` (a public link's) the submission is of that village
    # whatever it names".
    assert admin_code == link.village


def test_a_report_cannot_land_in_a_household_history_of_another_township(app, live_server, demo_county, link):
    xml = report_xml(link.version, photo="bill.png").replace(
        b"<thanks/>", b"<thanks/><village>429901002001</village><hh_id>H0000004</hh_id>")
    sid = _sid(post_report(live_server, link, xml, {"bill.png": PNG}))
    instance = _instance(app, sid)
    viewer, _ = _console(app, demo_county, "viewer", ["429901002000"])      # 娜镇, H0000004's township
    shown = viewer.get(f"{live_server}/projects/{demo_county}/households/H0000004", timeout=10)
    assert shown.status_code == 200
    history = shown.text[shown.text.index('id="history"'):]
    assert "fpf_self_report" not in history and quote(instance) not in history, \
        "a stranger's report (and its 'photo') is in H0000004's history, seen by another township"


# --- 10. One address shuts a village's link: refused junk counts against the link's own limits ---------------

def _post_from(client, link, address: str, *, stamp: bool = True):
    import io

    from app.core.fill_time import render_stamp
    data = {"xml_submission_file": (io.BytesIO(report_xml(link.version)), "xml_submission_file"), "website": ""}
    if stamp:
        data["dixian_stamp"] = render_stamp("test-secret", link.id, int(time.time()) - 60)
    return client.post(f"/f/{link.token}/submission", data=data, content_type="multipart/form-data",
                       headers={"Accept": "application/json"}, environ_base={"REMOTE_ADDR": address})


def test_junk_from_one_address_does_not_shut_the_villages_link(app, publish, demo_county, monkeypatch):
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=500))
    link = make_link(app, publish, demo_county)            # the defaults: 3 a minute per address, 20 per link
    client = app.test_client()
    junk = [_post_from(client, link, "203.0.113.66", stamp=False).status_code for _ in range(25)]
    assert set(junk) <= {400, 429}                        # every one refused (no stamp, then the address's limit)
    resident = _post_from(client, link, "198.51.100.20")
    assert resident.status_code == 201, (resident.status_code, resident.get_data(as_text=True)[:300])


def test_junk_from_one_address_does_not_shut_the_link_for_the_day(app, publish, demo_county, monkeypatch):
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=500,
                                                              per_link_minute=10_000))
    link = make_link(app, publish, demo_county)            # 300 a day per link, 20 a day per address
    client = app.test_client()
    junk = {_post_from(client, link, "203.0.113.66", stamp=False).status_code for _ in range(301)}
    assert junk <= {400, 429}
    resident = _post_from(client, link, "198.51.100.20")
    assert resident.status_code == 201, resident.status_code


# --- 11. Links outliving their project or form ----------------------------------------------------------------

def test_a_link_of_an_archived_project_opens_nothing(app, live_server, link):
    from app.extensions import db
    with app.app_context():
        db.session.execute(text("UPDATE project SET archived = true"))
        db.session.commit()
    # A device of an archived project stops working (app_users.py: "if its project is not archived").
    opened = requests.get(f"{live_server}/f/{link.token}", timeout=10).status_code
    sent = post_report(live_server, link, report_xml(link.version)).status_code
    leads = _stored(app, "SELECT count(*) FROM lead")[0][0]
    assert (opened in (404, 410), sent in (404, 410), leads) == (True, True, 0), (opened, sent, leads)


def test_a_link_of_a_closed_form_says_so_on_its_page(app, live_server, demo_county, link):
    from app.services.forms.publish import set_form_state
    with app.app_context():
        set_form_state(demo_county, "fpf_self_report", "closed")
    refused = post_report(live_server, link, report_xml(link.version))
    assert 400 <= refused.status_code < 500, refused.status_code
    # The resident should learn before filling the form in, not after.
    assert requests.get(f"{live_server}/f/{link.token}", timeout=10).status_code in (404, 409, 410)


# --- 12. Masking and logs -------------------------------------------------------------------------------------

def test_a_viewer_never_reads_an_id_number_or_phone(app, live_server, demo_county, link):
    for phone, idno in (("138 0013 8000", "429901197212156394"), ("+86 139-0013-9000", "42990119970625644x"),
                        ("13700137000", " 4299 0119 9307 2661 49 ")):
        _sid(post_report(live_server, link, report_xml(link.version, phone=phone, idno=idno)))
    viewer, _ = _console(app, demo_county, "viewer", ["429901001000"])
    pages = [viewer.get(f"{live_server}/projects/{demo_county}/leads", timeout=10).text]
    for (lead,) in _stored(app, "SELECT id FROM lead"):
        pages.append(viewer.get(f"{live_server}/projects/{demo_county}/leads/{lead}", timeout=10).text)
    import re
    for text_ in pages:
        digits = re.sub(r"[\s\-+]", "", text_)
        for secret in ("13800138000", "13900139000", "13700137000", "429901197212156394", "42990119970625644",
                       "429901199307266149", "00138", "00139", "00137"):
            assert secret not in digits, secret


def test_a_links_token_is_masked_in_log_lines(app, link):
    from app.core.log_masking import mask_tokens
    line = f'127.0.0.1 - - "POST /f/{link.token}/submission HTTP/1.1" 201'
    # Whoever reads the logs can send under the link (and the database alone is not meant to open one).
    assert link.token not in mask_tokens(line)


def test_another_projects_manager_reads_no_lead(app, live_server, demo_county, link):
    lead = _lead_of(app, _sid(post_report(live_server, link, report_xml(link.version))))
    from app.services.accounts.projects import create_project
    with app.app_context():
        other = create_project("另一个项目").id
    manager, csrf = _console(app, other, "manager")
    assert manager.get(f"{live_server}/projects/{other}/leads/{lead}", timeout=10).status_code == 404
    assert manager.post(f"{live_server}/projects/{other}/leads/{lead}/decision", timeout=10,
                        data={"csrf_token": csrf, "decision": "accept"}, allow_redirects=False).status_code == 404
    assert manager.get(f"{live_server}/projects/{demo_county}/leads/{lead}", timeout=10).status_code in (403, 404)
    assert lead_not_listed(manager.get(f"{live_server}/projects/{other}/leads", timeout=10).text, lead)
    assert _stored(app, "SELECT state FROM lead WHERE id = :id", id=lead) == [("new",)]


def lead_not_listed(listing: str, lead: int) -> bool:
    return f'data-lead="{lead}"' not in listing


# --- 13. More of the public door ----------------------------------------------------------------------------

def test_one_stamp_opens_one_report(app, live_server, link):
    from app.core.fill_time import render_stamp
    stamp = render_stamp("test-secret", link.id, int(time.time()) - 60)
    codes = [post_report(live_server, link, report_xml(link.version, phone=f"1380000{n:04d}"),
                         dixian_stamp=stamp).status_code for n in range(5)]
    # The fill time is "between serving the page and sending it": a script that waits 20 s once should not
    # then send report after report on the same stamp.
    assert codes == [201, 400, 400, 400, 400], codes


def test_bodies_too_big_or_with_too_many_parts_are_refused_not_a_500(app, live_server, link):
    from app.core.fill_time import render_stamp
    stamp = render_stamp("test-secret", link.id, int(time.time()) - 60)
    big = requests.post(f"{live_server}/f/{link.token}/submission", timeout=30, data={"dixian_stamp": stamp},
                        files={"xml_submission_file": ("x", report_xml(link.version)),
                               "p.png": ("p.png", b"\0" * 7_000_000)})
    assert big.status_code == 413, big.status_code
    parts = {f"p{n}.png": (f"p{n}.png", PNG) for n in range(1500)}
    many = requests.post(f"{live_server}/f/{link.token}/submission", timeout=30,
                         files={"xml_submission_file": ("x", report_xml(link.version)), **parts},
                         data={"dixian_stamp": stamp})
    assert 400 <= many.status_code < 500, many.status_code
    broken = requests.post(f"{live_server}/f/{link.token}/submission", timeout=30, data=b"--x\r\nnonsense",
                           headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert 400 <= broken.status_code < 500, broken.status_code
    plain = requests.post(f"{live_server}/f/{link.token}/submission", timeout=30, data=report_xml(link.version),
                          headers={"Content-Type": "text/xml"})
    assert 400 <= plain.status_code < 500, plain.status_code
    assert _stored(app, "SELECT count(*) FROM lead") == [(0,)]


def test_many_photos_in_one_report(app, live_server, link):
    evidence = b"".join(f"<evidence><evidence_photo>p{n}.png</evidence_photo></evidence>".encode() for n in range(200))
    xml = report_xml(link.version).replace(b"<gps/>", evidence + b"<gps/>")
    answer = post_report(live_server, link, xml, {f"p{n}.png": PNG for n in range(200)})
    stored = _stored(app, "SELECT count(*) FROM submission_attachment WHERE blob_sha256 IS NOT NULL")[0][0]
    # The form takes at most 3 photos (repeat_count 3); the server keeps whatever the POST names.
    assert answer.status_code == 400 or stored <= 3, (answer.status_code, stored)


def test_two_managers_merging_two_leads_into_each_other_get_no_500(app, live_server, demo_county, link):
    from concurrent.futures import ThreadPoolExecutor
    manager, csrf = _console(app, demo_county, "manager", ["429901001000"])
    statuses = []
    for round_ in range(6):
        a = _lead_of(app, _sid(post_report(live_server, link, report_xml(link.version, phone=f"1370000{round_}001"))))
        b = _lead_of(app, _sid(post_report(live_server, link, report_xml(link.version, phone=f"1370000{round_}002"))))

        def merge(pair):
            return manager.post(f"{live_server}/projects/{demo_county}/leads/{pair[0]}/decision", timeout=30,
                                data={"csrf_token": csrf, "decision": "merge", "into": str(pair[1])},
                                allow_redirects=False).status_code
        with ThreadPoolExecutor(2) as pool:
            statuses += list(pool.map(merge, [(a, b), (b, a)]))
    assert all(s < 500 for s in statuses), statuses


def test_reports_of_one_household_at_once_open_one_lead(app, live_server, link):
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda n: post_report(live_server, link, report_xml(
            link.version, phone=["13800138000", "138-0013-8000", "+8613800138000", "0086 138 0013 8000"][n % 4])),
            range(8)))
    assert [a.status_code for a in answers] == [201] * 8
    assert _stored(app, "SELECT count(*), sum(reports) FROM lead") == [(1, 8)]


def test_a_page_of_another_site_cannot_send_reports_through_its_visitors(app, live_server, link):
    # The stamp is not bound to the browser that fetched the page, so a foreign page can have each of its
    # visitors POST a report (a simple cross-site form POST), from the visitor's own address (low).
    answer = requests.post(f"{live_server}/f/{link.token}/submission", timeout=10,
                           files={"xml_submission_file": ("xml_submission_file", report_xml(link.version), "text/xml")},
                           data={"dixian_stamp": __import__("app.core.fill_time", fromlist=["x"]).render_stamp(
                               "test-secret", link.id, int(time.time()) - 60), "website": ""},
                           headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert answer.status_code in (400, 403), answer.status_code
