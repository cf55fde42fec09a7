"""Attacks on the ODK Central-compatible REST and OData API (issue 16): place scoping through every route, roles
writing what they may not, hostile OData options and bodies, odd answers, paging while submissions arrive.

A test marked xfail(strict=True) shows a problem found, its reason saying what is wrong; the plain tests are what
held. Cases that share a set-up are grouped in one test to keep the suite short."""
import base64
import json
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
import requests

from tests.central.odata_support import send_screenings, stored
from tests.support.collect import CollectClient
from tests.support.people import bearer
from tests.support.rest_submissions import jpeg, new_instance_id, rows, screening

FORM = "fpf_hh_screening"
IDNO = "429901197212156394"            # the example screening's head (demo/screening-example.xml)
NAZHEN = "429901002000"                # the demo county's second township (HOUSEHOLDS' third household)
CHROMIUM = Path("/usr/lib/chromium/chromium")


def _base(live_server, project) -> str:
    return f"{live_server}/v1/projects/{project}"


def _svc(live_server, project, form=FORM) -> str:
    return f"{_base(live_server, project)}/forms/{form}.svc"


def _read(get, url, **kwargs) -> tuple[int | str, dict | list | None]:
    """(status, parsed JSON or None); status 'broken' when the answer ends before its body does."""
    try:
        answer = get(url, timeout=30, **kwargs)
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError):
        return "broken", None
    try:
        return answer.status_code, json.loads(answer.content)
    except ValueError:
        return answer.status_code, None


# --- OData $filter ------------------------------------------------------------------------------------------

# Filters whose two sides odata_filter.py lets through unchecked (a literal against a literal, or a function
# result against a value of another type, or a whole number beyond bigint) and PostgreSQL then refuses.
UNCOMPARABLE = [
    "1 eq 'a'", "'a' eq 1", "true eq 1", "1 and 2", "__system/reviewState eq 'x' and 1",
    "startswith(__id, 'u') eq 1",
    "__system/submitterId eq 99999999999999999999999", "__system/submitterId in (1, 99999999999999999999)",
    "year(__system/submissionDate) eq 99999999999999999999",
]


def test_filters_postgresql_cannot_compare_are_400_not_a_broken_stream(api, live_server, demo_county):
    svc = _svc(live_server, demo_county)
    answers = {}
    for expression in UNCOMPARABLE:
        for table in ("Submissions", "Submissions.member"):
            for extra in ({}, {"$top": "2"}, {"$count": "true"}):
                status, body = _read(api.get, f"{svc}/{table}", params={"$filter": expression, **extra})
                answers[(expression, table, tuple(extra))] = (status, body and body.get("code"))
    assert {key: got for key, got in answers.items() if got != (400, 400.18)} == {}


# Hostile options that held: Central's problem JSON, never a 5xx or a broken stream.
HELD = [
    ({"$filter": "not " * 495 + "true"}, 400, 400.18),
    ({"$filter": "__id eq 'a' " + "or __id eq 'a' " * 120}, 200, None),
    ({"$filter": "(" * 900 + "__id eq 'a'" + ")" * 900}, 200, None),
    ({"$filter": "__system/submissionDate eq 2026-02-30"}, 400, 400.18),
    ({"$filter": "__system/submissionDate gt 2026-01-01T00:00:00+99:00"}, 400, 400.18),
    ({"$filter": "__system/submitterId eq 1e400"}, 400, 400.18),
    ({"$filter": "1 in ('a')"}, 400, 400.18),
    ({"$filter": "__dixian/placeCode eq 429901001001"}, 400, 400.18),
    ({"$filter": "__dixian/flag eq null"}, 400, 400.18),
    ({"$filter": "__id eq 'a' and __id eq 1"}, 400, 400.18),
    ({"$filter": "not 1"}, 400, 400.18),
    ({"$filter": "tolower(__id) eq 'a'"}, 501, 501.4),
    ({"$filter": "time(__system/submissionDate) eq 5"}, 501, 501.4),   # not one of Central's functions
    ({"$filter": "__id eq 'it''s' or contains(__id, '\\')"}, 200, None),
    ({"$filter": "startswith(__dixian/placeCode, '%')"}, 200, None),
    ({"$filter": "x" * 2001}, 400, 400.18),
    ({"$top": str(2**62)}, 200, None),
    ({"$skip": str(2**62)}, 200, None),
    ({"$top": "1", "$skip": str(2**62), "$orderby": "__id"}, 200, None),
    ({"$top": "１"}, 400, 400.8),
    ({"$top": "+1"}, 400, 400.8),
    ({"$top": str(2**62 + 1)}, 400, 400.8),
    ({"$skiptoken": "01" + base64.urlsafe_b64encode(b'{"s": 1.0}').decode()}, 400, 400.35),
    ({"$skiptoken": "01" + base64.urlsafe_b64encode(b'{"s": true}').decode()}, 400, 400.35),
    ({"$skiptoken": "01" + base64.urlsafe_b64encode(b'{"s":1e999}').decode()}, 400, 400.35),
    ({"$skiptoken": "01" + base64.urlsafe_b64encode(b"\xff\xfe").decode()}, 400, 400.35),
    ({"$skiptoken": "01" + "A" * 300}, 400, 400.35),
    ({"$skiptoken": "01" + base64.urlsafe_b64encode(b'{"s": 5}').decode(), "$orderby": "__id"}, 501, 501.1),
    ({"$select": ",".join(["__id"] * 1000)}, 200, None),
    ({"$select": ",".join(["hh_g/head_name"] * 500)}, 200, None),
    ({"$select": "__system/"}, 400, 400.23),
    ({"$select": "/hh_g"}, 400, 400.23),
    ({"$select": "姓名"}, 400, 400.23),
    ({"$select": "*,__id"}, 400, 400.23),
    ({"$orderby": ",".join(["__id"] * 500)}, 200, None),
    ({"$orderby": "__dixian/flag"}, 501, 501.5),
    ({"$format": "application/json;odata.metadata=full"}, 501, 501.1),
    ({"$levels": "1"}, 501, 501.1),
    ({"$": "1"}, 501, 501.1),
    ({"$search": ""}, 501, 501.1),
    ({"$expand": ""}, 501, 501.1),
]

PATHS = [
    ("Submissions('')", 404), ("Submissions/$count", 404), ("Submissions/", 404), ("Submissions('x')/member('y')", 404),
    ("Submissions.member.member", 404), ("submissions", 404), ("Submissions(\"x\")", 404), ("Submissions(x)", 404),
    ("Submissions('" + "x" * 3000 + "')", 404), ("Submissions('😀')", 404), ("Submissions('a'%2F'b')", 404),
    ("Submissions('%00')", 400), ("Submissions('x')/member('y')/member('z')/member", 404),
]


def test_hostile_odata_options_and_paths_get_centrals_problems(api, live_server, demo_county):
    svc = _svc(live_server, demo_county)
    wrong = {}
    for query, status, code in HELD:
        got, body = _read(api.get, f"{svc}/Submissions", params=query)
        if got != status or (code is not None and body.get("code") != code) or (code is None and "value" not in body):
            wrong[str(query)[:80]] = (got, body and str(body)[:120])
    for path, status in PATHS:
        got, body = _read(api.get, f"{svc}/{path}")
        if got != status or body is None or "code" not in body:
            wrong[path[:80]] = (got, body and str(body)[:120])
    assert wrong == {}


# --- places and roles ---------------------------------------------------------------------------------------

def test_a_township_user_reaches_no_other_township_through_any_route(app, live_server, demo_county, editor, api):
    sent = send_screenings(editor)            # sent[2] is in 娜镇 (429901002), the rest and the example in 芳乡
    other = sent[0]
    nazhen = bearer(app, live_server, demo_county, "manager", (NAZHEN,))
    base, svc = _base(live_server, demo_county), _svc(live_server, demo_county)
    sub = f"{base}/forms/{FORM}/submissions/{other}"
    reached = {}
    for path in (sub, f"{sub}.xml", f"{sub}/versions", f"{sub}/versions/{other}", f"{sub}/versions/{other}.xml",
                 f"{sub}/comments", f"{sub}/flags", f"{sub}/attachments", f"{svc}/Submissions('{other}')",
                 f"{svc}/Submissions('{other}')/member", f"{svc}/Submissions.member('{other}')"):
        reached[path] = requests.get(path, headers=nazhen, timeout=10).status_code
    reached["PATCH"] = requests.patch(sub, json={"reviewState": "approved"}, headers=nazhen, timeout=10).status_code
    reached["comment"] = requests.post(f"{sub}/comments", json={"body": "x"}, headers=nazhen, timeout=10).status_code
    assert set(reached.values()) == {404}, reached
    # No count leaks: $filter on the other township's id, $count, the REST list and the project's count.
    counted = requests.get(f"{svc}/Submissions", params={"$filter": f"__id eq '{other}'", "$count": "true"},
                           headers=nazhen, timeout=10).json()
    assert counted["@odata.count"] == 0 and counted["value"] == []
    everything = requests.get(f"{svc}/Submissions", params={"$count": "true", "$top": "0"}, headers=nazhen,
                              timeout=10).json()
    assert everything["@odata.count"] == 1
    members = requests.get(f"{svc}/Submissions.member", params={"$count": "true", "$top": "0"}, headers=nazhen,
                           timeout=10).json()
    assert members["@odata.count"] == 3
    listed = requests.get(f"{base}/forms/{FORM}/submissions", headers=nazhen, timeout=10).json()
    assert [s["instanceId"] for s in listed] == [sent[2]]
    assert requests.get(f"{base}/submissions/count", headers=nazhen, timeout=10).json() == {"count": 1}
    # A $skiptoken made for the whole county's feed, replayed by the township user: still its rows only.
    page = api.get(f"{svc}/Submissions", params={"$top": "1"}, timeout=10).json()
    token = unquote(page["@odata.nextLink"].split("$skiptoken=")[1])
    replayed = requests.get(f"{svc}/Submissions", params={"$skiptoken": token}, headers=nazhen, timeout=10).json()
    assert {r["__id"] for r in replayed["value"]} <= {sent[2]}
    # The registry as entities: the other township's households are neither listed, counted nor readable.
    feed = f"{base}/datasets/households.svc/Entities"
    households = requests.get(feed, params={"$select": "__id,village"}, headers=nazhen, timeout=10).json()["value"]
    assert households and all(h["village"].startswith("429901002") for h in households)
    listed = requests.get(f"{base}/datasets/households/entities", headers=nazhen, timeout=10).json()
    assert {h["uuid"] for h in listed} == {h["__id"] for h in households}
    whole = api.get(feed, params={"$select": "__id,village"}, timeout=10).json()["value"]
    elsewhere = next(h["__id"] for h in whole if not h["village"].startswith("429901002"))
    assert requests.get(f"{base}/datasets/households/entities/{elsewhere}", headers=nazhen,
                        timeout=10).status_code == 404
    filtered = requests.get(feed, params={"$filter": f"__id eq '{elsewhere}'", "$count": "true"}, headers=nazhen,
                            timeout=10)
    assert filtered.json()["@odata.count"] == 0
    assert requests.get(feed, params={"$skiptoken": _entity_token(elsewhere)},
                        headers=nazhen, timeout=10).json()["code"] == 400.35


def _entity_token(household_uuid: str) -> str:
    from app.core.odata_options import entity_skiptoken
    return entity_skiptoken(household_uuid)


def test_roles_write_nothing_they_may_not(app, live_server, demo_county, editor, device):
    sent = send_screenings(editor)
    base = _base(live_server, demo_county)
    url = f"{base}/forms/{FORM}/submissions"
    xml = {"Content-Type": "application/xml"}
    viewer = bearer(app, live_server, demo_county, "viewer")
    collector = bearer(app, live_server, demo_county, "data_collector")
    key = device.server_url                      # .../v1/key/{token}/projects/{id}
    attempts = {
        "viewer POST submission": (requests.post, url, viewer, {"data": screening(new_instance_id()), "headers": xml}),
        "viewer PUT edit": (requests.put, f"{url}/{sent[0]}", viewer,
                            {"data": screening(new_instance_id(), deprecated_id=sent[0]), "headers": xml}),
        "viewer PATCH review": (requests.patch, f"{url}/{sent[0]}", viewer, {"json": {"reviewState": "approved"}}),
        "viewer comment": (requests.post, f"{url}/{sent[0]}/comments", viewer, {"json": {"body": "x"}}),
        "viewer bulk review": (requests.post, f"{base}/submissions/review", viewer,
                               {"json": {"reviewState": "approved", "confirmed": 4}}),
        "viewer app user": (requests.post, f"{base}/app-users", viewer, {"json": {"displayName": "v"}}),
        "viewer lists app users": (requests.get, f"{base}/app-users", viewer, {}),
        "viewer assignment": (requests.post, f"{base}/forms/{FORM}/assignments/2/1", viewer, {}),
        "viewer public link": (requests.post, f"{base}/forms/fpf_self_report/public-links", viewer,
                               {"json": {"village": "429901001001"}}),
        "viewer entity": (requests.post, f"{base}/datasets/households/entities", viewer, {"json": {}}),
        "collector reads OData": (requests.get, f"{base}/forms/{FORM}.svc/Submissions", collector, {}),
        "collector reads list": (requests.get, url, collector, {}),
        "collector reads xml": (requests.get, f"{url}/{sent[0]}.xml", collector, {}),
        "collector PATCH review": (requests.patch, f"{url}/{sent[0]}", collector,
                                   {"json": {"reviewState": "approved"}}),
        "collector PUT edit": (requests.put, f"{url}/{sent[0]}", collector,
                               {"data": screening(new_instance_id(), deprecated_id=sent[0]), "headers": xml}),
        "collector app user": (requests.post, f"{base}/app-users", collector, {"json": {"displayName": "c"}}),
        "collector entities": (requests.get, f"{base}/datasets/households/entities", collector, {}),
        "device reads OData": (requests.get, f"{key}/forms/{FORM}.svc/Submissions", {}, {}),
        "device PATCH review": (requests.patch, f"{key}/forms/{FORM}/submissions/{sent[0]}", {},
                                {"json": {"reviewState": "approved"}}),
        "device app user": (requests.post, f"{key}/app-users", {}, {"json": {"displayName": "d"}}),
        "device entities": (requests.get, f"{key}/datasets/households.svc/Entities", {}, {}),
        "device public link": (requests.get, f"{key}/forms/fpf_self_report/public-links", {}, {}),
    }
    answered = {}
    for name, (method, target, headers, kwargs) in attempts.items():
        kwargs = dict(kwargs)
        answer = method(target, headers={**headers, **kwargs.pop("headers", {})}, timeout=10, **kwargs)
        answered[name] = (answer.status_code, answer.json().get("code"))
    assert {k: v for k, v in answered.items() if v != (403, 403.1)} == {}
    assert rows(app, "SELECT count(*) FROM submission WHERE review_state IS NOT NULL") == [(0,)]
    assert rows(app, "SELECT count(*) FROM submission") == [(1 + len(sent),)]


def test_a_viewer_gets_no_unmasked_id_number_from_the_submission_xml(app, live_server, demo_county, editor):
    instance_id = send_screenings(editor)[0]
    viewer = bearer(app, live_server, demo_county, "viewer")
    svc = _svc(live_server, demo_county)
    # What holds: OData masks the same answer for the same viewer, selected alone or in its group.
    for select in ("hh_g/head_idno", "hh_g"):
        row = requests.get(f"{svc}/Submissions('{instance_id}')", params={"$select": select}, headers=viewer,
                           timeout=10).json()["value"][0]
        assert row["hh_g"]["head_idno"] == "4299**********6394"
    url = f"{_base(live_server, demo_county)}/forms/{FORM}/submissions/{instance_id}"
    leaked = {path: IDNO.encode() in requests.get(f"{url}{path}", headers=viewer, timeout=10).content
              for path in (".xml", f"/versions/{instance_id}.xml")}
    assert leaked == {".xml": False, f"/versions/{instance_id}.xml": False}


XSS = ('<h:script xmlns:h="http://www.w3.org/1999/xhtml">fetch("/v1/projects/{project}/app-users")'
       '.then(r => r.json()).then(j => {{ window.pwned = JSON.stringify(j); }});</h:script>')


def test_a_submissions_xml_runs_no_script_in_a_signed_in_browser(app, api, live_server, demo_county, admin, device):
    instance_id = new_instance_id()
    payload = XSS.format(project=demo_county).encode()
    xml = screening(instance_id).replace(b"</data>", payload + b"</data>")
    sent = requests.post(f"{device.server_url}/forms/{FORM}/submissions", data=xml, timeout=10,
                         headers={"Content-Type": "application/xml"})
    assert sent.status_code == 200
    url = f"{_base(live_server, demo_county)}/forms/{FORM}/submissions/{instance_id}.xml"
    answer = api.get(url, timeout=10)
    assert payload in answer.content and answer.headers["Content-Type"].startswith("application/xml")
    policy = answer.headers.get("Content-Security-Policy", "")
    assert "sandbox" in policy or answer.headers.get("Content-Disposition", "").startswith("attachment")
    if CHROMIUM.exists():
        from playwright.sync_api import sync_playwright
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                page = browser.new_context().new_page()
                page.goto(f"{live_server}/login")
                page.fill("input[name=email]", admin[0])
                page.fill("input[name=password]", admin[1])
                page.click("button[type=submit]")
                page.wait_for_url(f"{live_server}/console")
                page.goto(url)
                page.wait_for_timeout(1000)
                assert page.evaluate("window.pwned") is None
            finally:
                browser.close()


def test_a_township_manager_assigning_a_form_leaves_other_townships_devices_with_it(app, live_server, demo_county,
                                                                                     device):
    base = _base(live_server, demo_county)
    nazhen = bearer(app, live_server, demo_county, "manager", (NAZHEN,))
    theirs = requests.post(f"{base}/app-users", json={"displayName": "娜镇 新手机"}, headers=nazhen, timeout=10).json()
    assert requests.post(f"{base}/forms/{FORM}/assignments/2/{theirs['id']}", headers=nazhen,
                         timeout=10).status_code == 200
    # The demo device covers two villages of 芳乡, outside the manager's township.
    assert [f.form_id for f in device.form_list()] == [FORM]
    assert device.post_submission(screening(new_instance_id()), {}).status_code == 201


def test_a_township_manager_cannot_act_in_another_township_with_a_listed_token(app, api, live_server, demo_county):
    from app.services.accounts.app_users import assign_places
    base = _base(live_server, demo_county)
    made = api.post(f"{base}/app-users", json={"displayName": "芳乡 新手机"}, timeout=10).json()
    nazhen = bearer(app, live_server, demo_county, "manager", (NAZHEN,))
    listed = {a["id"]: a["token"] for a in requests.get(f"{base}/app-users", headers=nazhen, timeout=10).json()}
    token = listed.get(made["id"])
    with app.app_context():
        assign_places(demo_county, "芳乡 新手机", ["429901001001"])
    if token is None:
        return
    phone = CollectClient(f"{live_server}/v1/key/{token}/projects/{demo_county}")
    pick_list = phone.get(f"{phone.server_url}/forms/{FORM}/attachments/households.csv")
    assert pick_list.status_code != 200 or "429901001001" not in pick_list.text
    sent = phone.post_submission(screening(new_instance_id()), {})
    assert sent.status_code != 201


def test_an_app_user_name_cannot_forge_lines_in_the_cli_listing(app, api, live_server, demo_county):
    base = _base(live_server, demo_county)
    api.post(f"{base}/app-users", json={"displayName": "x\n999\tfake admin phone\tactive\x1b[2K"}, timeout=10)
    accounts = rows(app, "SELECT count(*) FROM app_user WHERE project_id = :p", p=demo_county)[0][0]
    listing = app.test_cli_runner().invoke(args=["app-user", "list", str(demo_county)]).output
    assert len(listing.splitlines()) == accounts and "\x1b" not in listing


# --- answers as OData writes them ---------------------------------------------------------------------------

ODD_FORM = """<?xml version="1.0" encoding="utf-8"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
        xmlns:jr="http://openrosa.org/javarosa">
  <h:head><h:title>Odd answers</h:title>
    <model>
      <instance><data id="odd_answers" version="1">
        <phone/><contact_tel/><note/><pick/><loc/><photo/>
        <people jr:template=""><p_mobile/><p_name/></people>
        <meta><instanceID/></meta>
      </data></instance>
      <bind nodeset="/data/phone" type="int"/>
      <bind nodeset="/data/contact_tel" type="decimal"/>
      <bind nodeset="/data/note" type="string"/>
      <bind nodeset="/data/pick" type="string"/>
      <bind nodeset="/data/loc" type="geopoint"/>
      <bind nodeset="/data/photo" type="binary"/>
      <bind nodeset="/data/people/p_mobile" type="int"/>
      <bind nodeset="/data/people/p_name" type="string"/>
      <bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
    </model>
  </h:head>
  <h:body>
    <input ref="/data/phone"><label>Phone</label></input>
    <input ref="/data/contact_tel"><label>Tel</label></input>
    <input ref="/data/note"><label>Note</label></input>
    <select ref="/data/pick"><label>Pick</label>
      <item><label>A</label><value>a</value></item><item><label>B</label><value>b</value></item>
    </select>
    <input ref="/data/loc"><label>Where</label></input>
    <upload ref="/data/photo" mediatype="image/*"><label>Photo</label></upload>
    <group ref="/data/people"><label>People</label>
      <repeat nodeset="/data/people">
        <input ref="/data/people/p_mobile"><label>Mobile</label></input>
        <input ref="/data/people/p_name"><label>Name</label></input>
      </repeat>
    </group>
  </h:body>
</h:html>
"""


def _odd(instance_id: str, *, phone="13812345678", tel="13912345678", note="", pick="a b", loc="30.1 114.2 10 5",
         people=(("13712345678", "张三"),), photo="") -> bytes:
    members = "".join(f"<people><p_mobile>{m}</p_mobile><p_name>{n}</p_name></people>" for m, n in people)
    return (f'<?xml version="1.0" encoding="utf-8"?><data id="odd_answers" version="1"><phone>{phone}</phone>'
            f"<contact_tel>{tel}</contact_tel><note>{note}</note><pick>{pick}</pick><loc>{loc}</loc>"
            f"<photo>{photo}</photo>{members}<meta><instanceID>{instance_id}</instanceID></meta></data>").encode()


@pytest.fixture()
def odd_form(publish, tmp_path):
    path = tmp_path / "odd_answers.xml"
    path.write_text(ODD_FORM, encoding="utf-8")
    publish(path)
    return "odd_answers"


def _send_odd(api, live_server, project, **answers) -> str:
    instance_id = new_instance_id()
    sent = api.post(f"{_base(live_server, project)}/forms/odd_answers/submissions", data=_odd(instance_id, **answers),
                    headers={"Content-Type": "application/xml"}, timeout=10)
    assert sent.status_code == 200, sent.text
    return instance_id


def test_a_phone_typed_as_a_number_is_masked_for_a_viewer_in_odata_as_in_csv(app, api, live_server, project,
                                                                             odd_form):
    _send_odd(api, live_server, project)
    viewer = bearer(app, live_server, project, "viewer")
    csv = requests.get(f"{_base(live_server, project)}/forms/odd_answers/submissions.csv", headers=viewer,
                       timeout=10).text
    assert "13812345678" not in csv and "138****5678" in csv            # what holds: the export masks it
    svc = _svc(live_server, project, "odd_answers")
    row = requests.get(f"{svc}/Submissions", params={"$expand": "*"}, headers=viewer, timeout=10).json()["value"][0]
    members = requests.get(f"{svc}/Submissions.people", headers=viewer, timeout=10).json()["value"]
    shown = {"phone": row["phone"], "contact_tel": row["contact_tel"],
             "expanded p_mobile": row["people"][0]["p_mobile"], "table p_mobile": members[0]["p_mobile"]}
    assert not any(str(value).startswith(("138", "139", "137")) and "*" not in str(value)
                   for value in shown.values()), shown


def test_odata_rows_carry_odd_answers_as_stored(app, api, live_server, project, odd_form):
    """XML specials, Chinese and emoji (also as Collect's surrogate pair references), control characters, a
    select_multiple, geopoints of every shape, numbers that do not fit, repeats empty and full, a file expected
    and then sent, an edit; deleted and draft submissions are not shown."""
    cases = {
        "specials": dict(note="&lt;b&gt; &amp; &quot;q&quot; &apos;a&apos; ]]&gt;"),
        "emoji": dict(note="中文 😀 &#55357;&#56966;"),
        "controls": dict(note="tab&#x9;cr&#xD;lf&#xA;end"),
        "negative": dict(loc="-30.5 -114.25 -10 5"),
        "garbage": dict(loc="garbage"),
        "five parts": dict(loc="30.1 114.2 0 0 9"),
        "spaces": dict(loc="  30.1   114.2 7  3 "),
        "tiny altitude": dict(loc="30.1 114.2 0.0000001 5"),
        "one choice": dict(pick="b"), "no choice": dict(pick=""), "odd choices": dict(pick="  a   zz  "),
        "too big": dict(phone="99999999999999999999"), "nan": dict(tel="NaN"), "inf": dict(tel="Infinity"),
        "no people": dict(people=()), "two people": dict(people=(("1", "a&lt;b"), ("2", "😀"))),
        "photo": dict(photo="pic.jpg"),
    }
    sent = {label: _send_odd(api, live_server, project, **answers) for label, answers in cases.items()}
    svc = _svc(live_server, project, "odd_answers")
    url = f"{_base(live_server, project)}/forms/odd_answers/submissions"
    # The photo arrives; one submission is edited; one is deleted and one made a draft (as SQL would).
    assert api.post(f"{url}/{sent['photo']}/attachments/pic.jpg", data=jpeg(), timeout=10).status_code == 200
    edit = _odd(new_instance_id(), note="edited 改").replace(
        b"</instanceID>", f"</instanceID><deprecatedID>{sent['specials']}</deprecatedID>".encode())
    assert api.put(f"{url}/{sent['specials']}", data=edit, headers={"Content-Type": "application/xml"},
                   timeout=10).status_code == 200
    gone, draft = _send_odd(api, live_server, project), _send_odd(api, live_server, project)
    from app.extensions import db
    with app.app_context():
        db.session.execute(db.text("UPDATE submission SET deleted_at = now() WHERE instance_id = :i"), {"i": gone})
        db.session.execute(db.text("UPDATE submission SET is_draft = true WHERE instance_id = :i"), {"i": draft})
        db.session.commit()
    body = api.get(f"{svc}/Submissions", params={"$expand": "*", "$count": "true"}, timeout=10).json()
    by_id = {row["__id"]: row for row in body["value"]}
    assert set(by_id) == set(sent.values()) and body["@odata.count"] == len(sent)
    row = {label: by_id[instance_id] for label, instance_id in sent.items()}
    assert row["specials"]["note"] == "edited 改"
    assert row["specials"]["__system"]["edits"] == 1 and row["specials"]["__system"]["reviewState"] == "edited"
    assert row["specials"]["__system"]["updatedAt"] is not None
    assert row["emoji"]["note"] == "中文 😀 🚆"
    assert row["controls"]["note"] == "tab\tcr\rlf\nend"
    assert row["negative"]["loc"] == {"type": "Point", "coordinates": [-114.25, -30.5, -10],
                                      "properties": {"accuracy": 5}}
    assert row["garbage"]["loc"] is None
    assert row["five parts"]["loc"]["coordinates"] == [114.2, 30.1, 0]
    assert row["spaces"]["loc"] == {"type": "Point", "coordinates": [114.2, 30.1, 7], "properties": {"accuracy": 3}}
    assert row["tiny altitude"]["loc"]["coordinates"] == [114.2, 30.1, 1e-07]
    assert [row[k]["pick"] for k in ("one choice", "no choice", "odd choices")] == ["b", None, "a zz"]
    assert row["too big"]["phone"] is None and row["nan"]["contact_tel"] is None and row["inf"]["contact_tel"] is None
    assert "people" not in row["no people"] and "people@odata.navigationLink" not in row["no people"]
    assert [(p["p_mobile"], p["p_name"]) for p in row["two people"]["people"]] == [(1, "a<b"), (2, "😀")]
    assert row["photo"]["photo"] == "pic.jpg"
    assert (row["photo"]["__system"]["attachmentsPresent"], row["photo"]["__system"]["attachmentsExpected"]) == (1, 1)
    answers = stored(app, "odd_answers")
    assert row["emoji"]["note"] == answers[sent["emoji"]]["note"]
    for hidden in (gone, draft):
        assert api.get(f"{svc}/Submissions('{hidden}')", timeout=10).status_code == 404
        assert api.get(f"{url}/{hidden}", timeout=10).status_code == 404
    wkt = {r["__id"]: r["loc"] for r in api.get(f"{svc}/Submissions", params={"$wkt": "true", "$select": "__id,loc"},
                                                 timeout=10).json()["value"]}
    assert wkt[sent["negative"]] == "POINT (-114.25 -30.5 -10)" and wkt[sent["garbage"]] is None


def test_a_geopoint_without_accuracy_has_no_properties(api, live_server, project, odd_form):
    sent = [_send_odd(api, live_server, project, loc=loc) for loc in ("30.1 114.2", "30.1 114.2 10")]
    rows_ = {r["__id"]: r["loc"] for r in api.get(f"{_svc(live_server, project, 'odd_answers')}/Submissions",
                                                  timeout=10).json()["value"]}
    assert [rows_[i] for i in sent] == [{"type": "Point", "coordinates": [114.2, 30.1]},
                                        {"type": "Point", "coordinates": [114.2, 30.1, 10]}]


@pytest.mark.xfail(strict=True, reason=(
    "An instanceID holding a quote or a slash (uuid:a'b, uuid:a/b: legal, and kept) is unreachable through the "
    "links the server writes: its @odata.navigationLink Submissions('uuid%3Aa'b')/member and "
    "Submissions('uuid%3Aa%2Fb')/member are 404 (the path parser takes no quote inside a key, OData's '' "
    "escape is not read either, and %2F is decoded into a path separator before routing), and "
    "GET …/submissions/uuid%3Aa%2Fb is 404 as well. Low severity: Collect writes uuid: and hex."))
def test_odd_instance_ids_are_reachable_by_the_links_the_server_writes(api, live_server, demo_county):
    url = f"{_base(live_server, demo_county)}/forms/{FORM}/submissions"
    svc = _svc(live_server, demo_county)
    reached = {}
    for instance_id in ("uuid:a'b", "uuid:a/b", "uuid:(x)", "uuid:中文", "uuid:a b"):
        assert api.post(url, data=screening(instance_id), headers={"Content-Type": "application/xml"},
                        timeout=10).status_code == 200
        quoted = instance_id.replace("'", "''")
        found = api.get(f"{svc}/Submissions", params={"$filter": f"__id eq '{quoted}'"}, timeout=10).json()["value"]
        assert [r["__id"] for r in found] == [instance_id]      # what holds: the filter reads OData's '' escape
        link = found[0]["member@odata.navigationLink"]
        reached[instance_id] = (api.get(f"{svc}/{link}", timeout=10).status_code,
                                api.get(f"{url}/{quote(instance_id, safe='')}", timeout=10).status_code)
    assert set(reached.values()) == {(200, 200)}, reached


# --- paging while submissions arrive ------------------------------------------------------------------------

def test_skiptoken_pages_repeat_and_lose_nothing_while_submissions_arrive(api, live_server, demo_county, editor):
    send_screenings(editor, times=2)
    svc = _svc(live_server, demo_county)
    for table, top in (("Submissions", "2"), ("Submissions.member", "4")):
        before = [r["__id"] for r in api.get(f"{svc}/{table}", timeout=10).json()["value"]]
        seen, url, pages = [], f"{svc}/{table}?$top={top}", 0
        while url:
            body = api.get(url, timeout=10).json()
            seen += [r["__id"] for r in body["value"]]
            url = body.get("@odata.nextLink")
            pages += 1
            if pages <= 2:
                send_screenings(editor)          # three newer submissions between pages
            if url and pages == 1:               # the same page asked for twice gives the same rows
                again = api.get(url, timeout=10).json()
                assert again == api.get(url, timeout=10).json()
        assert len(seen) == len(set(seen)) and seen == before, table


@pytest.mark.xfail(strict=True, reason=(
    "With $orderby, pages go by $skip (as Central's do): a submission arriving between two pages of "
    "'$orderby=__system/submissionDate desc' shifts the rows by as many: page 2 gives again rows page 1 gave "
    "(and new ones among the old). "
    "Low severity (Central behaves so); a keyset $skiptoken on the ordering's columns would keep pages whole."))
def test_orderby_pages_repeat_nothing_while_submissions_arrive(api, live_server, demo_county, editor):
    send_screenings(editor)
    svc = _svc(live_server, demo_county)
    first = api.get(f"{svc}/Submissions", params={"$orderby": "__system/submissionDate desc", "$top": "2",
                                                   "$select": "__id"}, timeout=10).json()
    send_screenings(editor, times=1)
    second = api.get(first["@odata.nextLink"], timeout=10).json()
    ids = [r["__id"] for r in first["value"] + second["value"]]
    assert len(ids) == len(set(ids)), ids


# --- REST bodies --------------------------------------------------------------------------------------------

def test_hostile_submission_bodies_are_refused_and_nothing_is_stored(app, api, live_server, demo_county):
    url = f"{_base(live_server, demo_county)}/forms/{FORM}/submissions"
    good = '<?xml version="1.0" encoding="utf-8"?>' + screening(new_instance_id()).decode()
    body = good.split("?>", 1)[1]
    laughs = "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdef", "bcdefg"))
    cases = {
        "XXE": ('<?xml version="1.0"?><!DOCTYPE data [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                + body.replace("<head_name>", "<head_name>&x;", 1), "application/xml", 400),
        "billion laughs": (f'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY a "aaaaaaaaaa">{laughs}]>'
                           + body.replace("<head_name>", "<head_name>&g;", 1), "application/xml", 400),
        "external DTD": ('<?xml version="1.0"?><!DOCTYPE data SYSTEM "http://127.0.0.1:1/x.dtd">' + body,
                         "application/xml", 400),
        "empty": ("", "application/xml", 400), "blank": ("   ", "text/xml", 400),
        "unclosed": ("<data", "text/xml", 400),
        "declaration only": ('<?xml version="1.0"?>', "application/xml", 400),
        "latin-1": (good.replace('encoding="utf-8"', 'encoding="latin-1"'), "application/xml", 400),
        "GBK": (good.replace('encoding="utf-8"', 'encoding="GBK"').encode("gbk"), "application/xml", 400),
        "nested 100,000 deep": ("<data id='fpf_hh_screening'>" + "<a>" * 100_000 + "</a>" * 100_000 + "</data>",
                                "application/xml", 400),
        "too large": ("<data>" + "<x>1</x>" * 1_000_000 + "</data>", "application/xml", 413),
        "JSON": ("{}", "application/json", 415),
        "another form": (good.replace('id="fpf_hh_screening"', 'id="other"'), "application/xml", 400),
    }
    before = rows(app, "SELECT count(*) FROM submission_version")
    answered = {}
    for name, (data, content_type, status) in cases.items():
        got, problem = _read(api.post, url, data=data if isinstance(data, bytes) else data.encode(),
                             headers={"Content-Type": content_type})
        answered[name] = (got, status, problem and int(problem.get("code", 0)))
    assert {k: v for k, v in answered.items() if not (v[0] == v[1] == v[2])} == {}
    assert rows(app, "SELECT count(*) FROM submission_version") == before
