"""Export lines kept ahead of exports (queries/export_lines.py): a CSV export, kept or not, is byte for byte what
COPY writes from queries.exports.table_select's cells (the way every CSV was written before lines were kept), for
every table (a repeat inside a repeat too), for a reader who may read personal data and one who may not, in
UTF-8 and GB18030; with texts that need quoting, begin as formulas, span lines or hold numbers to mask. An
Excel export's sheets are the same, kept or not, and hold the cells table_select writes."""
import io
import uuid
import zipfile

import pytest

from tests.central.odata_support import keep_all
from tests.conftest import REPO
from tests.support.pyodk_client import pyodk_as_role

FORM = "nested_kept"
NOTES = ('第一块, "东边" 买家 13812345678\n第二行', "=1+1", "+8613912345678", "@SUM(A1)", "普通", "a\r\nb")


def _instance(i: int) -> bytes:
    plots = "".join(f"<plot><note>{note}</note><spot>26.{n} 107.5 900 5</spot>"
                    f"<crop><kg>{n}.5</kg><buyer_phone>1390000{n:04d}</buyer_phone></crop>"
                    f"<crop><kg></kg><buyer_phone></buyer_phone></crop></plot>"
                    for n, note in enumerate(NOTES[i % 3:]))
    place = NOTES[i % len(NOTES)].replace("&", "&amp;")
    return (f'<data id="{FORM}" version="1"><place>{place}</place><head_g><head_idno>42990119580419527{i % 10}'
            f'</head_idno><size>{i}</size></head_g>{plots}<meta><instanceID>uuid:{uuid.uuid4()}</instanceID></meta>'
            f"</data>").encode()


@pytest.fixture()
def sent(app, publish, editor):
    publish(REPO / "tests" / "data" / "forms" / "nested_kept.md")
    for i in range(5):
        assert editor.post_submission(_instance(i), {}).status_code == 201


def _as_copy_wrote(app, project: int, personal: bool, encoding: str) -> dict[str, bytes]:
    """Each table's rows as COPY writes table_select's cells (no header)."""
    from sqlalchemy import select

    from app.core.tables import tables
    from app.extensions import db
    from app.models import Form, FormVersion, Submission
    from app.queries.exports import table_select
    from app.services.submissions.exports import _copy
    with app.app_context():
        form_id, schema = db.session.execute(
            select(Form.id, FormVersion.schema).join(FormVersion, FormVersion.id == Form.current_version_id)
            .where(Form.project_id == project, Form.xml_form_id == FORM)).one()
        out = {}
        for table in tables(FORM, schema):
            statement = table_select(table, root="/data", repeats=list(schema["repeats"]),
                                     where=[Submission.form_id == form_id], show_personal=personal,
                                     for_spreadsheet=True)
            out[f"{table.name}.csv"] = b"".join(_copy(statement, encoding))
        db.session.rollback()
        return out


def _exported(session, live_server, project, encoding: str) -> dict[str, bytes]:
    """Each CSV file of the zip export, without its header line."""
    answer = session.get(f"{live_server}/v1/projects/{project}/forms/{FORM}/submissions.csv.zip",
                         params={"attachments": "false", "encoding": encoding}, timeout=30)
    assert answer.status_code == 200, answer.text
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        return {name: archive.read(name).split(b"\n", 1)[1] for name in archive.namelist()}


def test_kept_or_not_the_csv_is_what_copy_wrote(app, live_server, project, api, sent, tmp_path, monkeypatch):
    viewer = pyodk_as_role(app, live_server, project, "viewer", tmp_path).session
    readers = {True: api, False: viewer}
    for encoding in ("utf-8", "gb18030"):
        for personal, session in readers.items():
            assert _exported(session, live_server, project, encoding) == _as_copy_wrote(
                app, project, personal, "gb18030" if encoding == "gb18030" else "utf-8-sig"), (encoding, personal)
    assert keep_all(app, monkeypatch) == 5
    for encoding in ("utf-8", "gb18030"):
        for personal, session in readers.items():
            kept = _exported(session, live_server, project, encoding)
            assert kept == _as_copy_wrote(app, project, personal,
                                          "gb18030" if encoding == "gb18030" else "utf-8-sig"), (encoding, personal)
    text = _exported(api, live_server, project, "utf-8")
    submissions, plots = text[f"{FORM}.csv"].decode(), text[f"{FORM}-plot.csv"].decode()
    assert ",'=1+1," in submissions and ",'@SUM(A1)," in submissions and ",+8613912345678," in submissions
    assert '"第一块, ""东边"" 买家 13812345678\n第二行"' in plots


def test_an_export_hands_on_the_kept_lines(app, live_server, project, api, sent, monkeypatch):
    keep_all(app, monkeypatch)
    from sqlalchemy import text

    from app.extensions import db
    with app.app_context():
        db.session.execute(text("UPDATE odata_row SET body = ARRAY[replace(body[1], '普通', '已存')] "
                                "WHERE table_path = 'csv:/data'"))
        db.session.commit()
    assert "已存" in _exported(api, live_server, project, "utf-8")[f"{FORM}.csv"].decode()


def test_the_excel_sheets_hold_the_same_cells(app, live_server, project, api, sent):
    """The .xlsx (sheet XML written by PostgreSQL, formats/xlsx.py) holds every table's cells as the CSV rows
    before spreadsheet_safe: texts as sent (a formula stays text), empty cells empty; line ends as XML reads
    them (CR LF and CR become LF)."""
    import csv

    import openpyxl
    from sqlalchemy import select

    from app.core.tables import tables
    from app.extensions import db
    from app.models import Form, FormVersion, Submission
    from app.queries.exports import table_select
    from app.services.submissions.exports import _copy
    answer = api.get(f"{live_server}/v1/projects/{project}/forms/{FORM}/submissions.xlsx", timeout=30)
    assert answer.status_code == 200, answer.text
    book = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
    with app.app_context():
        form_id, schema = db.session.execute(
            select(Form.id, FormVersion.schema).join(FormVersion, FormVersion.id == Form.current_version_id)
            .where(Form.project_id == project, Form.xml_form_id == FORM)).one()
        layouts = tables(FORM, schema)
        assert book.sheetnames == [t.name for t in layouts]
        for table in layouts:
            statement = table_select(table, root="/data", repeats=list(schema["repeats"]),
                                     where=[Submission.form_id == form_id], show_personal=True)
            text = b"".join(_copy(statement, "utf-8")).decode()
            expected = [[(c.replace("\r\n", "\n").replace("\r", "\n") or None) for c in row]
                        for row in csv.reader(io.StringIO(text, newline=""))]
            got = [list(row) for row in book[table.name].iter_rows(values_only=True)][1:]
            assert got == expected, table.name
        db.session.rollback()
    assert any("=1+1" in (row or ()) for row in book[FORM].iter_rows(values_only=True))


def _sheets(session, live_server, project) -> dict[str, bytes]:
    """Each worksheet's XML of the Excel export."""
    answer = session.get(f"{live_server}/v1/projects/{project}/forms/{FORM}/submissions.xlsx", timeout=30)
    assert answer.status_code == 200, answer.text
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")}


def test_kept_or_not_the_excel_sheets_are_the_same(app, live_server, project, api, sent, tmp_path, monkeypatch):
    viewer = pyodk_as_role(app, live_server, project, "viewer", tmp_path).session
    written = {role: _sheets(s, live_server, project) for role, s in (("admin", api), ("viewer", viewer))}
    assert written["admin"] != written["viewer"]                  # the viewer's ID numbers are masked
    keep_all(app, monkeypatch)
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import OdataRow
    with app.app_context():
        kept = db.session.scalar(select(func.count()).where(OdataRow.table_path.like("xlsx:%")))
        db.session.rollback()
    assert kept == 5 * 2 * 3            # five submissions, with and without personal data, three tables
    assert {role: _sheets(s, live_server, project) for role, s in (("admin", api), ("viewer", viewer))} == written


def test_an_excel_export_hands_on_the_kept_rows(app, live_server, project, api, sent, monkeypatch):
    keep_all(app, monkeypatch)
    from sqlalchemy import text

    from app.extensions import db
    with app.app_context():
        db.session.execute(text("UPDATE odata_row SET body = ARRAY[replace(body[1], '普通', '已存')] "
                                "WHERE table_path = 'xlsx:/data'"))
        db.session.execute(text("UPDATE odata_row SET body = array_replace(body, body[1], "
                                "replace(body[1], '</row>', '<c t=\"inlineStr\"><is><t>多</t></is></c></row>')) "
                                "WHERE table_path LIKE 'xlsx:/data/plot' AND cardinality(body) > 0"))
        db.session.commit()
    sheets = b"".join(_sheets(api, live_server, project).values()).decode()
    assert "已存" in sheets and "<t>多</t>" in sheets
