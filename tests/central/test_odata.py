"""OData v4 for submissions as ODK Central serves it, driven by pyodk where pyodk has the call and by plain
HTTP for the rest (next-capabilities C.1-C.3): the service document, $metadata against the form's own fields,
rows equal to the stored answers, Central's repeat row ids, paging to the end, filters, masking, places."""
import base64
from xml.etree import ElementTree

import pytest
import requests
from requests.auth import HTTPBasicAuth

from tests.central.odata_support import HOUSEHOLDS, central_row_id, same_answers, send_screenings, stored
from tests.support.pyodk_client import pyodk_as_role

FORM = "fpf_hh_screening"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


@pytest.fixture()
def screenings(demo_county, editor):
    """The demo county's example screening, then one of each household in HOUSEHOLDS (two townships)."""
    return send_screenings(editor)


def _svc(live_server, project) -> str:
    return f"{live_server}/v1/projects/{project}/forms/{FORM}.svc"


def _schema(app):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Form, FormVersion
    with app.app_context():
        return db.session.scalar(select(FormVersion.schema).join(Form, Form.current_version_id == FormVersion.id)
                                 .where(Form.xml_form_id == FORM))


def test_service_document_lists_submissions_and_each_repeat(api, live_server, screenings, demo_county):
    answer = api.get(_svc(live_server, demo_county), timeout=10)
    assert answer.status_code == 200 and answer.headers["OData-Version"] == "4.0"
    assert answer.headers["Content-Type"].startswith("application/json")
    document = answer.json()
    assert document["@odata.context"] == f"{_svc(live_server, demo_county)}/$metadata"
    assert [(s["name"], s["kind"], s["url"]) for s in document["value"]] == [
        ("Submissions", "EntitySet", "Submissions"), ("Submissions.member", "EntitySet", "Submissions.member")]


def test_metadata_describes_every_field_of_the_form_with_centrals_types(api, app, live_server, demo_county):
    answer = api.get(f"{_svc(live_server, demo_county)}/$metadata", timeout=10)
    assert answer.status_code == 200 and answer.headers["OData-Version"] == "4.0"
    edmx = ElementTree.fromstring(answer.content)
    assert edmx.get("Version") == "4.0"
    user = next(s for s in edmx.iter(f"{EDM}Schema") if s.get("Namespace") == f"org.opendatakit.user.{FORM}")
    types = {t.get("Name"): t for t in list(user.iter(f"{EDM}EntityType")) + list(user.iter(f"{EDM}ComplexType"))}
    submissions, member = types["Submissions"], types["Submissions.member"]
    assert submissions.find(f"{EDM}Key/{EDM}PropertyRef").get("Name") == "__id"
    assert member.find(f"{EDM}Property[@Name='__Submissions-id']") is not None
    nav = submissions.find(f"{EDM}NavigationProperty[@Name='member']")
    assert nav.get("Type") == f"Collection(org.opendatakit.user.{FORM}.Submissions.member)"
    edm = {"int": "Edm.Int64", "decimal": "Edm.Decimal", "geopoint": "Edm.GeographyPoint", "date": "Edm.Date",
           "dateTime": "Edm.DateTimeOffset"}
    schema = _schema(app)
    root = "/" + schema["root"]
    for field in schema["fields"]:
        steps = field["path"][len(root) + 1:].split("/")
        owner = "Submissions.member" if field.get("repeat") else ".".join(steps[:-1]) or "Submissions"
        prop = types[owner].find(f"{EDM}Property[@Name='{steps[-1]}']")
        assert prop is not None, field["path"]
        assert prop.get("Type") == edm.get(field["type"], "Edm.String"), field
    container = user.find(f"{EDM}EntityContainer")
    assert container.get("Name") == FORM
    sets = {s.get("Name"): s for s in container.iter(f"{EDM}EntitySet")}
    assert set(sets) == {"Submissions", "Submissions.member"}
    terms = [a.get("Term") for a in sets["Submissions"].iter(f"{EDM}Annotation")]
    assert {"Org.OData.Capabilities.V1.ConformanceLevel", "Org.OData.Capabilities.V1.SortRestrictions"} <= set(terms)


def test_pyodk_get_table_gives_every_submission_and_its_members_as_stored(odk, app, screenings):
    table = odk.submissions.get_table(FORM, expand="*", count=True)
    answers = stored(app)
    assert table["@odata.count"] == len(answers) == 1 + len(HOUSEHOLDS)
    assert {r["__id"] for r in table["value"]} == set(answers)
    for row in table["value"]:
        same_answers(row, answers[row["__id"]])
        assert row["__system"]["formVersion"] and row["__system"]["edits"] == 0
        members = answers[row["__id"]]["member"]
        assert [m["m_name"] for m in row["member"]] == [m["m_name"] for m in members]
        for i, (got, want) in enumerate(zip(row["member"], members, strict=True)):
            assert got["__id"] == central_row_id(row["__id"], f"member#{i}")
            same_answers(got, want)
        link = row["member@odata.navigationLink"]
        assert link == f"Submissions('{row['__id'].replace(':', '%3A')}')/member"


def test_the_members_table_joins_by_centrals_keys(odk, app, screenings):
    rows = odk.submissions.get_table(FORM, table_name="Submissions.member")["value"]
    answers = stored(app)
    assert len(rows) == sum(len(a["member"]) for a in answers.values())
    by_parent: dict[str, list] = {}
    for row in rows:
        by_parent.setdefault(row["__Submissions-id"], []).append(row)
    for instance_id, members in by_parent.items():
        assert [r["__id"] for r in members] == [central_row_id(instance_id, f"member#{i}") for i in range(len(members))]
        same_answers(members[0], answers[instance_id]["member"][0])


def test_pages_read_by_skiptoken_to_the_end_equal_the_stored_rows(api, app, live_server, demo_county, editor):
    send_screenings(editor, times=2)
    for table in ("Submissions", "Submissions.member"):
        _read_to_the_end(api, app, live_server, demo_county, table)


def _read_to_the_end(api, app, live_server, demo_county, table):
    everything = api.get(f"{_svc(live_server, demo_county)}/{table}", timeout=30).json()["value"]
    url = f"{_svc(live_server, demo_county)}/{table}?$top=2&$count=true"
    pages, seen = 0, []
    while url:
        page = api.get(url, timeout=10)
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["@odata.count"] == len(everything)
        assert len(body["value"]) <= 2
        seen += body["value"]
        url = body.get("@odata.nextLink")
        assert url is None or "$skiptoken=" in url and "$top=2" in url
        pages += 1
    assert seen == everything
    assert pages == -(-len(everything) // 2)
    if table == "Submissions":
        assert {r["__id"] for r in seen} == set(stored(app))


def test_filters_on_centrals_system_fields_and_on_place_and_flag(api, odk, live_server, screenings, demo_county):
    chosen = screenings[0]
    odk.submissions.review(chosen, "approved", FORM)
    approved = odk.submissions.get_table(FORM, filter="__system/reviewState eq 'approved'")["value"]
    assert [r["__id"] for r in approved] == [chosen]
    unreviewed = odk.submissions.get_table(FORM, filter="__system/reviewState eq null")["value"]
    assert chosen not in {r["__id"] for r in unreviewed} and len(unreviewed) == len(screenings)
    # eq and ne are NULL-safe, as Central's: not approved includes not reviewed at all.
    others = odk.submissions.get_table(FORM, filter="__system/reviewState ne 'approved'")["value"]
    assert {r["__id"] for r in others} == {r["__id"] for r in unreviewed}
    this_year = odk.submissions.get_table(FORM, filter="year(__system/submissionDate) ge 2026 and "
                                                       "__system/submissionDate lt now()")["value"]
    assert len(this_year) == len(screenings) + 1
    township = api.get(f"{_svc(live_server, demo_county)}/Submissions",
                       params={"$filter": "startswith(__dixian/placeCode, '429901002')", "$select": "__id"},
                       timeout=10).json()["value"]
    assert [r["__id"] for r in township] == [screenings[2]]
    flagged = api.get(f"{_svc(live_server, demo_county)}/Submissions",
                      params={"$filter": "__dixian/flag eq 'person_in_two_households'", "$select": "__id"},
                      timeout=10).json()["value"]
    # H0000002 and H0000004 list H0000001's members (the example's): each is the later record.
    assert {r["__id"] for r in flagged} == set(screenings[1:])
    members = api.get(f"{_svc(live_server, demo_county)}/Submissions.member",
                      params={"$filter": f"__id eq '{chosen}'"}, timeout=10).json()["value"]
    assert {r["__Submissions-id"] for r in members} == {chosen}


def test_select_wkt_and_a_count_alone(api, live_server, screenings, demo_county):
    svc = _svc(live_server, demo_county)
    rows = api.get(f"{svc}/Submissions", params={"$select": "__id,__system/reviewState,loc_g/hh_gps,hh_g",
                                                  "$wkt": "true"}, timeout=10).json()["value"]
    row = rows[0]
    assert set(row) == {"__id", "__system", "loc_g", "hh_g"}
    assert row["__system"] == {"reviewState": None}
    assert set(row["loc_g"]) == {"hh_gps"} and row["loc_g"]["hh_gps"].startswith("POINT (114.")
    assert "head_name" in row["hh_g"]
    members = api.get(f"{svc}/Submissions.member", params={"$select": "m_name"}, timeout=10).json()["value"]
    assert set(members[0]) == {"__id", "m_name"}
    counted = api.get(f"{svc}/Submissions", params={"$top": "0", "$count": "TRUE"}, timeout=10).json()
    assert counted["value"] == [] and counted["@odata.count"] == len(screenings) + 1


def test_personal_answers_are_masked_for_a_viewer(app, live_server, screenings, demo_county, tmp_path):
    viewer = pyodk_as_role(app, live_server, demo_county, "viewer", tmp_path)
    table = viewer.submissions.get_table(FORM, expand="*")["value"]
    for row in table:
        assert "*" in row["hh_g"]["head_idno"] and row["hh_g"]["head_idno"][-4:].isalnum()
        assert all("*" in m["m_idno"] for m in row["member"] if m["m_idno"])
    members = viewer.submissions.get_table(FORM, table_name="Submissions.member")["value"]
    assert members and all("*" in m["m_idno"] for m in members if m["m_idno"])


def test_a_township_user_reads_only_its_township(app, live_server, screenings, demo_county, tmp_path):
    township = pyodk_as_role(app, live_server, demo_county, "manager", tmp_path, places=("429901002000",))
    rows = township.submissions.get_table(FORM, count=True)
    assert rows["@odata.count"] == 1 and [r["__id"] for r in rows["value"]] == [screenings[2]]
    members = township.submissions.get_table(FORM, table_name="Submissions.member")["value"]
    assert {m["__Submissions-id"] for m in members} == {screenings[2]}


def test_a_device_token_reads_nothing_back(app, live_server, screenings, demo_county):
    from app.services.accounts.app_users import create_app_user
    with app.app_context():
        _, token = create_app_user(demo_county, "另一台手机")
    base = f"{live_server}/v1/key/{token}/projects/{demo_county}/forms/{FORM}.svc"
    for path in ("", "/$metadata", "/Submissions", "/Submissions.member"):
        assert requests.get(base + path, timeout=10).status_code == 403, path


CANNOT = [
    ({"$search": "x"}, 501, 501.1),
    ({"$apply": "groupby"}, 501, 501.1),
    ({"$expand": "member"}, 501, 501.1),
    ({"$expand": "*", "$select": "__id"}, 501, 501.1),
    ({"$format": "atom"}, 501, 501.1),
    ({"$top": "-1"}, 400, 400.8),
    ({"$top": "ten"}, 400, 400.8),
    ({"$skiptoken": "01notatoken"}, 400, 400.35),
    ({"$skiptoken": "01" + base64.urlsafe_b64encode(b'{"s": -1}').decode()}, 400, 400.35),
    ({"$filter": "__system/reviewState eq"}, 400, 400.18),
    ({"$filter": "hh_g/head_name eq 'x'"}, 501, 501.5),
    ({"$filter": "__system/submissionDate eq 'yesterday'"}, 400, 400.18),
    ({"$filter": "year(__id) eq 2026"}, 400, 400.18),
    ({"$filter": "__system/submitterId add 1 eq 2"}, 501, 501.4),
    ({"$filter": "__system/submitterId eq 99999999999"}, 400, 400.18),
    ({"$filter": "ceiling(__system/submitterId) eq 1"}, 501, 501.4),
    ({"$filter": "(" * 2000}, 400, 400.18),
    ({"$orderby": "hh_g/head_name"}, 501, 501.5),
    ({"$orderby": "__id sideways"}, 400, 400.18),
    ({"$select": "nothing_here"}, 400, 400.23),
    ({"$select": "member/m_name"}, 400, 400.24),
]


def test_what_cannot_be_done_gets_centrals_problem(api, live_server, screenings, demo_county):
    for query, status, code in CANNOT:
        for table in ("Submissions", "Submissions.member"):
            if table != "Submissions" and ("$orderby" in query or code == 400.24):
                continue   # no $orderby on a repeat's table (501.1, below); its fields are its own
            answer = api.get(f"{_svc(live_server, demo_county)}/{table}", params=query, timeout=10)
            assert answer.status_code == status, (query, table, answer.text)
            assert answer.json()["code"] == code, (query, table)
            assert "json" in answer.headers["Content-Type"]


def test_a_repeat_table_is_not_ordered(api, live_server, screenings, demo_county):
    answer = api.get(f"{_svc(live_server, demo_county)}/Submissions.member", params={"$orderby": "__id"}, timeout=10)
    assert answer.status_code == 501 and answer.json()["code"] == 501.1


def test_an_unknown_table_or_form_is_not_found(api, live_server, demo_county):
    assert api.get(f"{_svc(live_server, demo_county)}/Submissions.nothing", timeout=10).json()["code"] == 404.1
    other = f"{live_server}/v1/projects/{demo_county}/forms/no_such_form.svc"
    assert api.get(other, timeout=10).status_code == 404
    assert api.get(f"{other}/Submissions", timeout=10).status_code == 404


def test_orderby_pages_by_skip(api, live_server, screenings, demo_county):
    svc = _svc(live_server, demo_county)
    first = api.get(f"{svc}/Submissions", params={"$orderby": "__system/submissionDate asc", "$top": "3",
                                                   "$select": "__id"}, timeout=10).json()
    assert [r["__id"] for r in first["value"]][1:] == screenings[:2]
    assert "$skip=3" in first["@odata.nextLink"]
    rest = api.get(first["@odata.nextLink"], timeout=10).json()
    assert [r["__id"] for r in rest["value"]] == screenings[2:] and "@odata.nextLink" not in rest


def test_basic_auth_is_refused_over_http_with_centrals_message_and_accepted_over_https(
        live_server, admin, screenings, demo_county):
    svc = _svc(live_server, demo_county)
    plain = requests.get(f"{svc}/Submissions", auth=HTTPBasicAuth(*admin), timeout=10)
    assert plain.status_code == 401
    assert plain.json() == {**plain.json(), "code": 401.3,
                            "message": "This authentication method is only available over HTTPS"}
    # Behind the front door (a trusted proxy that says the client came over https), as Excel and ruODK call.
    secure = requests.get(f"{svc}/Submissions", auth=HTTPBasicAuth(*admin), headers={"X-Forwarded-Proto": "https"},
                          timeout=10)
    assert secure.status_code == 200 and len(secure.json()["value"]) == len(screenings) + 1
    assert secure.json()["@odata.context"].startswith("https://")


def test_fields_for_ruodk(api, app, live_server, demo_county):
    fields = api.get(f"{live_server}/v1/projects/{demo_county}/forms/{FORM}/fields", params={"odata": "true"},
                     timeout=10).json()
    by_path = {f["path"]: f for f in fields}
    assert by_path["/member"]["type"] == "repeat" and by_path["/hh_g"]["type"] == "structure"
    assert by_path["/loc_g/hh_gps"]["type"] == "geopoint"
    assert by_path["/member/m_idno"] == {"name": "m_idno", "path": "/member/m_idno", "type": "string",
                                        "binary": None, "selectMultiple": None}
    leaves = [f for f in fields if f["type"] not in ("structure", "repeat")]
    assert len(leaves) == len(_schema(app)["fields"])



def test_navigation_links_lead_to_the_rows_they_name(api, live_server, screenings, demo_county):
    """A row's `member@odata.navigationLink` (Central's Submissions('{instanceID}')/member) answers with that
    submission's members; Submissions('{instanceID}') with the one submission."""
    svc = _svc(live_server, demo_county)
    row = api.get(f"{svc}/Submissions", params={"$top": "1"}, timeout=10).json()["value"][0]
    members = api.get(f"{svc}/{row['member@odata.navigationLink']}", params={"$count": "true"}, timeout=10).json()
    assert members["@odata.count"] == len(members["value"]) == 3
    assert {m["__Submissions-id"] for m in members["value"]} == {row["__id"]}
    one = api.get(f"{svc}/Submissions('{row['__id']}')", timeout=10).json()["value"]
    assert [r["__id"] for r in one] == [row["__id"]]
    for path in ("Submissions('uuid:nobody')", "Submissions('uuid:nobody')/member", "Submissions/member",
                 f"Submissions('{row['__id']}')/nothing", f"Submissions('{row['__id']}')/member('x')/more"):
        assert api.get(f"{svc}/{path}", timeout=10).status_code == 404, path
