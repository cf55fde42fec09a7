import pytest

from app.core.instance import SubmissionInvalid, read_answers, read_envelope


def test_orx_meta_and_version_are_read_by_local_name():
    xml = (b'<data xmlns:orx="http://openrosa.org/xforms" id="f" orx:version="1.0">'
           b'<orx:meta><orx:instanceID>uuid:1</orx:instanceID></orx:meta></data>')
    envelope = read_envelope(xml, max_bytes=10_000)
    assert (envelope.form_id, envelope.version, envelope.instance_id) == ("f", "1.0", "uuid:1")


def test_deprecated_id_and_instance_name():
    xml = (b"<?xml version='1.0' ?><data id='f'><meta><instanceID>uuid:2</instanceID>"
           b"<instanceName>Wang</instanceName><deprecatedID>uuid:1</deprecatedID></meta></data>")
    envelope = read_envelope(xml, max_bytes=10_000)
    assert envelope.deprecated_id == "uuid:1" and envelope.instance_name == "Wang"


def test_missing_instance_id_is_derived_from_the_bytes_so_resends_match():
    xml = b'<stats id="a"><x>1</x></stats>'
    first, second = read_envelope(xml, max_bytes=100), read_envelope(xml, max_bytes=100)
    assert first.instance_id == second.instance_id and first.instance_id_derived
    assert read_envelope(b'<stats id="a"><x>2</x></stats>', max_bytes=100).instance_id != first.instance_id


def test_encrypted_submission_needs_an_instance_id():
    with pytest.raises(SubmissionInvalid):
        read_envelope(b'<data id="f" encrypted="yes" xmlns="http://www.opendatakit.org/xforms/encrypted"/>',
                      max_bytes=1000)


@pytest.mark.parametrize("xml", [b"", b"<a>", b'<!DOCTYPE x []><data id="f"/>', b"<data/>",
                                 b"<d id='f'>" + b"<g>" * 100 + b"</g>" * 100 + b"</d>"])
def test_unreadable_submissions_raise_a_clear_error(xml):
    with pytest.raises(SubmissionInvalid):
        read_envelope(xml, max_bytes=100_000)


def test_oversized_xml_is_refused():
    with pytest.raises(SubmissionInvalid, match="larger"):
        read_envelope(b'<data id="f">' + b"x" * 2000 + b"</data>", max_bytes=1000)


def test_names_with_dots_and_repeats_named_like_their_child():
    schema = {"fields": [{"path": "/data/gps/gps", "type": "geopoint"},
                         {"path": "/data/children.info/name.first", "type": "string"}],
              "repeats": ["/data/gps"]}
    root = read_envelope(b'<data id="f"><gps><gps>1 2</gps></gps><gps><gps>3 4</gps></gps>'
                         b'<children.info><name.first>Li</name.first></children.info></data>', max_bytes=1000).root
    answers = read_answers(root, schema)
    assert answers.data["gps"] == [{"gps": "1 2"}, {"gps": "3 4"}]
    assert answers.data["children.info"] == {"name.first": "Li"}
    assert [(g.path, g.positions) for g in answers.geo] == [("/data/gps/gps", [1]), ("/data/gps/gps", [2])]


def test_select_multiple_is_a_list_and_bad_decimals_are_reported():
    schema = {"fields": [{"path": "/data/s", "type": "select_multiple"}, {"path": "/data/d", "type": "decimal"},
                         {"path": "/data/i", "type": "int"}]}
    root = read_envelope(b'<data id="f"><s>a b  c</s><d>inf</d><i>7</i></data>', max_bytes=1000).root
    answers = read_answers(root, schema)
    assert answers.data == {"s": ["a", "b", "c"], "d": "inf", "i": 7}
    assert [p["path"] for p in answers.problems] == ["/data/d"]
