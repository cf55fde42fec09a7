"""Attacks on the Excel rows kept ahead of exports (queries/export_lines.py SHEET, kept under 'xlsx:' in odata_row
by services/submissions/odata_store.py keep_due and its statement cache _BUILT; services/submissions/exports.py
xlsx_export; formats/xlsx.py), by a helper who tried to break them.

The invariant held here: an .xlsx export's parts are byte for byte the same whether its rows are kept or written
live from the answers, in any state of the keeping, for every reader and filter; and each worksheet is byte for
byte what the Python writer of the same cells (formats/xlsx.py row_xml over table_select's cells, before the
CSV's formula quote) writes, an implementation independent of the SQL one. "Live" is the same export with the
kept-row lookup asked for a writer key no row has (_live_only).

What it found is at the end, mended since, none of it the kept rows' doing (kept and live were the same bytes):
Excel's own escape `_xHHHH_` was written as it is, and sheet names Excel refuses were made (two tables cut to one
name, a name differing from another only in case, a form ID 'History' or one beginning or ending with an
apostrophe).
"""
import csv
import functools
import io
import threading
import uuid
import zipfile
from datetime import date, timedelta

import pytest

from tests.central.odata_support import keep_all
from tests.support.pyodk_client import pyodk_as_role

NEVER = "0" * 40            # a writer key no kept row has: every row written live


def _form(tmp_path, name, body):
    path = tmp_path / f"{name}.md"
    path.write_text(body, encoding="utf-8")
    return path


def _live_only(m):
    """Patch the export lines to find no kept row, so that every row is written from the answers."""
    from app.queries import export_lines
    real = export_lines.kept_row
    m.setattr(export_lines, "kept_row", lambda fence, path, personal, key: real(fence, path, personal, NEVER))


def _book(session, base, form, params=None):
    """The Excel export's parts by name (status and text when it is not 200)."""
    r = session.get(f"{base}/forms/{form}/submissions.xlsx", params=params or {}, timeout=60)
    if r.status_code != 200:
        return r.status_code, r.text
    assert r.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        assert archive.testzip() is None
        return {n: archive.read(n) for n in archive.namelist()}


def _compare(readers, base, form, monkeypatch, params_list=({},)):
    """Every reader's export with each of `params_list`, kept rows as they are against none kept: the same."""
    kept = {(role, tuple(sorted(p.items()))): _book(s, base, form, p)
            for role, s in readers.items() for p in params_list}
    with monkeypatch.context() as m:
        _live_only(m)
        live = {(role, tuple(sorted(p.items()))): _book(s, base, form, p)
                for role, s in readers.items() for p in params_list}
    for key in live:
        assert kept[key] == live[key], key
    return kept


def _kept_count(app, prefix="xlsx:"):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import OdataRow
    with app.app_context():
        n = db.session.scalar(select(func.count()).where(OdataRow.table_path.like(prefix + "%")))
        db.session.rollback()
    return n


def _sql(app, statement, **params):
    from sqlalchemy import text

    from app.extensions import db
    with app.app_context():
        result = db.session.execute(text(statement), params)
        rows = result.all() if result.returns_rows else None
        db.session.commit()
    return rows


def _cells(app, project, form, personal):
    """Each table's (layout, header, rows of cells) as table_select writes them without the formula quote."""
    from sqlalchemy import select

    from app.core.tables import tables
    from app.extensions import db
    from app.models import Form, FormVersion, Submission
    from app.queries.exports import table_select
    from app.services.submissions.exports import _copy, _headers
    with app.app_context():
        form_id, schema, xml = db.session.execute(
            select(Form.id, FormVersion.schema, FormVersion.xml)
            .join(FormVersion, FormVersion.id == Form.current_version_id)
            .where(Form.project_id == project, Form.xml_form_id == form)).one()
        layouts = tables(form, schema)
        out = []
        for table, header in zip(layouts, _headers(layouts, xml, False)):
            statement = table_select(table, root="/" + schema.get("root", "data"),
                                     repeats=list(schema.get("repeats", [])),
                                     where=[Submission.form_id == form_id, Submission.is_draft.is_(False),
                                            Submission.deleted_at.is_(None)], show_personal=personal)
            text = b"".join(_copy(statement, "utf-8")).decode()
            out.append((table, header, list(csv.reader(io.StringIO(text, newline="")))))
        db.session.rollback()
    return out


def _reference(app, project, form, personal):
    """Each worksheet as formats/xlsx.py's Python row_xml writes table_select's cells (COPY ends each row with a
    newline): what the SQL sheet cells, kept or live, must be byte for byte."""
    from app.formats.xlsx import _HEAD, _TAIL, row_xml
    return {f"xl/worksheets/sheet{i}.xml": _HEAD + row_xml(header) + b"".join(row_xml(r) + b"\n" for r in rows) + _TAIL
            for i, (_, header, rows) in enumerate(_cells(app, project, form, personal), 1)}


def _same_as_reference(book, app, project, form, personal):
    expected = _reference(app, project, form, personal)
    got = {n: b for n, b in book.items() if n.startswith("xl/worksheets/")}
    assert got.keys() == expected.keys()
    for name in expected:
        assert got[name] == expected[name], name


def _openpyxl_holds_the_cells(content_parts, app, project, form, personal):
    """openpyxl opens the workbook, and each cell holds table_select's (XML's reading: no character XML cannot
    hold, CR LF and CR read as LF, cut at 32,767; an empty text is no cell)."""
    import re

    import openpyxl

    from app.formats.xlsx import CELL_LIMIT
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in content_parts.items():
            archive.writestr(name, data)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
    not_xml = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
    tables = _cells(app, project, form, personal)
    assert book.sheetnames == [t.name[:31] for t, _, _ in tables]
    for (table, header, rows), sheet in zip(tables, book.worksheets):
        def seen(cell):
            text = not_xml.sub("", cell)[:CELL_LIMIT].replace("\r\n", "\n").replace("\r", "\n")
            return text or None
        got = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert got[0] == [seen(h) for h in header]
        assert got[1:] == [[seen(c) for c in row] for row in rows], table.name
    book.close()


# ---------------------------------------------------------------------------------------------------------------
# Odd answers: every kind of column, texts XML cannot hold (put into the stored answers, since no XML carries
# them), escapes, long texts, line ends, nested repeats; kept in every state, edited, reviewed, renamed, deleted.

ODD = """
| survey |
| | type | name | label |
| | text | t | 文本 & <x> "q" 'a' |
| | integer | i | 整数 |
| | select_multiple ab | sm | 多选 |
| | geopoint | gp | 点 |
| | text | phone | 电话 |
| | text | head_idno | 身份证 |
| | begin_repeat | outer | 外 |
| | text | ot | 外文 |
| | begin_repeat | inner | 内 |
| | text | it | 内文 |
| | select_multiple ab | ism | 内多选 |
| | end_repeat |
| | end_repeat |
| | begin_repeat | empty_r | 空 |
| | text | e | E |
| | end_repeat |

| choices |
| | list_name | name | label |
| | ab | a | A |
| | ab | b | B |
| | ab | c_1 | C |

| settings |
| | form_title | form_id | version |
| | 怪 | odd_xlsx | 1 |
"""

TEXTS = ["&<>\"'", "a&amp;b", "]]>", "<row>x</row>", "</t></is></c>", "a\r\nb", "a\rb", "a\nb", "\tlead",
         " lead ", "", "中文 测试", "身份证 429901195804195275 电话 13912345678", "=1+1", "'=quoted", "@SUM(A1)",
         "😀" * 3, "\u2028\u2029\u0085", "\ufeffbom", "𠀀 ext-b", "长" * 40_000, "&" * 33_000,
         "x" * 32_766 + "&<", "😀" * 32_770, " ", "\\N", "NULL"]
# Characters XML 1.0 cannot hold: a form's XML never carries them, but a stored answer may (an import, a
# repair); put into the answers with SQL.
NOT_XML = "".join(chr(c) for c in range(1, 32)) + "\ufffe\uffff"


def _esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _odd(iid, n, deprecated=None):
    t = TEXTS[n % len(TEXTS)]
    outers = ""
    for k in range(n % 3):
        inner = "".join(f"<inner><it>{_esc(TEXTS[(n + k + j) % len(TEXTS)])}</it><ism>a c_1</ism></inner>"
                        for j in range(k + 1))
        outers += f"<outer><ot>{_esc(TEXTS[(n + 7 * k) % len(TEXTS)])}</ot>{inner}<inner/></outer>"
    empty = "<empty_r><e/></empty_r>" if n % 2 else ""
    meta = f"<instanceID>{_esc(iid)}</instanceID>" + (
        f"<deprecatedID>{_esc(deprecated)}</deprecatedID>" if deprecated else "")
    return (f'<data id="odd_xlsx" version="1"><t>{_esc(t)}</t><i>{["007", "-0", "", "12"][n % 4]}</i>'
            f'<sm>{["a b", "", "c_1", " a  b "][n % 4]}</sm><gp>{["26.1 107.5 900 5", "26.1 107.5", "", "x"][n % 4]}'
            f"</gp><phone>{['13912345678', '=13912345678', '+8613912345678', ''][n % 4]}</phone>"
            f"<head_idno>42990119580419527{n % 10}</head_idno>{outers}{empty}<meta>{meta}</meta></data>").encode()


def _set_answer(app, iid, path, value):
    """Put a JSON value at `path` of a submission's current answers (as a repair or an import might)."""
    import json
    _sql(app, "UPDATE submission_version SET answers = jsonb_set(answers, CAST(:p AS text[]), CAST(:v AS jsonb)) "
              "WHERE id = (SELECT current_version_id FROM submission WHERE instance_id = :i)",
         p="{" + ",".join(path) + "}", v=json.dumps(value), i=iid)


@pytest.fixture()
def readers(app, live_server, project, api, tmp_path):
    return {"administrator": api, "viewer": pyodk_as_role(app, live_server, project, "viewer", tmp_path).session}


@pytest.fixture()
def odd(app, project, publish, editor, tmp_path):
    """Submissions of odd_xlsx, some with answers holding what XML cannot: their instanceIDs."""
    publish(_form(tmp_path, "odd_xlsx", ODD))
    ids = []
    for n in range(len(TEXTS) + 3):
        iid = f"uuid:{uuid.uuid4()}" if n != 4 else 'uuid:odd&<>"\'-id'
        r = editor.post_submission(_odd(iid, n), {})
        assert r.status_code == 201, r.text
        ids.append(iid)
    _set_answer(app, ids[0], ["t"], "ctl" + NOT_XML + "end")
    _set_answer(app, ids[1], ["t"], NOT_XML)                                   # nothing left: an empty cell
    _set_answer(app, ids[2], ["sm"], ["a", "b\u0001", "\ufffe"])
    _set_answer(app, ids[4], ["outer", "0", "inner", "0", "it"], "内\u001f\u000b层 & <")
    _set_answer(app, ids[5], ["outer", "0", "ot"], "\u0008" * 40_000 + "x")
    _set_answer(app, ids[6], ["outer"], {"ot": "lone object, not a list", "inner": {"it": "lone"}})
    _set_answer(app, ids[7], ["t"], 12.50)                                     # a number where a text is
    _set_answer(app, ids[8], ["t"], {"obj": "<&>"})
    _set_answer(app, ids[9], ["phone"], "139\u000112345678")
    return ids


def test_odd_answers_kept_or_not_are_the_same_sheets(app, live_server, project, editor, readers, odd, monkeypatch):
    base = f"{live_server}/v1/projects/{project}"
    params = ({}, {"labels": "zh"})
    books = [_compare(readers, base, "odd_xlsx", monkeypatch, params)]
    assert _kept_count(app) == 0
    keep_all(app, monkeypatch, 7)
    assert 0 < _kept_count(app) < len(odd) * 2 * 4
    books.append(_compare(readers, base, "odd_xlsx", monkeypatch, params))
    keep_all(app, monkeypatch)
    assert _kept_count(app) == len(odd) * 2 * 4          # with and without personal data, four tables
    books.append(_compare(readers, base, "odd_xlsx", monkeypatch, params))
    # None kept, some kept, all kept: the same bytes.
    assert books[0] == books[1] == books[2]
    admin, viewer = books[2][("administrator", ())], books[2][("viewer", ())]
    _same_as_reference(admin, app, project, "odd_xlsx", True)
    _same_as_reference(viewer, app, project, "odd_xlsx", False)
    _openpyxl_holds_the_cells(admin, app, project, "odd_xlsx", True)
    _openpyxl_holds_the_cells(viewer, app, project, "odd_xlsx", False)
    sheets = b"".join(v for n, v in admin.items() if n.startswith("xl/worksheets/")).decode()
    assert "ctl\t\n\rend" in sheets and "\u0001" not in sheets and "\ufffe" not in sheets
    assert "429901195804195275" in sheets and "13912345678" in sheets
    masked = b"".join(v for n, v in viewer.items() if n.startswith("xl/worksheets/")).decode()
    assert "429901195804195275" not in masked and "13912345678" not in masked


def test_odd_answers_after_edit_review_rename_delete_and_draft(app, live_server, project, editor, api, readers, odd,
                                                                monkeypatch):
    """Kept, then the system cells change (a review, the submitter's name holding what XML cannot, escapes, a
    formula), an edit makes a new version, one is deleted, one becomes a test (draft) submission."""
    base = f"{live_server}/v1/projects/{project}"
    keep_all(app, monkeypatch)
    before = _compare(readers, base, "odd_xlsx", monkeypatch)
    assert api.patch(f"{base}/forms/odd_xlsx/submissions/{odd[3]}", json={"reviewState": "rejected"},
                     timeout=10).status_code == 200
    _sql(app, "UPDATE actor SET display_name = :n WHERE id = (SELECT submitter_id FROM submission WHERE "
              "instance_id = :i)", n="=改名 & <b> \"x\" \u0001\u001f\ufffe\r\n末", i=odd[0])
    edited = f"uuid:{uuid.uuid4()}"
    assert editor.post_submission(_odd(edited, 20, deprecated=odd[2]), {}).status_code == 201
    _sql(app, "UPDATE submission SET deleted_at = now() WHERE instance_id = :i", i=odd[5])
    _sql(app, "UPDATE submission SET is_draft = true WHERE instance_id = :i", i=odd[6])
    after = _compare(readers, base, "odd_xlsx", monkeypatch,
                     ({}, {"reviewState": "rejected"}, {"reviewState": "edited"}))
    assert after[("administrator", ())] != before[("administrator", ())]
    sheets = b"".join(v for n, v in after[("administrator", ())].items() if n.startswith("xl/worksheets/")).decode()
    assert "=改名 &amp; &lt;b&gt; \"x\" \r\n末" in sheets and "rejected" in sheets
    assert odd[5] not in sheets and odd[6] not in sheets and edited in sheets      # its meta-instanceID
    _same_as_reference(after[("administrator", ())], app, project, "odd_xlsx", True)
    _same_as_reference(after[("viewer", ())], app, project, "odd_xlsx", False)
    rejected = after[("administrator", (("reviewState", "rejected"),))]["xl/worksheets/sheet1.xml"].decode()
    assert rejected.count("<row>") == 2 and odd[3] in rejected
    # Kept again (the edit's new version), and the deleted one and the draft back: the same as live still.
    keep_all(app, monkeypatch)
    _sql(app, "UPDATE submission SET deleted_at = NULL, is_draft = false WHERE instance_id IN (:a, :b)",
         a=odd[5], b=odd[6])
    final = _compare(readers, base, "odd_xlsx", monkeypatch)
    _same_as_reference(final[("administrator", ())], app, project, "odd_xlsx", True)


def test_the_harness_sees_kept_rows(app, live_server, project, api, odd, monkeypatch):
    """The comparison means something: a kept row changed in odata_row shows in the export, not in the live one."""
    base = f"{live_server}/v1/projects/{project}"
    keep_all(app, monkeypatch)
    _sql(app, "UPDATE odata_row SET body = ARRAY[body[1] || '<c t=\"inlineStr\"><is><t>已存</t></is></c>'] "
              "WHERE table_path = 'xlsx:/data' AND personal")
    _sql(app, "UPDATE odata_row SET body = array_replace(body, body[1], replace(body[1], '</row>', "
              "'<c t=\"inlineStr\"><is><t>内存</t></is></c></row>')) "
              "WHERE table_path = 'xlsx:/data/outer/inner' AND personal AND cardinality(body) > 0")
    kept = b"".join(_book(api, base, "odd_xlsx").values())
    with monkeypatch.context() as m:
        _live_only(m)
        live = b"".join(_book(api, base, "odd_xlsx").values())
    assert "已存".encode() in kept and "内存".encode() in kept
    assert "已存".encode() not in live and "内存".encode() not in live


# ---------------------------------------------------------------------------------------------------------------
# The demo county: three readers (the viewer masked, a township's manager its rows only), every filter, in
# every state of the keeping.

def test_demo_county_readers_and_filters(app, live_server, demo_county, editor, api, tmp_path, monkeypatch):
    from tests.central.odata_support import send_screenings, three_readers
    sent = send_screenings(editor, times=2)
    readers = three_readers(app, live_server, demo_county, api, tmp_path)
    base = f"{live_server}/v1/projects/{demo_county}"
    today = date.today()
    [(campaign,)] = _sql(app, "SELECT id FROM campaign")
    flags = [c for (c,) in _sql(app, "SELECT DISTINCT code FROM risk_flag")]
    filters = ({}, {"place": "429901001"}, {"place": "429901002001"}, {"reviewState": "rejected"},
               {"reviewState": "received"}, {"campaign": str(campaign)}, {"from": today.isoformat()},
               {"to": (today - timedelta(days=1)).isoformat()}, {"labels": "zh"},
               *({"flag": f} for f in flags[:1]))
    form = "fpf_hh_screening"
    some = ({}, {"place": "429901001"}, {"campaign": str(campaign)})
    first = _compare(readers, base, form, monkeypatch, some)
    keep_all(app, monkeypatch, 3)
    assert first == _compare(readers, base, form, monkeypatch, some)
    keep_all(app, monkeypatch)
    out = _compare(readers, base, form, monkeypatch, filters)
    assert {k: out[k] for k in first} == first
    township = out[("township", ())]["xl/worksheets/sheet1.xml"].decode()
    assert sent[0] not in township and sent[2] in township
    assert out[("administrator", (("campaign", str(campaign)),))]["xl/worksheets/sheet1.xml"].count(b"<row>") == 8
    assert out[("administrator", (("to", (today - timedelta(days=1)).isoformat()),))][
        "xl/worksheets/sheet1.xml"].count(b"<row>") == 1
    _same_as_reference(out[("administrator", ())], app, demo_county, form, True)
    _same_as_reference(out[("viewer", ())], app, demo_county, form, False)
    assert out[("viewer", ())] != out[("administrator", ())]
    # A review and a rename after keeping: the system cells are the current ones, kept or not.
    assert api.patch(f"{base}/forms/{form}/submissions/{sent[2]}", json={"reviewState": "rejected"},
                     timeout=10).status_code == 200
    _sql(app, "UPDATE actor SET display_name = '村干部 <&> \"改\"' WHERE kind = 'app_user'")
    changed = _compare(readers, base, form, monkeypatch, filters)
    rejected = changed[("township", (("reviewState", "rejected"),))]["xl/worksheets/sheet1.xml"].decode()
    assert rejected.count("<row>") == 2 and sent[2] in rejected
    assert "村干部 &lt;&amp;&gt; \"改\"" in changed[("administrator", ())]["xl/worksheets/sheet1.xml"].decode()


# ---------------------------------------------------------------------------------------------------------------
# The statement cache (_BUILT): two forms, two projects, one form id in both, republished with other fields
# between keep rounds, and back.

TWIN = """
| survey |
| | type | name | label |
| | text | a | A |
| | begin_repeat | r | R |
| | text | b | B |
| | end_repeat |

| settings |
| | form_title | form_id | version |
| | 双 | twin | {version} |
"""

TWIN_V2 = """
| survey |
| | type | name | label |
| | text | z | Z |
| | text | a | A |
| | begin_repeat | r | R |
| | text | b_phone | B |
| | text | b | B |
| | end_repeat |

| settings |
| | form_title | form_id | version |
| | 双 | twin | {version} |
"""

OTHER = """
| survey |
| | type | name | label |
| | text | a | A |
| | begin_repeat | q | Q |
| | text | b | B |
| | end_repeat |

| settings |
| | form_title | form_id | version |
| | 另 | other | 1 |
"""


def _twin(form, iid, a, rows=2, deprecated=None, z=None, version="1"):
    meta = f"<instanceID>{iid}</instanceID>" + (f"<deprecatedID>{deprecated}</deprecatedID>" if deprecated else "")
    rep = "q" if form == "other" else "r"
    phone = (lambda n: f"<b_phone>1391234567{n}</b_phone>") if z is not None else (lambda n: "")
    body = "".join(f"<{rep}>{phone(n)}<b>{_esc(a)}-{n}</b></{rep}>" for n in range(rows))
    zed = f"<z>{z}</z>" if z is not None else ""
    return f'<data id="{form}" version="{version}">{zed}<a>{_esc(a)}</a>{body}<meta>{meta}</meta></data>'.encode()


def _cached_forms(statements):
    """The form ids a cached statement's parameters name."""
    from sqlalchemy.dialects import postgresql
    ids = set()
    for statement in statements:
        compiled = statement.compile(dialect=postgresql.dialect())
        named = {v for k, v in compiled.params.items() if k.startswith("form_id")}
        assert named, compiled.params
        ids |= named
    return ids


def test_the_statement_cache_across_forms_projects_and_republishes(app, live_server, project, publish, admin, api,
                                                                   tmp_path, monkeypatch):
    from requests.auth import HTTPDigestAuth

    from app.services.accounts.projects import create_project
    from app.services.submissions import odata_store
    from tests.support.collect import CollectClient
    with app.app_context():
        second = create_project("第二 project").id
    publish(_form(tmp_path, "twin", TWIN.format(version="1")))
    publish(_form(tmp_path, "other", OTHER))
    (tmp_path / "second").mkdir()
    publish(_form(tmp_path / "second", "twin", TWIN.format(version="1")), project_id=second)
    clients = {p: CollectClient(f"{live_server}/v1/projects/{p}", auth=HTTPDigestAuth(*admin))
               for p in (project, second)}
    sent = {}
    for p in (project, second):
        for form in ("twin", "other") if p == project else ("twin",):
            for n in range(6):
                iid = f"uuid:{uuid.uuid4()}"
                assert clients[p].post_submission(_twin(form, iid, f"{p}{form}{n}&<", rows=n % 3), {}
                                                  ).status_code == 201
                sent.setdefault((p, form), []).append(iid)
    readers = {"administrator": api}
    bases = {p: f"{live_server}/v1/projects/{p}" for p in (project, second)}
    books = {(p, f): _compare(readers, bases[p], f, monkeypatch) for p, f in sent}

    def check(*, same=True):
        for (p, f) in sent:
            got = _compare(readers, bases[p], f, monkeypatch)
            if same:
                assert got == books[p, f], (p, f)
            _same_as_reference(got[("administrator", ())], app, p, f, True)

    odata_store._BUILT.clear()
    keep_all(app, monkeypatch, 4)
    check()
    keep_all(app, monkeypatch)
    check()
    forms = dict(((p, x), i) for i, p, x in _sql(app, "SELECT id, project_id, xml_form_id FROM form"))
    # One form id in two projects, with the same fields: one walk key, two cache entries, each its own form's.
    assert {f for f, _ in odata_store._BUILT} == set(forms.values())
    keys = {f: k for f, k in odata_store._BUILT}
    assert keys[forms[project, "twin"]] == keys[forms[second, "twin"]]
    for (form_id, _), statements in odata_store._BUILT.items():
        assert _cached_forms(statements) == {form_id}
    # The twin of the first project republished with other fields, between keep rounds; an edit under each.
    publish(_form(tmp_path, "twin", TWIN_V2.format(version="2")))
    check(same=False)
    edit = f"uuid:{uuid.uuid4()}"
    assert clients[project].post_submission(_twin("twin", edit, "改<", rows=3, deprecated=sent[project, "twin"][0],
                                                  z="新", version="2"), {}).status_code == 201
    keep_all(app, monkeypatch, 3)
    check(same=False)
    keep_all(app, monkeypatch)
    check(same=False)
    v2 = _book(api, bases[project], "twin")
    assert b"\xe6\x96\xb0" in v2["xl/worksheets/sheet1.xml"] and b"1391234567" in v2["xl/worksheets/sheet2.xml"]
    assert len({k for f, k in odata_store._BUILT if f == forms[project, "twin"]}) == 2
    # And back to the first fields: rows kept under them before are the submissions' current ones only where no
    # version came since; an edit in between (under the other fields) is written again.
    publish(_form(tmp_path, "twin", TWIN.format(version="3")))
    second_edit = f"uuid:{uuid.uuid4()}"
    again = _twin("twin", second_edit, "再改", rows=1, deprecated=sent[project, "twin"][1], version="3")
    assert clients[project].post_submission(again, {}).status_code == 201
    check(same=False)
    keep_all(app, monkeypatch, 2)
    check(same=False)
    keep_all(app, monkeypatch)
    check(same=False)
    for (form_id, _), statements in odata_store._BUILT.items():
        assert _cached_forms(statements) == {form_id}
    # Every kept Excel row is under its form's current key, or is never read.
    from app.core.tables import tables
    from app.queries.export_lines import SHEET, layout_key
    current = {i: layout_key(tables(x, s), list(s.get("repeats", [])), SHEET)
               for i, x, s in _sql(app, "SELECT f.id, f.xml_form_id, v.schema FROM form f "
                                        "JOIN form_version v ON v.id = f.current_version_id")}
    kept = _sql(app, "SELECT s.form_id, r.writer_key, r.version_id = s.current_version_id FROM odata_row r "
                     "JOIN submission s ON s.id = r.submission_id WHERE r.table_path LIKE 'xlsx:%'")
    assert kept and all(key == current[f] and fresh for f, key, fresh in kept)


def test_the_cache_is_not_fooled_by_a_form_whose_fields_come_back_in_another_order(
        app, live_server, project, publish, editor, api, tmp_path, monkeypatch):
    """Two columns swapped keep every header and path but not the order: another key, not the kept rows."""
    swapped = TWIN.replace("| | text | a | A |\n| | begin_repeat | r | R |\n| | text | b | B |",
                           "| | text | a | A |\n| | text | a2 | A2 |\n| | begin_repeat | r | R |\n| | text | b | B |")
    publish(_form(tmp_path, "twin", swapped.format(version="1")))
    for n in range(4):
        xml = _twin("twin", f"uuid:{uuid.uuid4()}", f"v{n}", rows=n).replace(b"</a>", f"</a><a2>w{n}</a2>".encode())
        assert editor.post_submission(xml, {}).status_code == 201
    readers = {"administrator": api}
    base = f"{live_server}/v1/projects/{project}"
    keep_all(app, monkeypatch)
    _compare(readers, base, "twin", monkeypatch)
    back = swapped.replace("| | text | a | A |\n| | text | a2 | A2 |", "| | text | a2 | A2 |\n| | text | a | A |")
    publish(_form(tmp_path, "twin", back.format(version="2")))
    got = _compare(readers, base, "twin", monkeypatch)
    _same_as_reference(got[("administrator", ())], app, project, "twin", True)
    keep_all(app, monkeypatch)
    got = _compare(readers, base, "twin", monkeypatch)
    _same_as_reference(got[("administrator", ())], app, project, "twin", True)


# ---------------------------------------------------------------------------------------------------------------
# A table past a sheet's rows goes on into further sheets; exports while the keeper forgets and keeps again.

def test_a_table_cut_into_sheets_is_the_same_kept_or_not(app, live_server, project, api, readers, odd, monkeypatch):
    from app.formats import xlsx
    from app.services.submissions import exports as service
    monkeypatch.setattr(service, "workbook", functools.partial(xlsx.workbook, max_rows=4))
    base = f"{live_server}/v1/projects/{project}"
    before = _compare(readers, base, "odd_xlsx", monkeypatch)
    keep_all(app, monkeypatch, 5)
    assert _compare(readers, base, "odd_xlsx", monkeypatch) == before
    keep_all(app, monkeypatch)
    book = _compare(readers, base, "odd_xlsx", monkeypatch)
    assert book == before
    import openpyxl
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in book[("administrator", ())].items():
            archive.writestr(name, data)
    opened = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
    names = opened.sheetnames
    parts = [n for n in names if n == "odd_xlsx" or n.startswith("odd_xlsx (")]
    assert parts[:3] == ["odd_xlsx", "odd_xlsx (2)", "odd_xlsx (3)"]
    assert sum(len(list(opened[n].iter_rows())) - 1 for n in parts) == len(odd)     # a header on each
    assert all(len(list(opened[n].iter_rows())) <= 4 for n in names)
    opened.close()


def test_excel_exports_while_keeping_are_the_same(app, live_server, project, api, readers, odd, monkeypatch):
    from app.services.submissions import odata_store
    base = f"{live_server}/v1/projects/{project}"
    with monkeypatch.context() as m:
        _live_only(m)
        expected = {role: _book(s, base, "odd_xlsx") for role, s in readers.items()}
    monkeypatch.setattr(odata_store, "SETTLE", odata_store.timedelta(0))
    stop, errors = threading.Event(), []

    def keeper():
        try:
            with app.app_context():
                while not stop.is_set():
                    odata_store.forget_kept()
                    while odata_store.keep_due(max_submissions=5) and not stop.is_set():
                        pass
        except Exception as error:      # noqa: BLE001
            errors.append(repr(error))
    thread = threading.Thread(target=keeper)
    thread.start()
    try:
        for _ in range(3):
            for role, session in readers.items():
                assert _book(session, base, "odd_xlsx") == expected[role], role
    finally:
        stop.set()
        thread.join()
    assert not errors


# ---------------------------------------------------------------------------------------------------------------
# What it found (mended: formats/xlsx.py sheet_name and EXCEL_ESCAPE_START, queries/exports.py sheet_cell). Not the
# kept rows' doing (live and kept rows are the same bytes); the sheet XML itself.

def test_a_text_holding_excels_escape_reads_as_sent(app, live_server, project, publish, editor, api, tmp_path,
                                                     monkeypatch):
    from openpyxl.utils.escape import unescape  # how Excel reads an ST_Xstring
    publish(_form(tmp_path, "odd_xlsx", ODD))
    sent = "代码 _x0041_ _x000D_ _X4E2D_"
    assert editor.post_submission(_odd(f"uuid:{uuid.uuid4()}", 0).replace(
        "&amp;&lt;&gt;\"'".encode(), sent.encode()), {}).status_code == 201
    keep_all(app, monkeypatch)
    sheet = _book(api, f"{live_server}/v1/projects/{project}", "odd_xlsx")["xl/worksheets/sheet1.xml"].decode()
    import re
    texts = [unescape(t) for t in re.findall(r'<t xml:space="preserve">([^<]*)</t>', sheet)]
    assert sent in texts


def _sheet_names(app, live_server, project, publish, editor, api, tmp_path, form_id, repeats):
    body = "\n".join(f"| | begin_repeat | {r} | {r} |\n| | text | v_{i} | V |\n| | end_repeat |"
                     for i, r in enumerate(repeats))
    publish(_form(tmp_path, "long", f"""
| survey |
| | type | name | label |
| | text | a | A |
{body}

| settings |
| | form_title | form_id | version |
| | 长 | {form_id} | 1 |
"""))
    reps = "".join(f"<{r}><v_{i}>x</v_{i}></{r}>" for i, r in enumerate(repeats))
    assert editor.post_submission(f'<data id="{form_id}" version="1"><a>a</a>{reps}<meta><instanceID>'
                                  f"uuid:{uuid.uuid4()}</instanceID></meta></data>".encode(), {}).status_code == 201
    book = _book(api, f"{live_server}/v1/projects/{project}", form_id)
    import re
    return re.findall(r'<sheet name="([^"]*)"', book["xl/workbook.xml"].decode())


def test_two_repeats_cut_to_31_characters_get_two_sheet_names(app, live_server, project, publish, editor, api,
                                                              tmp_path):
    names = _sheet_names(app, live_server, project, publish, editor, api, tmp_path, "fpf_hh_screening",
                         ["member_health_records", "member_health_visits"])
    assert len({n.lower() for n in names}) == len(names), names


def test_repeats_differing_in_case_get_two_sheet_names(app, live_server, project, publish, editor, api, tmp_path):
    names = _sheet_names(app, live_server, project, publish, editor, api, tmp_path, "case_f", ["Plot", "plot"])
    assert len({n.lower() for n in names}) == len(names), names


@pytest.mark.parametrize("form_id", ["History", "'quoted'"])
def test_a_form_id_excel_cannot_name_a_sheet_with_is_changed(app, live_server, project, publish, editor, api,
                                                              tmp_path, form_id):
    [name, *_] = _sheet_names(app, live_server, project, publish, editor, api, tmp_path, form_id, ["r"])
    assert name.lower() != "history" and not name.startswith("'") and not name.endswith("'"), name
