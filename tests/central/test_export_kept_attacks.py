"""Attacks on the CSV lines kept ahead of exports (queries/export_lines.py, services/submissions/exports.py), by a
helper who tried to break them: an export, with lines kept in any state, against the same export through the
old path (table_select's cells, for_spreadsheet=True, written by COPY FORMAT csv), through the same HTTP route,
roles and filters; and the two things it found (a name holding U+0001; an export of a campaign cut off)."""
import io
import uuid
import zipfile

import pytest

from tests.central.odata_support import keep_all
from tests.support.pyodk_client import pyodk_as_role


def _form(tmp_path, name, body):
    path = tmp_path / f"{name}.md"
    path.write_text(body, encoding="utf-8")
    return path


def _old_path(m):
    """Patch the export service back to what the parent commit ran: table_select's cells written by COPY."""
    from app.queries.exports import table_select
    from app.services.submissions import exports as service

    def old_lines(table, *, root, repeats, where, show_personal, key, style=None):
        return table_select(table, root=root, repeats=repeats, where=where, show_personal=show_personal,
                            for_spreadsheet=True)
    m.setattr(service, "kept_lines", old_lines)
    m.setattr(service, "_copy_lines", service._copy)


VARIANTS = ({"attachments": "false"}, {"attachments": "false", "encoding": "gb18030"},
            {"attachments": "false", "labels": "zh"})


def _exports(session, base, form, params_list=VARIANTS, extra=()):
    out = {}
    for params in [*params_list, *extra]:
        key = tuple(sorted(params.items()))
        r = session.get(f"{base}/forms/{form}/submissions.csv.zip", params=params, timeout=60)
        if r.status_code != 200:
            out["zip", key] = (r.status_code, r.text)
        else:
            with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
                out["zip", key] = {n: archive.read(n) for n in archive.namelist()}
        r = session.get(f"{base}/forms/{form}/submissions.csv", params=params, timeout=60)
        out["csv", key] = (r.status_code, r.content)
    return out


def _compare(readers, base, form, monkeypatch, extra=()):
    new = {role: _exports(s, base, form, extra=extra) for role, s in readers.items()}
    with monkeypatch.context() as m:
        _old_path(m)
        old = {role: _exports(s, base, form, extra=extra) for role, s in readers.items()}
    for role in readers:
        for key in old[role]:
            assert new[role][key] == old[role][key], (role, key)
    return new


NESTED = "nested_kept"


def _nested(iid, place="x", note="n", device=None, deprecated=None, plots=1):
    meta = f"<instanceID>{iid}</instanceID>" + (f"<deprecatedID>{deprecated}</deprecatedID>" if deprecated else "")
    body = "".join(f"<plot><note>{note}</note><spot>26.1 107.5 900 5</spot>"
                   f"<crop><kg>1.5</kg><buyer_phone>13900000001</buyer_phone></crop></plot>" for _ in range(plots))
    return (f'<data id="{NESTED}" version="1"><place>{place}</place><head_g><head_idno>429901195804195275'
            f'</head_idno><size>3</size></head_g>{body}<meta>{meta}</meta></data>').encode()


@pytest.fixture()
def readers(app, live_server, project, api, tmp_path):
    return {"administrator": api, "viewer": pyodk_as_role(app, live_server, project, "viewer", tmp_path).session}


# ---------------------------------------------------------------------------------------------------------------
# U+0001 in a value that does not come from XML. The deviceID query and app users' names refuse control
# characters (app/http/request_text.py, services/accounts/app_users.py); a public link's displayName, given in
# the JSON body of POST .../public-links, is checked for NUL and length only, and is the submitter's name of
# every report sent under the link. COPY wrote it as it was; the kept path strips every U+0001 of the output
# (it is the QUOTE of the new COPY).

def test_a_public_link_name_holding_a_control_character_is_refused(live_server, demo_county, publish, api):
    """The attacker's finding: a link's name (the submitter's name in every export) could hold U+0001, which a
    CSV export's COPY uses as its quote and takes out; such a name is refused now, as a device account's is."""
    from tests.support.self_report import SELF_REPORT
    publish(SELF_REPORT)
    base = f"{live_server}/v1/projects/{demo_county}"
    for name in ("海报\u0001一", "海报\n一", "海报\u001b[31m"):
        made = api.post(f"{base}/forms/fpf_self_report/public-links",
                        json={"village": "429901001001", "displayName": name}, timeout=10)
        assert made.status_code == 400 and made.json()["code"] == 400.8, made.text
    assert api.post(f"{base}/forms/fpf_self_report/public-links",
                    json={"village": "429901001001", "displayName": "海报 一"}, timeout=10).status_code == 200


def test_odd_device_ids_are_written_as_before(app, live_server, project, publish, editor,
                                                                     readers, monkeypatch):
    from tests.conftest import REPO
    publish(REPO / "tests" / "data" / "forms" / "nested_kept.md")
    for device in ("a,b", "=cmd|' /C calc'!A0", "-1", "\\.", '"', "@x", " sp "):
        editor.device_id = device
        assert editor.post_submission(_nested(f"uuid:{uuid.uuid4()}"), {}).status_code == 201
    base = f"{live_server}/v1/projects/{project}"
    _compare(readers, base, NESTED, monkeypatch)
    keep_all(app, monkeypatch)
    _compare(readers, base, NESTED, monkeypatch)


# ---------------------------------------------------------------------------------------------------------------
# Odd answers, every kind of column, kept in every state.

ODD = """
| survey |
| | type | name | label |
| | text | t | 文本 |
| | integer | i | 整数 |
| | decimal | d | 小数 |
| | select_multiple ab | sm | 多选 |
| | geopoint | gp | 点 |
| | text | phone | 电话 |
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
| | 怪 | odd_csv | 1 |
"""

TEXTS = ['a"b', "a,b", "a&#13;b", "a\nb", "a&#13;\nb", "\tlead", " lead ", "", "back\\slash", "\\.", "😀 emoji",
         "\u2028\u2029", "=1+1", "+1", "-1", "@x", "'-1", "-1e5", "1,5", '""', ",", "\\N", "NULL", "null",
         "身份证 429901195804195275 电话 13912345678", "a\u00a0b", "\ufeffbom", "𠀀 ext-b", "\u0085nel",
         "\ue000 private", "长" * 50_000, "x" * 3]


def _esc(text):
    return text.replace("<", "&lt;")


def _odd(iid, n):
    t = TEXTS[n % len(TEXTS)]
    outers = ""
    for k in range(n % 3):
        inner = "".join(f"<inner><it>{_esc(TEXTS[(n + k + j) % len(TEXTS)])}</it><ism>a c_1</ism></inner>"
                        for j in range(k + 1))
        outers += f"<outer><ot>{_esc(TEXTS[(n + 7 * k) % len(TEXTS)])}</ot>{inner}<inner/></outer>"
    empty = "<empty_r><e/></empty_r>" if n % 2 else ""
    nums = ["007", "-0", "1e3", "12.50", "-1", "", "99999999999999999999"][n % 7]
    return (f'<data id="odd_csv" version="1"><t>{_esc(t)}</t><i>{nums}</i><d>{nums}</d>'
            f'<sm>{["a b", "", "c_1", " a  b "][n % 4]}</sm><gp>{["26.1 107.5 900 5", "26.1 107.5", "", "x"][n % 4]}'
            f"</gp><phone>{['13912345678', '=13912345678', '+8613912345678', ''][n % 4]}</phone>{outers}{empty}"
            f"<meta><instanceID>{iid}</instanceID></meta></data>").encode()


def test_odd_answers_export_as_before_kept_or_not(app, live_server, project, publish, editor, readers, tmp_path,
                                                  monkeypatch):
    publish(_form(tmp_path, "odd_csv", ODD))
    sent = 0
    for n in range(len(TEXTS) + 3):
        r = editor.post_submission(_odd(f"uuid:{uuid.uuid4()}", n), {})
        assert r.status_code in (201, 400), r.text
        sent += r.status_code == 201
    assert sent > 20
    base = f"{live_server}/v1/projects/{project}"
    _compare(readers, base, "odd_csv", monkeypatch)
    keep_all(app, monkeypatch, 10)
    _compare(readers, base, "odd_csv", monkeypatch)
    keep_all(app, monkeypatch)
    out = _compare(readers, base, "odd_csv", monkeypatch)
    viewer = out["viewer"]["csv", (("attachments", "false"),)][1].decode("utf-8-sig")
    assert "429901195804195275" not in viewer and "13912345678" not in viewer


# ---------------------------------------------------------------------------------------------------------------
# The demo county: roles, a township, filters, and system columns changed after keeping.

def test_demo_county_filters_and_changes_after_keeping(app, live_server, demo_county, editor, api, tmp_path,
                                                        monkeypatch):
    from datetime import date, timedelta

    from tests.central.odata_support import send_screenings, three_readers
    sent = send_screenings(editor, times=2)
    readers = three_readers(app, live_server, demo_county, api, tmp_path)
    base = f"{live_server}/v1/projects/{demo_county}"
    today = date.today()
    filters = ({"attachments": "false", "place": "429901001"}, {"attachments": "false", "reviewState": "rejected"},
               {"attachments": "false", "to": (today - timedelta(days=1)).isoformat()},
               {"attachments": "false", "place": "429901002", "encoding": "gb18030"})
    from sqlalchemy import text as sql

    from app.extensions import db
    with app.app_context():
        flags = [c for (c,) in db.session.execute(sql("SELECT DISTINCT code FROM risk_flag"))]
    filters += tuple({"attachments": "false", "flag": f} for f in flags[:1])
    form = "fpf_hh_screening"
    keep_all(app, monkeypatch, 3)
    _compare(readers, base, form, monkeypatch, filters)
    keep_all(app, monkeypatch)
    out = _compare(readers, base, form, monkeypatch, filters)
    township = out["township"]["csv", (("attachments", "false"),)][1].decode("utf-8-sig")
    assert sent[0] not in township and sent[2] in township
    # A review, a renamed app user, a deleted submission: system columns are the current ones.
    assert api.patch(f"{base}/forms/{form}/submissions/{sent[1]}", json={"reviewState": "rejected"},
                     timeout=10).status_code == 200
    from sqlalchemy import text

    from app.extensions import db
    with app.app_context():
        db.session.execute(text("UPDATE actor SET display_name = '=改名, \"x\"' WHERE kind = 'app_user'"))
        db.session.commit()
    out = _compare(readers, base, form, monkeypatch, filters)
    assert "'=改名" in out["administrator"]["csv", (("attachments", "false"),)][1].decode("utf-8-sig")


# ---------------------------------------------------------------------------------------------------------------
# An edit after keeping, and a republish with changed columns.

NESTED_V2 = """
| survey |
| | type | name | label |
| | text | place | 地点 |
| | begin_group | head_g | 户主 |
| | text | head_idno | 身份证号 |
| | text | size | 人数 |
| | text | extra | 新 |
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


def test_edit_and_republish_after_keeping(app, live_server, project, publish, editor, readers, tmp_path,
                                          monkeypatch):
    from tests.conftest import REPO
    publish(REPO / "tests" / "data" / "forms" / "nested_kept.md")
    ids = [f"uuid:{uuid.uuid4()}" for _ in range(4)]
    for i, iid in enumerate(ids):
        assert editor.post_submission(_nested(iid, place=f"p{i}", note="第一 13912345678", plots=i),
                                      {}).status_code == 201
    base = f"{live_server}/v1/projects/{project}"
    keep_all(app, monkeypatch)
    _compare(readers, base, NESTED, monkeypatch)
    assert editor.post_submission(_nested(f"uuid:{uuid.uuid4()}", place="改", plots=3, deprecated=ids[1]),
                                  {}).status_code == 201
    _compare(readers, base, NESTED, monkeypatch)
    publish(_form(tmp_path, "nested_kept", NESTED_V2))
    _compare(readers, base, NESTED, monkeypatch)
    keep_all(app, monkeypatch)
    _compare(readers, base, NESTED, monkeypatch)


# ---------------------------------------------------------------------------------------------------------------
# Exports while the keeper forgets and writes the lines again, over and over.

def test_exports_while_keeping_are_as_before(app, live_server, project, publish, editor, readers, monkeypatch):
    import threading

    from tests.conftest import REPO
    publish(REPO / "tests" / "data" / "forms" / "nested_kept.md")
    for i in range(30):
        assert editor.post_submission(_nested(f"uuid:{uuid.uuid4()}", place=f"p,{i}", note=f"a\n{i}", plots=i % 4),
                                      {}).status_code == 201
    base = f"{live_server}/v1/projects/{project}"
    with monkeypatch.context() as m:
        _old_path(m)
        old = {role: _exports(s, base, NESTED) for role, s in readers.items()}
    from app.services.submissions import odata_store
    monkeypatch.setattr(odata_store, "SETTLE", odata_store.timedelta(0))
    stop, errors = threading.Event(), []

    def keeper():
        try:
            with app.app_context():
                while not stop.is_set():
                    odata_store.forget_kept()
                    while odata_store.keep_due(max_submissions=7) and not stop.is_set():
                        pass
        except Exception as error:      # noqa: BLE001
            errors.append(repr(error))
    thread = threading.Thread(target=keeper)
    thread.start()
    try:
        for _ in range(4):
            for role, session in readers.items():
                assert _exports(session, base, NESTED) == old[role], role
    finally:
        stop.set()
        thread.join()
    assert not errors


def test_an_export_of_a_campaign_is_written(app, live_server, demo_county, api, monkeypatch):
    """Not the kept lines' doing (the old path fails the same way): conditions()'s campaign filter,
    Form.xml_form_id IN (expanding parameter), compiled by copy_out without render_postcompile, reaches
    PostgreSQL as `IN (__[POSTCOMPILE_xml_form_id_1])`: UndefinedColumn, the stream cut after its 200."""
    from sqlalchemy import text as sql

    from app.extensions import db
    with app.app_context():
        campaign = db.session.scalar(sql("SELECT id FROM campaign"))
    base = f"{live_server}/v1/projects/{demo_county}"
    for old in (True, False):
        with monkeypatch.context() as m:
            if old:
                _old_path(m)
            r = api.get(f"{base}/forms/fpf_hh_screening/submissions.csv",
                        params={"campaign": str(campaign)}, timeout=30)
            assert r.status_code == 200
            assert len(r.content.splitlines()) == 2, old
