"""Submission XML from outside, over OpenRosa: read when it can be read (surrogate references, other
root names, unusable numbers, answers too long for the registry), refused in OpenRosa XML when it
cannot (encodings, size, identifiers too long), and never a 500 or a partial record."""
import hashlib
import time
import unicodedata
from datetime import date

import pytest
from sqlalchemy import text

from app.core import idcard
from demo.submissions import water_xml
from tests.conftest import REPO
from tests.support.households import member_xml, screening_xml
from tests.support.registry import cover_test_villages, load_registry

DATA = REPO / "tests" / "data" / "bad_submissions"
SCREENING = REPO / "forms" / "fpf_hh_screening.md"
WATER = REPO / "forms" / "fpf_water.md"
PHOTO = b"jpeg bytes for root test\n"
# Every table a submission writes to: after a refusal none of them may hold a row.
STORED = ("submission", "submission_version", "submission_attachment", "geo_answer", "risk_flag",
          "submission_assessment")


def _query(app, sql: str, **params):
    from app.extensions import db
    with app.app_context():
        return db.session.execute(text(sql), params).all()


def _nothing_stored(app) -> bool:
    return all(_query(app, f"SELECT count(*) FROM {table}")[0][0] == 0 for table in STORED)


def _assert_refused(app, response, status: int, *phrases: str):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("text/xml")
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert '<message nature="error">' in response.text
    for phrase in phrases:
        assert phrase in response.text
    assert _nothing_stored(app)


def _flags(app) -> dict[str, dict]:
    return {row.code: row.inputs for row in _query(app, "SELECT code, inputs FROM risk_flag")}


def _answers(app) -> dict:
    [(answers,)] = _query(app, "SELECT answers FROM submission_version")
    return answers


# Bug report 02: emoji as two surrogate references (older Collect).

def test_emoji_written_as_surrogate_references_is_read_as_the_character(app, publish, device):
    publish(DATA / "br02_emoji.md")
    xml = (b"<?xml version='1.0' ?><data id=\"br02_emoji\" version=\"1\"><name>Voi &#55357;&#56966; station."
           b"</name><age>31</age><meta><instanceID>uuid:0b1e7c52-5c1b-4b8e-9d63-1a0f02020202</instanceID>"
           b"</meta></data>")
    assert device.post_submission(xml).status_code == 201
    [(stored, answers)] = _query(app, "SELECT xml, answers FROM submission_version")
    assert bytes(stored) == xml                                   # kept verbatim
    assert answers == {"name": "Voi \U0001F686 station.", "age": 31, "meta": {
        "instanceID": "uuid:0b1e7c52-5c1b-4b8e-9d63-1a0f02020202"}}


def test_a_lone_surrogate_reference_is_read_as_the_replacement_character(app, publish, device):
    publish(DATA / "br02_emoji.md")
    xml = (b'<data id="br02_emoji" version="1"><name>a&#xD83D;b</name>'
           b"<meta><instanceID>uuid:1</instanceID></meta></data>")
    assert device.post_submission(xml).status_code == 201
    assert _answers(app)["name"] == "a\ufffdb"


# Bug report 17: a root element named otherwise than the form's.

def test_a_root_named_after_the_form_is_read_like_the_forms_own_root(app, publish, device):
    publish(DATA / "br17_root.md")
    rows = {}
    for root, number in (("data", "1727"), ("br17_root", "1717")):
        instance = f"uuid:17171717-0000-4000-8000-00000000{number}"
        xml = (f'<?xml version="1.0"?>\n<{root} id="br17_root" version="2"><name>Feng Jun</name>'
               f"<hh_size>4</hh_size><gps>30.59 114.30 20 4.5</gps><photo>1700000000001.jpg</photo>"
               f"<meta><instanceID>{instance}</instanceID></meta></{root}>").encode()
        assert device.post_submission(xml, {"1700000000001.jpg": PHOTO}).status_code == 201
        [rows[root]] = _query(app, """
            SELECT v.answers, v.problems,
                (SELECT array_agg(a.name || '=' || coalesce(a.blob_sha256, '-')) FROM submission_attachment a
                 WHERE a.submission_version_id = v.id) AS attachments,
                (SELECT array_agg(g.field_path || ' ' || ST_AsText(g.geom)) FROM geo_answer g
                 WHERE g.submission_version_id = v.id) AS geo
            FROM submission_version v WHERE v.instance_id = :instance""", instance=instance)
    control, other = rows["data"], rows["br17_root"]
    assert other.answers["hh_size"] == 4 and other.problems == []
    assert other.attachments == [f"1700000000001.jpg={hashlib.sha256(PHOTO).hexdigest()}"]
    assert other.geo == ["/data/gps POINT(114.3 30.59)"]
    assert {**other.answers, "meta": None} == {**control.answers, "meta": None}
    assert (other.attachments, other.geo) == (control.attachments, control.geo)


# Reliability 03 and 06: numbers that are not finite or do not fit.

@pytest.mark.parametrize("age", ["inf", "1e400", "nan", "1" + "0" * 400])
def test_an_unusable_member_age_is_stored_with_a_data_flag(app, project, publish, device, age):
    load_registry(app, project)
    publish(SCREENING)
    xml = screening_xml(members=(member_xml("王五", "head", age=age), member_xml("王小五", "son", age="24")))
    assert device.post_submission(xml).status_code == 201
    assert _answers(app)["member"][0]["m_age"] == age                # text, as sent
    shown = age[:60] + "…" * (len(age) > 60)
    assert _flags(app)["age_unreadable"] == {"members": [{"member": 1, "m_age": shown}]}


@pytest.mark.parametrize("field", ["inc_wage", "exp_med"])
@pytest.mark.parametrize("value", ["1e400", "inf", "nan", "9" * 400])
def test_an_unusable_decimal_is_kept_as_text_with_a_problem_and_a_data_flag(app, project, publish, device,
                                                                           field, value):
    load_registry(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(**{field: value})).status_code == 201
    [(answers, problems)] = _query(app, "SELECT answers, problems FROM submission_version")
    assert answers["inc_g"][field] == value
    assert [p["path"] for p in problems] == [f"/data/inc_g/{field}"]
    assert "income_unreadable" in _flags(app)


@pytest.mark.parametrize("days", ["1" + "0" * 400, "1e400", "inf", str(2**53)])
def test_an_integer_that_does_not_fit_is_kept_as_text_with_a_data_flag(app, project, publish, device, days):
    load_registry(app, project)
    publish(WATER)
    xml = water_xml("uuid:06060606-0000-4000-8000-000000000006", village="420102001001", household="H001",
                    gps="30.59 114.31 40 5", qty_lpcd="40", outage_days=days)
    assert device.post_submission(xml).status_code == 201
    [(answers, problems, typeof)] = _query(app, "SELECT answers, problems, "
                                                "jsonb_typeof(answers->'reliability_g'->'outage_days') "
                                                "FROM submission_version")
    assert answers["reliability_g"]["outage_days"] == days and typeof == "string"
    assert [p["path"] for p in problems] == ["/data/reliability_g/outage_days"]
    assert "water_unreadable" in _flags(app)


# Reliability 07: a new household whose answers do not fit the registry.

@pytest.mark.parametrize("answers,field", [
    ({"head_name": "名" * 101}, "head_name"),
    ({"head_idno": "4" * 19}, "head_idno"),
])
def test_a_new_household_that_does_not_fit_the_registry_is_stored_flagged_and_not_registered(
        app, project, publish, device, answers, field):
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    registered = _query(app, "SELECT count(*) FROM household")[0][0]
    assert device.post_submission(screening_xml(household="new", **answers)).status_code == 201
    assert _query(app, "SELECT count(*) FROM household")[0][0] == registered
    assert _query(app, "SELECT household_id FROM submission") == [(None,)]
    [(inputs,)] = _query(app, "SELECT inputs FROM risk_flag WHERE code = 'registry_value_too_long'")
    assert [f["field"] for f in inputs["fields"]] == [field] and inputs["registered"] is False
    assert "4444" not in str(inputs)                                   # never the ID number itself


def test_a_new_household_that_fits_is_registered(app, project, publish, device):
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    idno = idcard.make("420102", date(1980, 1, 2), 5)
    xml = screening_xml(household="new", head_name="名" * 100, head_idno=idno, monitor_status="edge")
    assert device.post_submission(xml).status_code == 201
    assert _query(app, "SELECT head_name, head_idno, status FROM household WHERE household_code LIKE 'N%'") == [
        ("名" * 100, idno, "monitored")]
    assert "registry_value_too_long" not in _flags(app)


@pytest.mark.parametrize("answers", [{"poverty_status": "x" * 21}, {"monitor_status": "y" * 21},
                                     {"poverty_status": "x", "monitor_status": "y"}])
def test_a_status_the_form_does_not_have_never_reaches_the_registry(app, project, publish, device, answers):
    """Only the form's own codes are written (app.core.household_standing), whatever their length."""
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(**answers)).status_code == 201
    from app.services.monitoring.assess import new_household_code
    new = "uuid:aaaaaaaa-0000-4000-8000-000000000099"
    assert device.post_submission(screening_xml(new, household="new", **answers)).status_code == 201
    new_status = None if "monitor_status" in answers else "none"      # the screening's default answer
    new_poverty = None if "poverty_status" in answers else "lifted"
    assert _query(app, "SELECT household_code, poverty_status, status FROM household ORDER BY 1") == [
        ("H001", "lifted", None), ("H002", "ordinary", None), (new_household_code(new), new_poverty, new_status)]


# Reliability 08: encoding declarations other than UTF-8 / UTF-16.

@pytest.mark.parametrize("encoding,codec", [("bogus", "utf-8"), ("utf-7", "utf-8"), ("ISO-8859-1", "latin-1"),
                                            ("windows-1252", "cp1252"), ("GBK", "gbk")])
def test_other_encodings_are_refused_as_unreadable(app, publish, device, encoding, codec):
    publish(DATA / "br02_emoji.md")
    xml = (f'<?xml version="1.0" encoding="{encoding}"?><data id="br02_emoji" version="1"><name>é中</name>'
           "<meta><instanceID>uuid:08</instanceID></meta></data>").encode(codec, errors="replace")
    _assert_refused(app, device.post_submission(xml), 400, "could not be read", "encoding")


def test_a_utf16_submission_is_read_and_kept_as_sent(app, publish, device):
    publish(DATA / "br02_emoji.md")
    xml = ('<?xml version="1.0" encoding="UTF-16"?><data id="br02_emoji" version="1"><name>张三</name>'
           "<meta><instanceID>uuid:16</instanceID></meta></data>").encode("utf-16")
    assert device.post_submission(xml).status_code == 201
    [(stored, name)] = _query(app, "SELECT xml, answers->>'name' FROM submission_version")
    assert bytes(stored) == xml and name == "张三"


# Reliability 14: many elements.

def _siblings(count: int) -> bytes:
    return (b'<data id="br02_emoji" version="1"><name>x</name>' + b"<n>x</n>" * count
            + b"<meta><instanceID>uuid:14</instanceID></meta></data>")


def test_more_elements_than_the_cap_are_refused_with_413_at_once(app, publish, device):
    publish(DATA / "br02_emoji.md")
    assert app.config["MAX_SUBMISSION_ELEMENTS"] == 100_000
    started = time.perf_counter()
    response = device.post_submission(_siblings(600_000))            # 4.8 MB, under the body limit
    elapsed = time.perf_counter() - started
    _assert_refused(app, response, 413, "100000 elements")
    assert elapsed < 5, elapsed


def test_many_repeated_elements_under_the_cap_are_stored_in_linear_time(app, publish, device):
    publish(DATA / "br02_emoji.md")
    started = time.perf_counter()
    assert device.post_submission(_siblings(99_000)).status_code == 201    # was 12 s: quadratic
    elapsed = time.perf_counter() - started
    assert elapsed < 5, elapsed
    assert len(_answers(app)["n"]) == 99_000


# Identifiers longer than their columns: 400.13, naming the field (never a 500 Collect retries forever).

def _with_meta(instance_id: str, deprecated_id: str | None = None) -> bytes:
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    return (f'<data id="br02_emoji" version="1"><name>x</name><meta><instanceID>{instance_id}</instanceID>'
            f"{deprecated}</meta></data>").encode()


def test_an_instance_id_longer_than_its_column_is_refused_naming_it(app, publish, device):
    publish(DATA / "br02_emoji.md")
    _assert_refused(app, device.post_submission(_with_meta("uuid:" + "a" * 296)), 400,
                    "instanceID is 301 characters long", "at most 300")
    assert device.post_submission(_with_meta("uuid:" + "a" * 295)).status_code == 201    # 300 fit


def test_a_deprecated_id_longer_than_its_column_is_refused_naming_it(app, publish, device):
    publish(DATA / "br02_emoji.md")
    _assert_refused(app, device.post_submission(_with_meta("uuid:2", "uuid:" + "b" * 300)), 400,
                    "deprecatedID is 305 characters long", "at most 300")


def test_a_device_id_longer_than_its_column_is_refused_naming_it(app, publish, device):
    publish(DATA / "br02_emoji.md")
    device.device_id = "collect:" + "c" * 293
    _assert_refused(app, device.post_submission(_with_meta("uuid:3")), 400,
                    "device ID is 301 characters long", "at most 300")


# Identifiers are compared in Unicode NFC, and stored so.

def test_identifiers_are_compared_and_stored_in_nfc(app, publish, device, editor):
    publish(DATA / "nfc_form.md")
    composed, decomposed = "café", unicodedata.normalize("NFD", "café")
    first = (f'<data id="{decomposed}" version="v1"><name>x</name><meta><instanceID>uuid:{decomposed}'
             "</instanceID></meta></data>").encode()
    assert device.post_submission(first).status_code == 201            # the form's id, written otherwise
    assert device.post_submission(first).status_code == 201            # a resend, not a new record
    edit = (f'<data id="{composed}" version="v1"><name>y</name><meta><instanceID>uuid:edit</instanceID>'
            f"<deprecatedID>uuid:{composed}</deprecatedID></meta></data>").encode()
    assert editor.post_submission(edit).status_code == 201             # finds what it edits
    assert _query(app, "SELECT instance_id FROM submission") == [(f"uuid:{composed}",)]
    assert _query(app, "SELECT instance_id, deprecated_id FROM submission_version ORDER BY id") == [
        (f"uuid:{composed}", None), ("uuid:edit", f"uuid:{composed}")]


@pytest.mark.parametrize("where", ["beside the form's own", "next to it"])
def test_an_answer_given_twice_is_used_in_neither_place(app, project, publish, device, where):
    """A second <village> beside the form's (found by the attack test) made the server count a submission
    in another village than the one its form field names: a name given twice is ambiguous, flagged."""
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    xml = screening_xml("uuid:aaaaaaaa-0000-4000-8000-0000000000d1", household="H001")
    extra = b"<village>420102001002</village>"
    if where == "next to it":
        xml = xml.replace(b"<village>420102001001</village>", b"<village>420102001001</village>" + extra)
    else:
        xml = xml.replace(b"</data>", extra + b"</data>")
    assert xml.count(b"<village>") == 2
    assert device.post_submission(xml, {}).status_code == 201
    [(village, household)] = _query(app, "SELECT a.admin_code, h.household_code FROM submission_assessment a "
                                         "JOIN household h ON h.id = a.household_id")
    assert (village, household) == ("420102001001", "H001")     # the household's own village
    ambiguous = _query(app, "SELECT inputs FROM risk_flag WHERE code = 'answer_ambiguous'")
    # Beside the form's own it is a second answer; next to it, one answer given twice, read as none.
    assert ambiguous == ([({"names": ["village"]},)] if where == "beside the form's own" else [])
