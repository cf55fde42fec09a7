"""Exports read back: the CSV zip (the submissions' table and the members' repeat joined by KEY and
PARENT_KEY), the CSV alone in GB18030, and GeoJSON, each compared with what was sent, including Chinese
text and a select_multiple; ID numbers masked for a viewer and not for a manager; places cut; every export
audited; bad parameters refused before any byte."""
import csv
import io
import json
import zipfile

import pytest
import requests
from sqlalchemy import text

from tests.support.households import member_xml, screening_xml
from tests.support.people import bearer
from tests.support.registry import SCREENING, cover_test_villages, load_registry

FORM = "fpf_hh_screening"
IDS = [f"uuid:dddddddd-0000-4000-8000-00000000000{n}" for n in range(1, 4)]


def _send(app, project, publish, device) -> str:
    """Two screenings of 一元村 with three and two members, one of 二元村; returns the head's ID number."""
    head = load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    three = (member_xml("王五", "head", idno=head, age="52"), member_xml("王小五", "son", age="24"),
             member_xml("张桂兰", "spouse", age="50"))
    assert device.post_submission(screening_xml(IDS[0], head_idno=head, members=three,
                                                water_issue="far_source seasonal")).status_code == 201
    assert device.post_submission(screening_xml(IDS[1])).status_code == 201
    assert device.post_submission(screening_xml(IDS[2], village="420102001002", household="H002")).status_code == 201
    return head


def _get(live_server, project, suffix, headers, **params):
    return requests.get(f"{live_server}/v1/projects/{project}/forms/{FORM}/submissions{suffix}", params=params,
                        headers=headers, timeout=30)


def _tables(answer) -> dict[str, list[dict]]:
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    return {name: list(csv.DictReader(io.TextIOWrapper(archive.open(name), encoding="utf-8-sig")))
            for name in archive.namelist()}


def test_the_csv_zip_holds_every_answer_and_the_repeat_joined_by_keys(app, project, publish, device, live_server):
    head = _send(app, project, publish, device)
    manager = bearer(app, live_server, project, "manager")
    answer = _get(live_server, project, ".csv.zip", manager)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/zip"
    assert answer.content[:3] != b"\xef\xbb\xbf"
    tables = _tables(answer)
    assert sorted(tables) == [f"{FORM}-member.csv", f"{FORM}.csv"]
    main = {row["KEY"]: row for row in tables[f"{FORM}.csv"]}
    assert set(main) == set(IDS)
    first = main[IDS[0]]
    assert first["hh_g-head_name"] == "王五" and first["hh_g-head_idno"] == head      # a manager sees it
    water = next(k for k in first if k.endswith("water_issue"))
    assert first[water] == "far_source seasonal"                                      # select_multiple
    assert first["loc_g-hh_gps-Latitude"] == "30.5928" and first["PlaceCode"] == "420102001001"
    members = tables[f"{FORM}-member.csv"]
    mine = [m for m in members if m["PARENT_KEY"] == IDS[0]]
    assert [m["m_name"] for m in mine] == ["王五", "王小五", "张桂兰"]
    assert [m["KEY"] for m in mine] == [f"{IDS[0]}/member[{n}]" for n in (1, 2, 3)]
    assert len(members) == 3 + 2 + 2
    from app.extensions import db
    with app.app_context():
        stored = db.session.execute(text("SELECT v.answers FROM submission s JOIN submission_version v "
                                         "ON v.id = s.current_version_id WHERE s.instance_id = :i"),
                                    {"i": IDS[0]}).scalar()
        assert [m["m_name"] for m in stored["member"]] == [m["m_name"] for m in mine]
        audit = db.session.execute(text("SELECT payload FROM event WHERE kind = 'submission.export'")).scalars().all()
        assert audit == [{"format": "csv.zip", "rows": 3, "filter": {"xml_form_id": FORM}}]


def test_a_viewer_gets_masked_ids_of_their_places_only_in_gb18030_with_labels(app, project, publish, device,
                                                                             live_server):
    head = _send(app, project, publish, device)
    viewer = bearer(app, live_server, project, "viewer", ["420102001001"])
    answer = _get(live_server, project, ".csv", viewer, encoding="gb18030", labels="zh")
    assert answer.status_code == 200 and "gb18030" in answer.headers["Content-Type"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("gb18030"))))
    assert "户主姓名" in rows[0]                                                       # the form's labels
    assert len(rows) == 1 + 2                                                       # 二元村 is not theirs
    assert head not in answer.content.decode("gb18030")
    assert any(cell == head[:4] + "*" * 10 + head[-4:] for cell in rows[1] + rows[2])
    assert _get(live_server, project, ".csv", viewer, place="420102001002").content.decode("utf-8-sig").count("\n") == 1


def test_geojson_has_a_feature_per_geopoint(app, project, publish, device, live_server):
    _send(app, project, publish, device)
    collection = _get(live_server, project, ".geojson", bearer(app, live_server, project, "viewer")).json()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 3
    point = collection["features"][0]
    assert point["geometry"] == {"type": "Point", "coordinates": [114.3055, 30.5928]}
    assert point["properties"]["instanceId"] == IDS[0] and point["properties"]["kind"] == "geopoint"
    assert json.dumps(collection, ensure_ascii=False)


def test_bad_export_requests_are_refused_before_any_byte(app, project, publish, device, live_server):
    _send(app, project, publish, device)
    viewer = bearer(app, live_server, project, "viewer")
    for suffix, params in ((".csv", {"encoding": "latin-1"}), (".csv.zip", {"from": "yesterday"}),
                           (".geojson", {"reviewState": "done"}), (".csv", {"labels": "fr"})):
        answer = _get(live_server, project, suffix, viewer, **params)
        assert answer.status_code == 400 and answer.headers["Content-Type"] == "application/problem+json", params
    assert _get(live_server, project, ".csv", viewer, campaign="999").status_code == 404
    assert requests.get(f"{live_server}/v1/projects/{project}/forms/nope/submissions.csv", headers=viewer,
                        timeout=10).status_code == 404
    collector = bearer(app, live_server, project, "data_collector")
    assert _get(live_server, project, ".csv.zip", collector).status_code == 403
    assert requests.get(f"{device.server_url}/forms/{FORM}/submissions.csv", timeout=10).status_code == 403


def test_the_xlsx_has_a_sheet_per_table_with_the_same_rows(app, project, publish, device, live_server):
    import openpyxl
    _send(app, project, publish, device)
    answer = _get(live_server, project, ".xlsx", bearer(app, live_server, project, "manager"))
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
    assert book.sheetnames == [FORM, f"{FORM}-member"]
    main = list(book[FORM].iter_rows(values_only=True))
    header = list(main[0])
    assert len(main) == 4 and header[0] == "SubmissionDate"
    by_key = {row[header.index("KEY")]: row for row in main[1:]}
    assert by_key[IDS[0]][header.index("hh_g-head_name")] == "王五"
    members = list(book[f"{FORM}-member"].iter_rows(values_only=True))
    assert len(members) == 1 + 7 and members[1][-1] == f"{IDS[0]}/member[1]"


def test_a_table_past_the_sheet_limit_goes_on_in_further_sheets():
    import openpyxl

    from app.formats.xlsx import row_xml, workbook
    # Rows come in chunks of whole rows, as COPY hands them on: here three rows, then two, then two.
    chunks = [b"".join(row_xml([str(n)]) + b"\n" for n in range(a, b)) for a, b in ((0, 3), (3, 5), (5, 7))]
    tables = [("t" * 40, ["n"], chunks), ("r", ["only"], [])]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(workbook(tables, max_rows=3))))
    # Three rows a sheet: the header and two of the seven, four times.
    assert book.sheetnames == ["t" * 31, *("t" * 27 + f" ({n})" for n in (2, 3, 4)), "r"]
    assert [[c.value for c in sheet["A"]] for sheet in book.worksheets[:4]] == [
        ["n", "0", "1"], ["n", "2", "3"], ["n", "4", "5"], ["n", "6"]]


def test_an_export_is_not_cut_by_the_web_requests_statement_limit(app):
    """A web request's statements end at STATEMENT_TIMEOUT_MS (30 s), but an export's COPY lasts as long as
    its download: a county's Excel took longer and was cut half-written (a 500 mid-stream) until the
    export's statement got a limit of its own. Here the web limit is 100 ms and the COPY takes 300."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.services.submissions.exports import _copy
    with app.test_request_context():
        db.session.execute(text("SET statement_timeout = 100"))
        with pytest.raises(Exception, match="statement timeout"):
            db.session.execute(text("SELECT pg_sleep(0.3)"))                 # any other statement is cut
        db.session.rollback()
        db.session.execute(text("SET statement_timeout = 100"))
        slow = select(func.pg_sleep(0.3).cast(db.String))
        assert b"".join(_copy(slow, "utf-8")) == b'""\n'                     # the one row, an empty text
        db.session.rollback()


def test_the_zip_holds_the_photos_under_media_unless_asked_not_to(app, project, publish, device, live_server):
    """Central's zip: the photos of the chosen submissions under media/; attachments=false leaves them out. Two
    phones may name different photos alike (1.jpg): the later keeps its own, its name prefixed by its hash."""
    import hashlib
    _send(app, project, publish, device)
    first, second = b"\xff\xd8\xff\xe0 first photo", b"\xff\xd8\xff\xe0 second photo"
    for n, photo in ((7, first), (8, second)):
        xml = screening_xml(f"uuid:dddddddd-0000-4000-8000-00000000000{n}", photo="1.jpg")
        assert device.post_submission(xml, {"1.jpg": photo}).status_code == 201
    manager = bearer(app, live_server, project, "manager", ["420102001001"])
    archive = zipfile.ZipFile(io.BytesIO(_get(live_server, project, ".csv.zip", manager).content))
    media = sorted(n for n in archive.namelist() if n.startswith("media/"))
    assert media == ["media/1.jpg", f"media/{hashlib.sha256(second).hexdigest()[:8]}-1.jpg"]
    assert archive.read("media/1.jpg") == first
    without = zipfile.ZipFile(io.BytesIO(_get(live_server, project, ".csv.zip", manager, attachments="false").content))
    assert not [n for n in without.namelist() if n.startswith("media/")]
    assert _get(live_server, project, ".csv.zip", manager, attachments="some").status_code == 400
    # Another village's manager gets none of them.
    elsewhere = bearer(app, live_server, project, "manager", ["420102001002"])
    assert not [n for n in zipfile.ZipFile(io.BytesIO(_get(live_server, project, ".csv.zip", elsewhere).content))
                .namelist() if n.startswith("media/")]


def test_numbers_written_into_text_are_masked_for_a_viewer_in_csv_and_odata(app, project, publish, device,
                                                                          live_server):
    """A free-text answer is not personal by its name, but people write their numbers into it: a viewer's CSV
    and OData show them masked, as the pages do (core.personal_fields.mask_in_text); a manager's, whole."""
    from app.core.personal_fields import mask_idno
    head = load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    remarks = f"户主电话138 0013 8000,身份证{head},2026-11-20 花了30000元"
    xml = screening_xml(IDS[0]).replace(b"<remarks/>", f"<remarks>{remarks}</remarks>".encode())
    assert device.post_submission(xml).status_code == 201
    masked = f"户主电话138****8000,身份证{mask_idno(head)},2026-11-20 花了30000元"
    viewer, manager = (bearer(app, live_server, project, role) for role in ("viewer", "manager"))
    for headers, shown in ((viewer, masked), (manager, remarks)):
        [row] = csv.DictReader(io.StringIO(_get(live_server, project, ".csv", headers).content.decode("utf-8-sig")))
        assert row["risk_g-remarks"] == shown
        odata = requests.get(f"{live_server}/v1/projects/{project}/forms/{FORM}.svc/Submissions", headers=headers,
                             timeout=10)
        assert odata.status_code == 200 and odata.json()["value"][0]["risk_g"]["remarks"] == shown


def test_each_row_masks_only_the_numbers_written_into_its_own_text(app, project, publish, device, live_server):
    """Two submissions, each with a phone in its remarks: a viewer's CSV and OData rows each show their own
    phone masked, and nothing of the other's (the numbers were once gathered from every row chosen)."""
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    for instance_id, phone in ((IDS[0], "13800138000"), (IDS[1], "13900139000")):
        xml = screening_xml(instance_id).replace(b"<remarks/>", f"<remarks>电话{phone}</remarks>".encode())
        assert device.post_submission(xml).status_code == 201
    expected = {IDS[0]: "电话138****8000", IDS[1]: "电话139****9000"}
    viewer = bearer(app, live_server, project, "viewer")
    rows = csv.DictReader(io.StringIO(_get(live_server, project, ".csv", viewer).content.decode("utf-8-sig")))
    assert {row["KEY"]: row["risk_g-remarks"] for row in rows} == expected
    odata = requests.get(f"{live_server}/v1/projects/{project}/forms/{FORM}.svc/Submissions", headers=viewer,
                         timeout=10).json()["value"]
    assert {row["__id"]: row["risk_g"]["remarks"] for row in odata} == expected


def test_text_that_begins_as_a_formula_is_quoted_in_csv_and_kept_in_excel(app, project, publish, device,
                                                                        live_server):
    """OWASP's CSV injection: a cell that begins with = + - @ is a formula to Excel, WPS and LibreOffice. In a
    CSV such a text gets a single quote before it; numbers (a negative amount) are kept; Excel's sheets are
    text cells already, and keep the text as sent."""
    import openpyxl
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    formula = '=HYPERLINK("http://example.com/x","点我")'
    members = (member_xml("王五", "head", age="52"), member_xml("+SUM(A1)", "son", age="24"))
    xml = screening_xml(IDS[0], head_name=formula, inc_prop="-300", members=members).replace(
        b"<remarks/>", "<remarks>@SUM(1+1)</remarks>".encode())
    assert device.post_submission(xml).status_code == 201
    manager = bearer(app, live_server, project, "manager")
    [row] = csv.DictReader(io.StringIO(_get(live_server, project, ".csv", manager).content.decode("utf-8-sig")))
    assert row["hh_g-head_name"] == "'" + formula and row["risk_g-remarks"] == "'@SUM(1+1)"
    assert row["inc_g-inc_prop"] == "-300.0" and row["KEY"] == IDS[0]               # a number, kept
    tables = _tables(_get(live_server, project, ".csv.zip", manager))
    assert tables[f"{FORM}.csv"][0]["hh_g-head_name"] == "'" + formula
    # In a repeat's table too, and its keys still join the submission's.
    [head, son] = next(rows for name, rows in tables.items() if name.endswith("-member.csv"))
    assert (head["m_name"], son["m_name"]) == ("王五", "'+SUM(A1)")
    assert son["PARENT_KEY"] == IDS[0] and son["KEY"] == f"{IDS[0]}/member[2]"
    sheet = list(openpyxl.load_workbook(io.BytesIO(_get(live_server, project, ".xlsx", manager).content),
                                        read_only=True)[FORM].iter_rows(values_only=True))
    assert sheet[1][sheet[0].index("hh_g-head_name")] == formula


def test_a_sheet_row_leaves_out_what_xml_cannot_hold_and_escapes_the_rest():
    """formats/xlsx.py row_xml (queries.exports.sheet_cell writes the same in SQL): an openpyxl reader gets the
    text back without the control characters XML 1.0 cannot carry, cut at Excel's 32,767 characters."""
    import openpyxl

    from app.formats.xlsx import CELL_LIMIT, row_xml, workbook
    cells = ["a\x01b\x00c\x1f", "x&y<z>\"'", "", "tab\tline\nend\uffff", "长" * (CELL_LIMIT + 5)]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(workbook([("t", ["h"] * 5, [row_xml(cells)])]))))
    assert [c.value for c in book["t"][2]] == ["abc", "x&y<z>\"'", None, "tab\tline\nend", "长" * CELL_LIMIT]


def test_a_text_that_excel_would_read_as_its_escape_is_escaped_itself(app):
    """Excel reads _xHHHH_ as the character HHHH (ECMA-376 Part 1 §22.9.2.19): each underscore that begins one is
    written _x005F_, runs of them too, so that Excel's reading (openpyxl's unescape does the same) gives the text
    as sent; the SQL writer (queries.exports.sheet_cell) writes the same bytes as formats/xlsx.py row_xml."""
    import re

    from openpyxl.utils.escape import unescape
    from sqlalchemy import literal, select

    from app.extensions import db
    from app.formats.xlsx import row_xml
    from app.queries.exports import sheet_cell, sheet_text
    texts = ["_x0041_", "_x0041_x0042_", "a_X4e2D_b", "__x0000__", "_x12_", "x_0041_"]
    written = row_xml(texts).decode()
    assert [unescape(t) for t in re.findall(r'<t xml:space="preserve">([^<]*)</t>', written)] == texts
    assert "_x005F_x0041_x005F_x0042_" in written and "_x12_" in written
    with app.app_context():
        in_sql = [db.session.scalar(select(sheet_cell(sheet_text(literal(t))))) for t in texts]
    assert "<row>" + "".join(in_sql) + "</row>" == written
