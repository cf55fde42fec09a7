"""OData rows kept ahead of reads (services/submissions/odata_store.py): what a read hands on from odata_row
is byte for byte what it writes from the answers, for every table (a repeat inside a repeat too), paged and
whole, for a caller who may read personal data and one who may not; and a row kept for an older version, an
older tree of fields, or before a review is never what a read gives."""
import re
import uuid

import pytest
from sqlalchemy import text

from tests.central.odata_support import keep_all
from tests.conftest import REPO
from tests.support.pyodk_client import pyodk_as_role

FORM = "nested_kept"
TABLES = ("Submissions", "Submissions.plot", "Submissions.plot.crop")
FORM_FILE = REPO / "tests" / "data" / "forms" / "nested_kept.md"


def _instance(instance_id: str, place: str, plots: list[list[tuple[str, str]]], *, version: str = "1",
              deprecated: str | None = None, extra: str = "") -> bytes:
    plot_xml = "".join(
        f"<plot><note>第{i}块 买家 1381234{i:04d}</note><spot>26.{i} 107.5 900 5</spot>"
        + "".join(f"<crop><kg>{kg}</kg><buyer_phone>{phone}</buyer_phone></crop>" for kg, phone in crops)
        + "</plot>" for i, crops in enumerate(plots))
    meta = f"<instanceID>{instance_id}</instanceID>"
    if deprecated:
        meta += f"<deprecatedID>{deprecated}</deprecatedID>"
    return (f'<data id="{FORM}" version="{version}"><place>{place}</place>'
            f"<head_g><head_idno>429901195804195275</head_idno><size>4</size></head_g>{plot_xml}{extra}"
            f"<meta>{meta}</meta></data>").encode()


@pytest.fixture()
def sent(app, publish, editor):
    """Three submissions: two plots with crops, one plot without, and none."""
    publish(FORM_FILE)
    ids = []
    for place, plots in (("甲村", [[("12.5", "13912345678"), ("3", "")], [("7", "0851-88123456")]]),
                         ("乙村", [[]]), ("丙村", [])):
        instance_id = f"uuid:{uuid.uuid4()}"
        assert editor.post_submission(_instance(instance_id, place, plots), {}).status_code == 201
        ids.append(instance_id)
    return ids


@pytest.fixture()
def readers(app, live_server, project, api, tmp_path):
    """Sessions of an administrator (personal data shown) and of a viewer, through pyodk's (masked)."""
    return {"administrator": api, "viewer": pyodk_as_role(app, live_server, project, "viewer", tmp_path).session}


def _svc(live_server, project) -> str:
    return f"{live_server}/v1/projects/{project}/forms/{FORM}.svc"


def _read_all(readers, live_server, project) -> dict:
    """Every table's whole body and its pages ($top=2, by $skiptoken to the end), for each reader: the texts."""
    out = {}
    for role, session in readers.items():
        for table in TABLES:
            whole = session.get(f"{_svc(live_server, project)}/{table}", timeout=30)
            assert whole.status_code == 200, whole.text
            pages, url = [], f"{_svc(live_server, project)}/{table}?$top=2"
            while url:
                page = session.get(url, timeout=30)
                assert page.status_code == 200, page.text
                pages.append(page.text)
                url = page.json().get("@odata.nextLink")
            out[role, table] = (whole.text, pages)
    return out


def _kept_rows(app, lines: str | None = None) -> int:
    """How many OData rows are kept (or export lines of style `lines`, 'csv' or 'xlsx':
    tests/central/test_export_kept_lines.py)."""
    from app.extensions import db
    with app.app_context():
        pattern = "/%" if lines is None else f"{lines}:%"
        return db.session.execute(text("SELECT count(*) FROM odata_row WHERE table_path LIKE :pattern"),
                                  {"pattern": pattern}).scalar()


def test_kept_rows_read_as_the_written_ones_in_every_table_page_and_role(app, live_server, project, sent, readers,
                                                                        monkeypatch):
    written = _read_all(readers, live_server, project)
    assert _kept_rows(app) == 0
    assert keep_all(app, monkeypatch) == 3
    assert _kept_rows(app) == _kept_rows(app, "csv") == _kept_rows(app, "xlsx") == 3 * len(TABLES) * 2
    assert _read_all(readers, live_server, project) == written
    # Masked for the viewer in the kept text as in the written one; shown to the administrator.
    viewer_crops = written["viewer", "Submissions.plot.crop"][0]
    assert "13912345678" in written["administrator", "Submissions.plot.crop"][0]
    assert "13912345678" not in viewer_crops and "*" in viewer_crops
    assert "429901195804195275" not in written["viewer", "Submissions"][0]
    # A second round finds nothing left to write.
    assert keep_all(app, monkeypatch) == 0


def test_the_command_keeps_the_newest_at_once_and_again(app, sent):
    """`flask odata keep` does not wait the minute the jobs wait: run after a bulk load, it writes them all."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["odata", "keep"])
    assert result.exit_code == 0 and "done: 3 submissions written" in result.output, result.output
    assert _kept_rows(app) == 3 * len(TABLES) * 2
    assert "done: 0 submissions written" in runner.invoke(args=["odata", "keep"]).output
    again = runner.invoke(args=["odata", "keep", "--again"])
    assert "forgot every row kept" in again.output and "done: 3 submissions written" in again.output
    assert _kept_rows(app) == 3 * len(TABLES) * 2


def test_a_read_hands_on_the_kept_text(app, live_server, project, sent, readers, monkeypatch):
    keep_all(app, monkeypatch)
    from app.extensions import db
    with app.app_context():
        db.session.execute(text("UPDATE odata_row SET body = ARRAY[replace(body[1], '甲村', '已存')] "
                                "WHERE table_path = '/data'"))
        db.session.commit()
    body = readers["administrator"].get(f"{_svc(live_server, project)}/Submissions", timeout=30).json()
    assert "已存" in [row["place"] for row in body["value"]]


def test_an_edit_a_review_and_new_fields_are_read_before_the_writer_comes_round(
        app, live_server, project, sent, readers, editor, publish, monkeypatch, tmp_path):
    keep_all(app, monkeypatch)
    admin = readers["administrator"]
    # An edit: a new version, whose rows are not kept yet.
    edited = f"uuid:{uuid.uuid4()}"
    xml = _instance(edited, "甲村改", [[("99", "13800000000")]], deprecated=sent[0])
    assert editor.post_submission(xml, {}).status_code == 201
    rows = {r["__id"]: r for r in admin.get(f"{_svc(live_server, project)}/Submissions", timeout=30).json()["value"]}
    assert rows[sent[0]]["place"] == "甲村改" and rows[sent[0]]["__system"]["edits"] == 1
    crops = admin.get(f"{_svc(live_server, project)}/Submissions.plot.crop", timeout=30).json()["value"]
    assert [c["kg"] for c in crops if "13800000000" == c["buyer_phone"]] == [99]
    # A review: __system is written by each read, never kept.
    assert admin.patch(f"{live_server}/v1/projects/{project}/forms/{FORM}/submissions/{sent[1]}",
                       json={"reviewState": "approved"}, timeout=10).status_code == 200
    rows = {r["__id"]: r for r in admin.get(f"{_svc(live_server, project)}/Submissions", timeout=30).json()["value"]}
    assert rows[sent[1]]["__system"]["reviewState"] == "approved"
    # A new version of the form with one more field: every row has it (null in the older submissions).
    source = FORM_FILE.read_text(encoding="utf-8")
    source = source.replace("| | text | place | 地点 |", "| | text | place | 地点 |\n| | text | remark | 说明 |")
    newer = tmp_path / FORM_FILE.name
    newer.write_text(source.replace("| nested_kept | 1 |", "| nested_kept | 2 |"), encoding="utf-8")
    publish(newer)
    before = _read_all(readers, live_server, project)
    first = {r["__id"]: r for r in admin.get(f"{_svc(live_server, project)}/Submissions", timeout=30).json()["value"]}
    assert all("remark" in row and row["remark"] is None for row in first.values())
    assert keep_all(app, monkeypatch) == 3
    assert _read_all(readers, live_server, project) == before


def test_the_writer_key_follows_the_fields_not_the_version():
    from app.core.odata_schema import odata_tree
    from app.services.submissions.odata_store import tree_key
    schema = {"root": "data", "fields": [{"path": "/data/a", "name": "a", "type": "string"},
                                         {"path": "/data/r/b", "name": "b", "type": "int"}], "repeats": ["/data/r"]}
    same = {**schema, "version": "2"}
    retyped = {**schema, "fields": [schema["fields"][0], {"path": "/data/r/b", "name": "b", "type": "decimal"}]}
    assert tree_key(odata_tree(schema)) == tree_key(odata_tree(same))
    assert tree_key(odata_tree(schema)) != tree_key(odata_tree(retyped))
    assert re.fullmatch(r"[0-9a-f]{40}", tree_key(odata_tree(schema)))
