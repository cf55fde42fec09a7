"""The household registry as the read-only Entity List `households` (next-capabilities C.4 item 7), driven by
pyodk 1.3.0 and by OData as Power BI and ruODK read it: the demo county's 60 households, each an entity."""
import base64
import json
import uuid
from datetime import date
from xml.etree import ElementTree

import pytest
import requests
from pyodk.errors import PyODKError
from sqlalchemy import select

from app.core.personal_fields import mask_idno
from app.services.registry.entity_list import PROPERTIES
from tests.http import doors
from tests.support.pyodk_client import pyodk_as_role

HH = "households"
TOWNSHIP = "429901001000"          # 芳乡: villages 429901001001-003, 30 of the 60 households
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


def registry(app, project: int) -> dict[str, tuple[str, str, str | None]]:
    """uuid -> (household code, village, head's ID number) of every household, from the database."""
    from app.extensions import db
    from app.models import Household
    with app.app_context():
        rows = db.session.execute(select(Household.uuid, Household.household_code, Household.admin_code,
                                         Household.head_idno).where(Household.project_id == project)).all()
    return {str(r.uuid): (r.household_code, r.admin_code, r.head_idno) for r in rows}


def svc(project: int, query: str = "") -> str:
    return f"projects/{project}/datasets/{HH}.svc/Entities{query}"


def test_pyodk_lists_and_reads_the_entity_list(odk, demo_county):
    [listed] = odk.entity_lists.list()
    assert (listed.name, listed.projectId, listed.approvalRequired) == (HH, demo_county, False)
    detail = odk.entity_lists.get(HH)
    assert [p.name for p in detail.properties] == list(PROPERTIES)
    assert all(p.odataName == p.name and p.forms == [] for p in detail.properties)
    extended = odk.session.get(f"projects/{demo_county}/datasets", headers={"X-Extended-Metadata": "true"}).json()
    assert extended[0]["entities"] == 60 and extended[0]["lastEntity"] and extended[0]["conflicts"] == 0
    plain = odk.session.get(f"projects/{demo_county}/datasets").json()
    assert "entities" not in plain[0]
    # The screening form reads the registry as its households.csv pick-list.
    linked = odk.session.get(f"projects/{demo_county}/datasets/{HH}").json()["linkedForms"]
    assert [f["xmlFormId"] for f in linked] == ["fpf_hh_screening"]


def test_pyodk_lists_every_household_as_an_entity(app, odk, demo_county):
    known = registry(app, demo_county)
    entities = odk.entities.list(entity_list_name=HH)
    assert len(known) == 60 and sorted(e.uuid for e in entities) == sorted(known)
    assert all(e.creatorId == 0 and e.currentVersion.version == 1 and e.currentVersion.current for e in entities)
    assert all(e.deletedAt is None and e.currentVersion.data is None for e in entities)     # the list has no data
    # Newest first, as Central lists entities: one import, so by id, the last imported first.
    assert [known[e.uuid][0] for e in entities][:2] == ["H0000060", "H0000059"]

    one = odk.session.get(f"projects/{demo_county}/datasets/{HH}/entities/{entities[-1].uuid}").json()
    code, village, idno = known[entities[-1].uuid]
    assert one["currentVersion"]["data"]["household_id"] == code == "H0000001"
    assert one["currentVersion"]["data"]["village"] == village and one["currentVersion"]["data"]["head_idno"] == idno
    assert one["currentVersion"]["label"] == f"{one['currentVersion']['data']['head_name']} {code}"
    assert set(one["currentVersion"]["data"]) == set(PROPERTIES)
    # Central's "uuid:" prefix is read too.
    again = odk.session.get(f"projects/{demo_county}/datasets/{HH}/entities/uuid:{entities[-1].uuid}").json()
    assert again["uuid"] == entities[-1].uuid


def test_get_table_pages_with_top_and_skip_and_counts(odk, demo_county):
    whole = odk.entities.get_table(entity_list_name=HH)
    assert len(whole["value"]) == 60 and "@odata.nextLink" not in whole and "@odata.count" not in whole
    assert whole["@odata.context"].endswith(f"/v1/projects/{demo_county}/datasets/{HH}.svc/$metadata#Entities")
    paged = []
    for skip in range(0, 60, 25):
        paged += odk.entities.get_table(entity_list_name=HH, skip=skip, top=25)["value"]
    assert paged == whole["value"]
    # pyodk writes count=True as "True": read case-insensitively; $top=0 gives the count only.
    counted = odk.entities.get_table(entity_list_name=HH, top=0, count=True)
    assert counted["value"] == [] and counted["@odata.count"] == 60 and "@odata.nextLink" not in counted
    first = whole["value"][0]
    assert set(first) == {"__id", "label", "__system", *PROPERTIES}
    assert first["__system"]["creatorId"] == "0" and first["__system"]["updates"] == 0
    assert first["__system"]["createdAt"].endswith("Z")
    picked = odk.entities.get_table(entity_list_name=HH, top=1, select="__id, head_name,__system/createdAt")
    assert picked["value"] == [{"__id": first["__id"], "__system": {"createdAt": first["__system"]["createdAt"]},
                                "head_name": first["head_name"]}]


def test_skiptoken_pages_reach_the_whole_registry_and_stay_flat(app, odk, demo_county):
    """Following @odata.nextLink from $top=7 gives every household once, in the feed's order, even when a
    household is registered between two pages (keyset paging: nothing shifts)."""
    whole = [row["__id"] for row in odk.entities.get_table(entity_list_name=HH)["value"]]
    url, seen, pages = svc(demo_county, "?$top=7&$count=true"), [], 0
    while url:
        response = odk.session.get(url)
        assert response.status_code == 200 and response.headers["OData-Version"] == "4.0"
        body = response.json()
        assert body["@odata.count"] == 60 + (1 if pages >= 1 else 0)
        seen += [row["__id"] for row in body["value"]]
        url = body.get("@odata.nextLink")
        if url:
            assert url.startswith(app.config["PUBLIC_URL"]) and "%24skiptoken=01" in url and "top=7" in url
        pages += 1
        if pages == 1:
            from app.services.registry.imports import import_households
            with app.app_context():
                import_households(demo_county, "one.csv", b"household_id,village,head_name\nH9,429901001001,Z\n")
        assert pages < 20
    assert pages == 9 and seen == whole and len(set(seen)) == 60
    newer = {u for u, (code, _, _) in registry(app, demo_county).items() if code == "H9"}
    assert len(newer) == 1 and not newer & set(seen)


def test_filter_on_id_and_system_fields(odk, demo_county):
    whole = odk.entities.get_table(entity_list_name=HH)["value"]
    first = whole[0]["__id"]

    def ids(expression: str) -> list[str]:
        return [row["__id"] for row in odk.entities.get_table(entity_list_name=HH, filter=expression)["value"]]

    assert ids(f"__id eq '{first}'") == [first]
    assert ids(f"__id eq '{first.upper()}'") == [first]
    assert len(ids(f"not (__id eq '{first}')")) == 59
    assert len(ids(f"__id ne '{first}' and __id ne '{whole[1]['__id']}'")) == 58
    assert ids("__id eq 'not-a-uuid'") == []
    assert ids("__system/createdAt lt 2000-01-01T00:00:00Z") == []
    assert len(ids("__system/createdAt gt 2000-01-01 and __system/deletedAt eq null")) == 60
    assert len(ids(f"year(__system/createdAt) eq {date.today().year}")) == 60
    assert len(ids("__system/createdAt le now()")) == 60
    assert len(ids("__system/creatorId eq '0'")) == 60 and len(ids("__system/creatorId eq 0")) == 60
    assert ids("__system/creatorId eq 7") == [] and ids("__system/conflict ne null") == []
    assert len(ids("__system/updatedAt eq null")) + len(ids("__system/updatedAt ne null")) == 60
    assert len(ids(f"__id eq '{first}' or __system/updatedAt eq null or __system/updatedAt ne null")) == 60
    counted = odk.entities.get_table(entity_list_name=HH, filter=f"__id ne '{first}'", top=2, count=True)
    assert counted["@odata.count"] == 59 and len(counted["value"]) == 2 and counted["@odata.nextLink"]


def test_metadata_describes_the_registry_as_centrals_edmx(odk, demo_county):
    response = odk.session.get(f"projects/{demo_county}/datasets/{HH}.svc/$metadata")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/xml")
    assert response.headers["OData-Version"] == "4.0"
    root = ElementTree.fromstring(response.content)
    assert root.get("Version") == "4.0"
    schemas = {s.get("Namespace"): s for s in root.iter(f"{EDM}Schema")}
    assert set(schemas) == {"org.opendatakit.entity", f"org.opendatakit.user.{HH}"}
    metadata = schemas["org.opendatakit.entity"].find(f"{EDM}ComplexType")
    assert [p.get("Name") for p in metadata] == ["createdAt", "creatorId", "creatorName", "updates", "updatedAt",
                                                 "deletedAt", "version", "conflict"]
    entities = schemas[f"org.opendatakit.user.{HH}"].find(f"{EDM}EntityType")
    assert entities.get("Name") == "Entities"
    assert entities.find(f"{EDM}Key/{EDM}PropertyRef").get("Name") == "__id"
    properties = [(p.get("Name"), p.get("Type")) for p in entities.findall(f"{EDM}Property")]
    assert properties == [("__id", "Edm.String"), ("__system", "org.opendatakit.entity.metadata"),
                          ("label", "Edm.String")] + [(name, "Edm.String") for name in PROPERTIES]
    container = schemas[f"org.opendatakit.user.{HH}"].find(f"{EDM}EntityContainer")
    assert container.get("Name") == HH
    assert container.find(f"{EDM}EntitySet").get("EntityType") == f"org.opendatakit.user.{HH}.Entities"
    unfilterable = [p.text for p in container.iter(f"{EDM}PropertyPath")]
    assert unfilterable == list(PROPERTIES)

    document = odk.session.get(f"projects/{demo_county}/datasets/{HH}.svc")
    assert document.headers["Content-Type"] == "application/json; odata.metadata=minimal"
    assert document.json()["value"] == [{"name": "Entities", "kind": "EntitySet", "url": "Entities"}]
    assert document.json()["@odata.context"].endswith(f"/datasets/{HH}.svc/$metadata")


def test_id_numbers_are_masked_unless_the_role_may_read_them(app, live_server, demo_county, tmp_path):
    known = {code: idno for code, _, idno in registry(app, demo_county).values()}
    manager = pyodk_as_role(app, live_server, demo_county, "manager", tmp_path)
    viewer = pyodk_as_role(app, live_server, demo_county, "viewer", tmp_path)
    for client, shown in ((manager, lambda idno: idno), (viewer, mask_idno)):
        rows = client.entities.get_table(entity_list_name=HH, select="household_id,head_idno")["value"]
        assert len(rows) == 60
        assert {row["household_id"]: row["head_idno"] for row in rows} == {c: shown(i) for c, i in known.items()}
    masked = viewer.entities.get_table(entity_list_name=HH, top=1)["value"][0]
    assert "*" in masked["head_idno"] and masked["head_idno"] != known[masked["household_id"]]
    one = viewer.session.get(f"projects/{demo_county}/datasets/{HH}/entities/{masked['__id']}").json()
    assert one["currentVersion"]["data"]["head_idno"] == masked["head_idno"]
    assert one["currentVersion"]["dataReceived"]["head_idno"] == masked["head_idno"]


def test_a_township_user_reads_only_its_townships_households(app, live_server, demo_county, tmp_path):
    known = registry(app, demo_county)
    mine = {u for u, (_, village, _) in known.items() if village.startswith(TOWNSHIP[:9])}
    assert len(mine) == 30
    client = pyodk_as_role(app, live_server, demo_county, "viewer", tmp_path, places=(TOWNSHIP,))
    assert {e.uuid for e in client.entities.list(entity_list_name=HH)} == mine
    table = client.entities.get_table(entity_list_name=HH, count=True)
    assert table["@odata.count"] == 30 and {row["__id"] for row in table["value"]} == mine
    extended = client.session.get(f"projects/{demo_county}/datasets", headers={"X-Extended-Metadata": "true"})
    assert extended.json()[0]["entities"] == 30
    elsewhere = next(u for u in known if u not in mine)
    response = client.session.get(f"projects/{demo_county}/datasets/{HH}/entities/{elsewhere}")
    doors.problem(response, 404, 404.1)
    assert client.entities.get_table(entity_list_name=HH, filter=f"__id eq '{elsewhere}'")["value"] == []
    token = "01" + base64.b64encode(json.dumps({"uuid": elsewhere}).encode()).decode()
    response = client.session.get(svc(demo_county), params={"$skiptoken": token})
    doors.problem(response, 400, 400.35)


def test_a_device_token_reads_no_household(live_server, demo_county, device):
    for path in ("/datasets", f"/datasets/{HH}/entities", f"/datasets/{HH}.svc/Entities"):
        response = requests.get(f"{device.server_url}{path}", timeout=10)
        doors.problem(response, 403, 403.1)
    assert requests.get(f"{device.server_url}/datasets/{HH}.svc/Entities", timeout=10).headers["OData-Version"] == "4.0"


def test_writes_are_refused_as_central_refuses_a_role_without_them(odk, demo_county):
    some = odk.entities.list(entity_list_name=HH)[0].uuid
    attempts = [
        lambda: odk.entities.create(label="x", data={"head_name": "x"}, entity_list_name=HH),
        lambda: odk.entities.update(some, label="x", entity_list_name=HH, force=True),
        lambda: odk.entities.delete(some, entity_list_name=HH),
        lambda: odk.entity_lists.create(entity_list_name="people"),
        lambda: odk.entity_lists.add_property(name="phone", entity_list_name=HH),
    ]
    for attempt in attempts:
        with pytest.raises(PyODKError) as refused:
            attempt()
        doors.problem(refused.value.args[1], 403, 403.1)
    assert len(odk.entities.list(entity_list_name=HH)) == 60
    # Another list is not there to change.
    response = odk.session.post(f"projects/{demo_county}/datasets/people/entities", json={"label": "x"})
    doors.problem(response, 404, 404.1)


BAD_QUERIES = [
    ("$filter=__id eq", 400, 400.18),
    ("$filter=__id eq 5", 400, 400.18),
    ("$filter=__system/createdAt lt 'yesterday'", 400, 400.18),
    ("$filter=__system/createdAt lt null", 400, 400.18),
    ("$filter=__system/createdAt gt 2026-02-30T00:00:00Z", 400, 400.18),
    ("$filter=__id", 400, 400.18),
    ("$filter=year(__id) eq 2026", 400, 400.18),
    ("$filter=year(__system/createdAt) eq 9223372036854775808", 400, 400.18),
    ("$filter=1 eq 99999999999999999999999", 400, 400.18),
    ("$filter=" + "not " * 3000 + "true", 400, 400.18),
    ("$filter=" + "(" * 3000 + "true", 400, 400.18),
    ("$filter=nope eq 'x'", 400, 400.23),
    ("$filter=__system/nope eq 'x'", 400, 400.23),
    ("$filter=head_name eq 'x'", 501, 501.5),
    ("$filter=label eq 'x'", 501, 501.5),
    ("$filter=__system/version eq 1", 501, 501.5),
    ("$filter=__id in ('a', 'b')", 501, 501.4),
    ("$filter=contains(__id, 'a')", 501, 501.4),
    ("$select=nope", 400, 400.23),
    ("$top=abc", 400, 400.8),
    ("$top=-1", 400, 400.8),
    ("$skip=1e3", 400, 400.8),
    ("$count=maybe", 400, 400.8),
    ("$top=1&$TOP=2", 400, 400.8),
    ("$skiptoken=xyz", 400, 400.35),
    ("$skiptoken=01!!!", 400, 400.35),
    ("$skiptoken=01" + base64.b64encode(b'{"uuid": "' + str(uuid.uuid4()).encode() + b'"}').decode(), 400, 400.35),
    ("$skiptoken=01" + base64.b64encode(b"[1]").decode(), 400, 400.35),
    ("$orderby=__id", 501, 501.1),
    ("$search=x", 501, 501.1),
    ("$expand=x", 501, 501.1),
    ("$expand=*&$select=__id", 501, 501.1),
    ("$format=atom", 501, 501.1),
    ("foo=1", 501, 501.1),
]


def test_bad_feed_queries_are_problems_never_5xx_by_mistake(odk, project):
    # Every project has the list (its registry), empty here: each query is refused before any row is read.
    for query, status, code in BAD_QUERIES:
        response = odk.session.get(svc(project, "?" + query.replace("+", "%2B")))
        doors.problem(response, status, code)
        assert response.headers["OData-Version"] == "4.0", query


def test_unreadable_text_in_a_filter_is_400_before_the_feed(odk, project):
    for query in ("$filter=__id%20eq%20'a%00b'", "$filter=__id%20eq%20'%ED%A0%80'"):
        doors.problem(odk.session.get(svc(project, "?" + query)), 400)


ODD_BUT_READABLE = [
    "year(__system/createdAt) eq 9223372036854775807", "__system/creatorId eq 99999999999999999999",
    "__system/createdAt eq 2026-01-01", "__system/createdAt ne __system/updatedAt", "1 eq 1", "'a' lt 'b'",
    "true", "__system/deletedAt gt now()", "__system/conflict eq 'x'", "second(now()) ge 0.5",
    "__system/createdAt lt 9999-12-31T23:59:59.999Z", "__id gt 'ffffffff' or __id le ''",
]


def test_odd_but_readable_filters_are_answered(odk, project):
    for expression in ODD_BUT_READABLE:
        response = odk.session.get(svc(project), params={"$filter": expression})
        assert response.status_code == 200 and response.json()["value"] == [], expression


def test_a_filter_in_many_parentheses_is_still_a_filter(odk, demo_county):
    assert len(odk.entities.get_table(entity_list_name=HH, filter="(" * 3000 + "true" + ")" * 3000)["value"]) == 60


def test_option_names_and_booleans_are_read_case_insensitively(odk, demo_county):
    body = odk.session.get(svc(demo_county, "?$COUNT=True&$Top=0&$expand=*&$wkt=TRUE")).json()
    assert body == {"value": [], "@odata.context": body["@odata.context"], "@odata.count": 60}


UNKNOWN_PATHS = [
    "datasets/people", "datasets/people/entities", "datasets/people.svc", "datasets/people.svc/$metadata",
    "datasets/people.svc/Entities", f"datasets/{HH}/entities/not-a-uuid", f"datasets/{HH}/entities/{uuid.uuid4()}",
    f"datasets/{HH}/entities/" + "f" * 500,
]


def test_unknown_lists_and_entities_are_404(odk, project):
    for path in UNKNOWN_PATHS:
        doors.problem(odk.session.get(f"projects/{project}/{path}"), 404, 404.1)
