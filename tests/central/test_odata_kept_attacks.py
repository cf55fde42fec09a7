"""Attacks on the OData kept rows (services/submissions/odata_store.py), by a helper who tried to break them:
every read with rows kept in any state (none, some, all, stale after an edit, a review or a republish) is byte
for byte the read written from the answers, for an administrator, a viewer and a township; repeats whose OData
names collide; odd data; two writers at once; a publish deleting the test submissions under the writer."""
import threading
import uuid

import pytest
from sqlalchemy import text

from tests.central.odata_support import keep_all
from tests.support.pyodk_client import pyodk_as_role


def _svc(live_server, project, form) -> str:
    return f"{live_server}/v1/projects/{project}/forms/{form}.svc"


def _form(tmp_path, name, body):
    path = tmp_path / f"{name}.md"
    path.write_text(body, encoding="utf-8")
    return path


COLLIDING = """
| survey |
| | type | name | label |
| | text | place | 地点 |
| | begin_repeat | r-1 | 甲 |
| | text | a | A |
| | end_repeat |
| | begin_repeat | r_1 | 乙 |
| | text | b | B |
| | end_repeat |

| settings |
| | form_title | form_id | version |
| | 撞名 | colliding | 1 |
"""


def test_two_repeats_with_one_table_name_read_the_same_before_and_after_keep(
        app, live_server, project, publish, editor, api, tmp_path, monkeypatch):
    """'r-1' and 'r_1' are both the table Submissions.r_1 (Central's sanitizer): a read picks the first repeat;
    the keeper writes both tables under the one name, the second over the first."""
    publish(_form(tmp_path, "colliding", COLLIDING))
    iid = f"uuid:{uuid.uuid4()}"
    xml = (f'<data id="colliding" version="1"><place>x</place><r-1><a>first-repeat</a></r-1>'
           f'<r_1><b>second-repeat</b></r_1><meta><instanceID>{iid}</instanceID></meta></data>').encode()
    assert editor.post_submission(xml, {}).status_code == 201
    url = f"{_svc(live_server, project, 'colliding')}/Submissions.r_1"
    before = api.get(url, timeout=30)
    assert before.status_code == 200, before.text
    assert keep_all(app, monkeypatch) == 1
    after = api.get(url, timeout=30)
    assert after.text == before.text


# ---------------------------------------------------------------------------------------------------------------
# Differential: every read with kept rows (in any state: none, some, all, stale) equals the same read written
# live from the answers (services/submissions/odata._kept patched to None), byte for byte.

def _reads(session, svc: str, tables, extra_paths=()) -> dict:
    out = {}
    def get(url, params=None):
        r = session.get(url, params=params, timeout=30)
        return r.status_code, r.text
    for table in tables:
        out[table] = get(f"{svc}/{table}")
        for top in (2, 3):
            pages, url, params = [], f"{svc}/{table}", {"$top": str(top)}
            while url and len(pages) < 60:
                r = session.get(url, params=params, timeout=30)
                pages.append((r.status_code, r.text))
                if r.status_code != 200:
                    break
                url, params = r.json().get("@odata.nextLink"), None
            out[table, "top", top] = pages
        out[table, "skip"] = get(f"{svc}/{table}", {"$skip": "1"})
        out[table, "skiptop"] = get(f"{svc}/{table}", {"$skip": "2", "$top": "2", "$count": "true"})
        out[table, "filter"] = get(f"{svc}/{table}", {"$filter": "__system/reviewState eq null"})
        out[table, "filter2"] = get(f"{svc}/{table}", {"$filter": "__system/submitterId ne 0", "$top": "2"})
    out["orderby"] = get(f"{svc}/Submissions", {"$orderby": "__system/submissionDate asc,__id desc", "$top": "2"})
    out["orderby_all"] = get(f"{svc}/Submissions", {"$orderby": "__id desc"})
    for path in extra_paths:
        out[path] = get(f"{svc}/{path}")
    return out


def _compare(readers, svc, tables, monkeypatch, extra_paths=()):
    from app.services.submissions import odata as service
    kept = {role: _reads(s, svc, tables, extra_paths) for role, s in readers.items()}
    with monkeypatch.context() as m:
        m.setattr(service, "_kept", lambda *a, **k: None)
        live = {role: _reads(s, svc, tables, extra_paths) for role, s in readers.items()}
    for role in readers:
        for key in live[role]:
            assert kept[role][key] == live[role][key], (role, key)
    return kept


NESTED = "nested_kept"
NESTED_TABLES = ("Submissions", "Submissions.plot", "Submissions.plot.crop")


def _nested_instance(instance_id, place, plots, *, deprecated=None, version="1"):
    plot_xml = "".join(
        f"<plot><note>第{i}块 买家 1381234{i:04d}</note><spot>26.{i} 107.5 900 5</spot>"
        + "".join(f"<crop><kg>{kg}</kg><buyer_phone>{phone}</buyer_phone></crop>" for kg, phone in crops)
        + "</plot>" for i, crops in enumerate(plots))
    meta = f"<instanceID>{instance_id}</instanceID>" + (f"<deprecatedID>{deprecated}</deprecatedID>"
                                                        if deprecated else "")
    return (f'<data id="{NESTED}" version="{version}"><place>{place}</place>'
            f"<head_g><head_idno>429901195804195275</head_idno><size>4</size></head_g>{plot_xml}"
            f"<meta>{meta}</meta></data>").encode()


@pytest.fixture()
def nested(app, publish, editor):
    from tests.conftest import REPO
    publish(REPO / "tests" / "data" / "forms" / "nested_kept.md")
    shapes = [[[("12.5", "13912345678"), ("3", "")], [("7", "0851-88123456")]], [[]], [],
              [[("1", "13700000001")], [], [("2", "13700000002"), ("3", "13700000003"), ("4", "")]],
              [[("5", "13700000005")]]]
    ids = []
    for i, plots in enumerate(shapes):
        iid = f"uuid:{uuid.uuid4()}"
        assert editor.post_submission(_nested_instance(iid, f"村{i}", plots), {}).status_code == 201
        ids.append(iid)
    return ids


@pytest.fixture()
def nested_readers(app, live_server, project, api, tmp_path):
    return {"administrator": api,
            "viewer": pyodk_as_role(app, live_server, project, "viewer", tmp_path).session}


def test_mixed_kept_and_written_reads_equal_live_reads(app, live_server, project, nested, nested_readers, editor,
                                                       monkeypatch):
    svc = _svc(live_server, project, NESTED)
    extra = [f"Submissions('{nested[3]}')", f"Submissions('{nested[3]}')/plot"]
    _compare(nested_readers, svc, NESTED_TABLES, monkeypatch, extra)          # none kept
    assert keep_all(app, monkeypatch, 2) == 2                                # some kept
    _compare(nested_readers, svc, NESTED_TABLES, monkeypatch, extra)
    assert keep_all(app, monkeypatch, 100) == 3                              # all kept
    _compare(nested_readers, svc, NESTED_TABLES, monkeypatch, extra)
    # An edit that drops and adds plots: the kept rows are of an older version.
    xml = _nested_instance(f"uuid:{uuid.uuid4()}", "村3改", [[("9", "13711111111")]], deprecated=nested[3])
    assert editor.post_submission(xml, {}).status_code == 201
    _compare(nested_readers, svc, NESTED_TABLES, monkeypatch, extra)
    keep_all(app, monkeypatch, 100)
    _compare(nested_readers, svc, NESTED_TABLES, monkeypatch, extra)



ODD = """
| survey |
| | type | name | label |
| | text | place | 地点 |
| | integer | tel | 电话 |
| | begin_repeat | outer | 外 |
| | begin_repeat | inner | 内 |
| | text | x | X |
| | integer | n | N |
| | end_repeat |
| | end_repeat |
| | begin_repeat | empty_r | 空 |
| | note | nothing | 无 |
| | end_repeat |

| settings |
| | form_title | form_id | version |
| | 怪 | odd_form | 1 |
"""
ODD_TABLES = ("Submissions", "Submissions.outer", "Submissions.outer.inner", "Submissions.empty_r")


def _odd(iid, outers, place="x", tel="13912345678"):
    body = "".join("<outer>" + "".join(f"<inner><x>{x}</x><n>{n}</n></inner>" for x, n in inners) + "</outer>"
                   for inners in outers)
    return (f'<data id="odd_form" version="1"><place>{place}</place><tel>{tel}</tel>{body}'
            f'<empty_r><nothing/></empty_r><empty_r/><meta><instanceID>{iid}</instanceID></meta></data>').encode()


def test_odd_data_reads_the_same_kept_and_written(app, live_server, project, publish, editor, api, tmp_path,
                                                   monkeypatch):
    publish(_form(tmp_path, "odd_form", ODD))
    big = "长" * 200_000
    cases = [
        [[("a\"b\\c", "1")], []],
        [],
        [[(big, "99999999999999999999")]],
        [[("\u2028\u2029 😀 &lt;tag&gt; \t tab", "-0")], [("1", "1"), ("2", "2")]],
        [[("身份证 429901195804195275 电话 13912345678", "007")]],
    ]
    for i, outers in enumerate(cases):
        assert editor.post_submission(_odd(f"uuid:{uuid.uuid4()}", outers, place=f"p{i}"), {}).status_code == 201
    viewer = pyodk_as_role(app, live_server, project, "viewer", tmp_path).session
    readers = {"administrator": api, "viewer": viewer}
    svc = _svc(live_server, project, "odd_form")
    _compare(readers, svc, ODD_TABLES, monkeypatch)
    assert keep_all(app, monkeypatch) == len(cases)
    kept = _compare(readers, svc, ODD_TABLES, monkeypatch)
    assert "429901195804195275" not in kept["viewer"]["Submissions.outer.inner"][1]
    assert "13912345678" not in kept["viewer"]["Submissions"][1]


def test_demo_county_roles_and_townships_read_kept_as_written(app, live_server, demo_county, editor, api, tmp_path,
                                                             monkeypatch):
    from tests.central.odata_support import send_screenings, three_readers
    sent = send_screenings(editor, times=2)
    readers = three_readers(app, live_server, demo_county, api, tmp_path)
    svc = f"{live_server}/v1/projects/{demo_county}/forms/fpf_hh_screening.svc"
    tables = ("Submissions", "Submissions.member")
    extra = [f"Submissions('{sent[0]}')", f"Submissions('{sent[2]}')/member"]
    keep_all(app, monkeypatch, 3)
    _compare(readers, svc, tables, monkeypatch, extra)
    keep_all(app, monkeypatch)
    kept = _compare(readers, svc, tables, monkeypatch, extra)
    township_rows = kept["township"]["Submissions"][1]
    assert sent[0] not in township_rows and sent[2] in township_rows
    assert "404" in str(kept["township"][f"Submissions('{sent[0]}')"][0]) or kept["township"][
        f"Submissions('{sent[0]}')"][0] != 200
    # A review, a soft delete: still the same.
    assert api.patch(f"{live_server}/v1/projects/{demo_county}/forms/fpf_hh_screening/submissions/{sent[1]}",
                     json={"reviewState": "rejected"}, timeout=10).status_code == 200
    _compare(readers, svc, tables, monkeypatch)


NESTED_V2_RETYPED = """
| survey |
| | type | name | label |
| | text | place | 地点 |
| | begin_group | head_g | 户主 |
| | text | head_idno | 身份证号 |
| | text | size | 人数 |
| | end_group |
| | begin_repeat | plot | 地块 |
| | text | note | 备注 |
| | geopoint | spot | 位置 |
| | begin_repeat | crop | 作物 |
| | text | kg | 产量 |
| | text | buyer_phone | 收购人电话 |
| | end_repeat |
| | end_repeat |

| settings |
| | form_title | form_id | version |
| | 嵌套测试 | nested_kept | 2 |
"""

NESTED_V3_REGROUPED = """
| survey |
| | type | name | label |
| | text | place | 地点 |
| | text | head_idno | 身份证号 |
| | integer | size | 人数 |
| | begin_repeat | plot | 地块 |
| | text | note | 备注 |
| | geopoint | spot | 位置 |
| | begin_group | head_g | g |
| | begin_repeat | crop | 作物 |
| | decimal | kg | 产量 |
| | text | buyer_phone | 收购人电话 |
| | end_repeat |
| | end_group |
| | end_repeat |

| settings |
| | form_title | form_id | version |
| | 嵌套测试 | nested_kept | 3 |
"""


def test_republished_with_other_types_or_nesting_reads_as_written(app, live_server, project, nested, nested_readers,
                                                                  publish, tmp_path, monkeypatch):
    svc = _svc(live_server, project, NESTED)
    keep_all(app, monkeypatch)
    publish(_form(tmp_path, "nested_kept", NESTED_V2_RETYPED))
    _compare(nested_readers, svc, NESTED_TABLES, monkeypatch)
    keep_all(app, monkeypatch, 2)
    _compare(nested_readers, svc, NESTED_TABLES, monkeypatch)
    keep_all(app, monkeypatch)
    _compare(nested_readers, svc, NESTED_TABLES, monkeypatch)
    publish(_form(tmp_path, "nested_kept", NESTED_V3_REGROUPED))
    tables = ("Submissions", "Submissions.plot", "Submissions.plot.head_g.crop")
    _compare(nested_readers, svc, tables, monkeypatch)
    keep_all(app, monkeypatch)
    _compare(nested_readers, svc, tables, monkeypatch)


def test_the_cli_keeps_and_keeps_again(app, live_server, project, nested, nested_readers, monkeypatch):
    from app.services.submissions import odata_store
    monkeypatch.setattr(odata_store, "SETTLE", odata_store.timedelta(0))
    result = app.test_cli_runner().invoke(args=["odata", "keep"])
    assert result.exit_code == 0, result.output
    assert "done: 5 submissions" in result.output
    result = app.test_cli_runner().invoke(args=["odata", "keep", "--again"])
    assert result.exit_code == 0, result.output
    assert "done: 5 submissions" in result.output
    _compare(nested_readers, _svc(live_server, project, NESTED), NESTED_TABLES, monkeypatch)


def test_two_keepers_at_once(app, live_server, project, nested, editor, nested_readers, monkeypatch):
    """The CLI takes no lock: it may run beside the job runner's keep_due."""
    from app.services.submissions import odata_store
    monkeypatch.setattr(odata_store, "SETTLE", odata_store.timedelta(0))
    for i in range(15):
        xml = _nested_instance(f"uuid:{uuid.uuid4()}", f"多{i}", [[("1", "13700000001")], [("2", "")]])
        assert editor.post_submission(xml, {}).status_code == 201
    errors = []

    def run(again):
        try:
            with app.app_context():
                for _ in range(3):
                    if again:
                        odata_store.forget_kept()
                    while odata_store.keep_due(max_submissions=7):
                        pass
        except Exception as error:        # noqa: BLE001
            errors.append(repr(error))

    threads = [threading.Thread(target=run, args=(again,)) for again in (False, True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    _compare(nested_readers, _svc(live_server, project, NESTED), NESTED_TABLES, monkeypatch)


def test_numbers_in_free_text_masked_per_row_when_kept(app, live_server, project, publish, editor, api, tmp_path,
                                                       monkeypatch):
    from app.core.personal_fields import mask_in_text
    from tests.conftest import REPO
    publish(REPO / "tests" / "data" / "forms" / "nested_kept.md")
    for s in range(6):
        iid = f"uuid:{uuid.uuid4()}"
        plots = "".join(f"<plot><note>户{s}块{p} 电话 139{s:04d}{p:04d} 又 0851-8{s}{p}12345 "
                        f"身份证 42990119580419{s}{p}75</note>"
                        f"<crop><kg>1</kg><buyer_phone>1380000{s}{p}00</buyer_phone></crop></plot>" for p in range(4))
        place = f"村 {s} 13{s}12345678 与 429901195804195{s}7{s}"
        xml = (f'<data id="nested_kept" version="1"><place>{place}</place><head_g><head_idno>42990119580419527{s}'
               f'</head_idno><size>4</size></head_g>{plots}<meta><instanceID>{iid}</instanceID></meta></data>')
        assert editor.post_submission(xml.encode(), {}).status_code == 201
    viewer = pyodk_as_role(app, live_server, project, "viewer", tmp_path).session
    svc = _svc(live_server, project, NESTED)
    keep_all(app, monkeypatch)
    _compare({"viewer": viewer}, svc, NESTED_TABLES, monkeypatch)
    admin = {r["__id"]: r for r in api.get(f"{svc}/Submissions.plot", timeout=30).json()["value"]}
    for row in viewer.get(f"{svc}/Submissions.plot", timeout=30).json()["value"]:
        assert row["note"] == mask_in_text(admin[row["__id"]]["note"])
    admin = {r["__id"]: r for r in api.get(f"{svc}/Submissions", timeout=30).json()["value"]}
    for row in viewer.get(f"{svc}/Submissions", timeout=30).json()["value"]:
        assert row["place"] == mask_in_text(admin[row["__id"]]["place"])


def test_keeping_while_a_publish_deletes_the_test_submissions(app, live_server, project, nested, monkeypatch):
    """Publishing a draft deletes its test submissions (forms/publish.py), which keep_due writes rows for too
    (it walks every submission of the form, is_draft or not). A publish committing while keep_due's INSERT
    waits on the submission row: the kept row's foreign key fails."""
    import time

    from app.extensions import db
    from app.services.submissions import odata_store
    monkeypatch.setattr(odata_store, "SETTLE", odata_store.timedelta(0))
    with app.app_context():
        db.session.execute(text("UPDATE submission SET is_draft = true WHERE instance_id = :i"), {"i": nested[0]})
        db.session.commit()
        publisher = db.engine.connect()
        publisher_tx = publisher.begin()
        publisher.execute(text("DELETE FROM submission WHERE is_draft"))
    errors = []

    def keep():
        try:
            with app.app_context():
                while odata_store.keep_due():
                    pass
        except Exception as error:          # noqa: BLE001
            errors.append(type(error).__name__ + ": " + str(error).splitlines()[0])

    thread = threading.Thread(target=keep)
    thread.start()
    time.sleep(2)
    publisher_tx.commit()
    publisher.close()
    thread.join()
    assert errors == []



COLLIDING_DEPTHS = """<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
 xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms">
<h:head><h:title>depths</h:title><model>
<instance><data id="colliding_depths" version="1"><place/>
<x_1 jr:template=""><y jr:template=""><a/></y></x_1>
<x-1><y jr:template=""><b/></y></x-1>
<meta><instanceID/></meta></data></instance>
<bind nodeset="/data/place" type="string"/>
<bind nodeset="/data/x_1/y/a" type="string"/>
<bind nodeset="/data/x-1/y/b" type="string"/>
<bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
</model></h:head>
<h:body>
<input ref="/data/place"><label>p</label></input>
<group ref="/data/x_1"><label>x</label><repeat nodeset="/data/x_1">
<group ref="/data/x_1/y"><label>y</label><repeat nodeset="/data/x_1/y">
<input ref="/data/x_1/y/a"><label>a</label></input></repeat></group>
</repeat></group>
<group ref="/data/x-1"><label>g</label>
<group ref="/data/x-1/y"><label>y</label><repeat nodeset="/data/x-1/y">
<input ref="/data/x-1/y/b"><label>b</label></input></repeat></group>
</group>
</h:body></h:html>
"""


def test_a_nested_repeat_and_a_grouped_repeat_with_one_table_name_page_after_keep(
        app, live_server, project, publish, editor, api, tmp_path, monkeypatch):
    """Submissions.x_1.y is both x_1/y (two repeats deep) and x-1/y (one repeat in a group): the read takes the
    first, the keeper keeps the second's rows (one position each) under that name."""
    path = tmp_path / "colliding_depths.xml"
    path.write_text(COLLIDING_DEPTHS, encoding="utf-8")
    publish(path)
    iid = f"uuid:{uuid.uuid4()}"
    xml = (f'<data id="colliding_depths" version="1"><place>x</place>'
           f'<x_1><y><a>a1</a></y><y><a>a2</a></y></x_1><x-1><y><b>b1</b></y><y><b>b2</b></y></x-1>'
           f'<meta><instanceID>{iid}</instanceID></meta></data>').encode()
    assert editor.post_submission(xml, {}).status_code == 201
    url = f"{_svc(live_server, project, 'colliding_depths')}/Submissions.x_1.y"
    before = api.get(url, params={"$top": "1"}, timeout=30)
    assert before.status_code == 200, before.text
    assert keep_all(app, monkeypatch) == 1
    after = api.get(url, params={"$top": "1"}, timeout=30)
    # (Here: the other table's rows, and a nextLink whose $skiptoken {"s":..,"n":[1,null]} is 400.35.)
    assert (after.status_code, after.text) == (before.status_code, before.text)
