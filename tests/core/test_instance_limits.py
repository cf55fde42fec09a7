"""Reading submission XML from outside: encodings, surrogate references, bounds, root names, numbers."""
import gc
import json
import time
import unicodedata

import pytest

from app.core.charrefs import repair_surrogate_references
from app.core.instance import SubmissionInvalid, SubmissionTooLarge, read_answers, read_envelope
from app.core.numbers import JSON_SAFE_INTEGER

TRAIN = "\U0001F686"     # 🚆, which older Collect writes as &#55357;&#56966;


def _text(xml: bytes, **limits) -> str:
    return read_envelope(xml, max_bytes=limits.pop("max_bytes", 10_000_000), **limits).root.find("name").text


# Surrogate references (getodk/javarosa#685): read as the character, a lone half as U+FFFD.

@pytest.mark.parametrize("written,read", [
    ("Voi &#55357;&#56966; station.", f"Voi {TRAIN} station."),
    ("&#xD83D;&#xDE86;", TRAIN),
    ("&#xd83d;&#XDE86;&#x0D83D;&#000056966;", TRAIN * 2),         # case, leading zeros
    ("a&#55357;b", "a\ufffdb"),                                      # lone high half
    ("a&#56966;b", "a\ufffdb"),                                      # lone low half
    ("&#56966;&#55357;", "\ufffd\ufffd"),                            # halves in the wrong order
    ("&#55357;&#55357;&#56966;", "\ufffd" + TRAIN),                  # a lone high half, then a pair
    ("&#55357; &#56966;", "\ufffd \ufffd"),                          # not adjacent: two lone halves
    ("&#55000;&#57344;&#x4E2D;&#20013;", "\ud6d8\ue000中中"),        # near the surrogates, and ordinary
])
def test_surrogate_references_are_read_as_the_character_they_encode(written, read):
    xml = f'<data id="f"><name>{written}</name></data>'.encode()
    assert _text(xml) == read


def test_surrogate_references_in_attributes_and_utf16_documents_are_repaired_too():
    root = read_envelope('<data id="f" note="&#55357;&#56966;"><name>&#55357;&#56966;</name></data>'
                         .encode("utf-16"), max_bytes=10_000).root
    assert root.get("note") == TRAIN and root.find("name").text == TRAIN


def test_cdata_comments_and_processing_instructions_keep_their_literal_text():
    xml = (b'<data id="f"><name><![CDATA[&#55357;&#56966;]]>&#55357;&#56966;<!-- &#55357; -->'
           b'<?pi &#55357;?></name></data>')
    assert _text(xml) == f"&#55357;&#56966;{TRAIN}"


def test_surrogate_repair_is_linear_in_the_size_of_the_text():
    pieces = ("&#55357;&#56966;", "&#55357;", "&#x", "<![CDATA[", "&#20013;", "<!--", "<?")
    for piece in pieces:
        text = "&#" + piece * 200_000     # up to 3 MB of one piece, incl. openers that are never closed
        started = time.perf_counter()
        repair_surrogate_references(text)
        assert time.perf_counter() - started < 3, piece      # quadratic would take minutes


# Encodings: UTF-8 and UTF-16 (and ASCII, a subset of UTF-8); every other declaration is refused.

@pytest.mark.parametrize("declaration,encoding", [
    ("", "utf-8"), ('<?xml version="1.0"?>', "utf-8"), ('<?xml version="1.0" encoding="UTF-8"?>', "utf-8"),
    ("<?xml version='1.0' encoding='utf-8' ?>", "utf-8"), ('<?xml version="1.0" encoding="utf8"?>', "utf-8"),
    ('<?xml version="1.0" encoding="UTF-16"?>', "utf-16"),
    ('<?xml version="1.0" encoding="UTF-16LE"?>', "utf-16-le"),
    ('<?xml version="1.0" encoding="UTF-16BE"?>', "utf-16-be"), ("", "utf-16"),
])
def test_utf8_and_utf16_documents_are_read(declaration, encoding):
    xml = f'{declaration}<data id="f"><name>村民 é</name></data>'.encode(encoding)
    assert _text(xml) == "村民 é"


def test_a_utf8_byte_order_mark_and_an_ascii_declaration_are_read():
    assert _text(b'\xef\xbb\xbf<data id="f"><name>x</name></data>') == "x"
    assert _text(b'<?xml version="1.0" encoding="US-ASCII"?><data id="f"><name>x</name></data>') == "x"


@pytest.mark.parametrize("declared,body", [
    ("bogus", "x"), ("utf-7", "x"), ("UTF-32", "x"), ("", "x"),
    ("ISO-8859-1", "é"), ("latin-1", "é"), ("windows-1252", "é"), ("GBK", "中"), ("GB18030", "中"),
    ("UTF-16", "x"),             # declared, but the bytes are not UTF-16
    ("US-ASCII", "é"),           # declared, but the text is not ASCII
])
def test_other_encoding_declarations_are_refused_as_unreadable(declared, body):
    codec = {"ISO-8859-1": "latin-1", "latin-1": "latin-1", "windows-1252": "cp1252", "GBK": "gbk",
             "GB18030": "gb18030"}.get(declared, "utf-8")
    xml = f'<?xml version="1.0" encoding="{declared}"?><data id="f"><name>{body}</name></data>'.encode(codec)
    with pytest.raises(SubmissionInvalid, match="encod") as e:
        read_envelope(xml, max_bytes=10_000)
    assert not isinstance(e.value, SubmissionTooLarge)


def test_bytes_that_are_not_utf8_are_refused_with_their_position():
    with pytest.raises(SubmissionInvalid, match=r"not valid UTF-8 \(byte 19\)"):
        read_envelope(b'<data id="f"><name>\xff</name></data>', max_bytes=10_000)


# Bounds: elements and attributes are counted while parsing; the existing limits still hold.

def test_the_element_count_is_bounded_while_parsing():
    def xml(n, extra=b""):
        return b'<data id="f">' + b"<n>x</n>" * n + extra + b"</data>"
    read_envelope(xml(999), max_bytes=10**7, max_nodes=1001)      # root and its id, 999 children
    with pytest.raises(SubmissionTooLarge, match="more than 1001 elements and attributes"):
        read_envelope(xml(1000), max_bytes=10**7, max_nodes=1001)
    for extra in (b'<m a="1"/>', b"<!-- c -->", b"<?pi x?>"):      # attributes, comments and PIs count too
        with pytest.raises(SubmissionTooLarge):
            read_envelope(xml(999, extra), max_bytes=10**7, max_nodes=1001)


def test_a_million_elements_are_refused_early_not_after_building_the_tree():
    # The document's end is not well-formed: it is refused as too large, not as malformed, only if the parse
    # stopped at the bound and never read that far.
    body = b'<data id="f">' + b"<n>x</n>" * 1_000_000 + b"</data"      # 8 MB
    # Timed with the garbage collector off: after the rest of the suite its full collections, walking every
    # object the test process holds, took 2-4 s of this (0.2 s alone), a cost of the process, not the parse.
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        with pytest.raises(SubmissionTooLarge):
            read_envelope(body, max_bytes=10_000_000, max_nodes=100_000)
        took = time.perf_counter() - started
    finally:
        gc.enable()
    assert took < 2


def test_depth_size_and_doctype_limits_still_hold():
    with pytest.raises(SubmissionInvalid, match="nested more than 64"):
        read_envelope(b'<data id="f">' + b"<g>" * 64 + b"</g>" * 64 + b"</data>", max_bytes=10**6)
    read_envelope(b'<data id="f">' + b"<g>" * 63 + b"</g>" * 63 + b"</data>", max_bytes=10**6)
    with pytest.raises(SubmissionTooLarge, match="larger than 100 bytes"):
        read_envelope(b'<data id="f">' + b"x" * 100 + b"</data>", max_bytes=100)
    with pytest.raises(SubmissionInvalid, match="DOCTYPE"):
        read_envelope(b'<!DOCTYPE d [<!ENTITY e "x">]><data id="f">&e;</data>', max_bytes=10**6)


def test_repeated_sibling_names_are_read_in_linear_time_and_in_order():
    schema = {"root": "data", "fields": [{"path": "/data/n", "type": "int"}]}
    xml = b'<data id="f">' + b"".join(b"<n>%d</n>" % i for i in range(100_000)) + b"</data>"
    root = read_envelope(xml, max_bytes=10**7).root
    started = time.perf_counter()
    answers = read_answers(root, schema)
    assert time.perf_counter() - started < 3      # was 17 s: every sibling copied the list
    assert answers.data["n"] == list(range(100_000))


def test_a_select_multiple_seen_twice_becomes_a_list_of_its_answers():
    schema = {"root": "data", "fields": [{"path": "/data/s", "type": "select_multiple"}]}
    root = read_envelope(b'<data id="f"><s>a b</s><s>c</s><s>d</s></data>', max_bytes=1000).root
    assert read_answers(root, schema).data["s"] == [["a", "b"], ["c"], ["d"]]


# A root named otherwise than the form's: answers are read relative to it (ODK Central; kpi#3996).

SCHEMA = {"root": "data", "fields": [
    {"path": "/data/name", "type": "string"}, {"path": "/data/hh_size", "type": "int"},
    {"path": "/data/gps", "type": "geopoint"}, {"path": "/data/photo", "type": "binary"},
    {"path": "/data/member/age", "type": "int"}], "repeats": ["/data/member"]}


@pytest.mark.parametrize("root", ["data", "br17_root", "_myform"])
def test_answers_are_read_relative_to_the_root_whatever_it_is_called(root):
    xml = (f'<{root} id="br17_root" version="2"><name>Feng Jun</name><hh_size>4</hh_size>'
           f"<gps>30.59 114.30 20 4.5</gps><photo>1700000000001.jpg</photo><member><age>40</age></member>"
           f"<member><age>x</age></member><meta><instanceID>uuid:1</instanceID></meta></{root}>").encode()
    answers = read_answers(read_envelope(xml, max_bytes=10_000).root, SCHEMA)
    assert answers.data["hh_size"] == 4 and answers.data["member"] == [{"age": 40}, {"age": "x"}]
    assert [(g.path, g.value.geometry.wkt) for g in answers.geo] == [("/data/gps", "POINT (114.3 30.59)")]
    assert answers.files == ["1700000000001.jpg"]
    assert answers.problems == [{"path": "/data/member/age", "positions": [2], "type": "int",
                                 "problem": "not a valid int"}]


# Identifiers are compared in Unicode NFC.

def test_envelope_identifiers_are_given_in_nfc():
    decomposed = unicodedata.normalize("NFD", "café")
    xml = (f'<data id="{decomposed}" version="v{decomposed}"><meta><instanceID>uuid:{decomposed}</instanceID>'
           f"<deprecatedID>uuid:old-{decomposed}</deprecatedID></meta></data>").encode()
    envelope = read_envelope(xml, max_bytes=10_000)
    assert (envelope.form_id, envelope.version, envelope.instance_id, envelope.deprecated_id) == (
        "café", "vcafé", "uuid:café", "uuid:old-café")


# Numbers that are not finite or do not fit are kept as text, with a problem; never as a number.

NUMBER_SCHEMA = {"root": "data", "fields": [{"path": "/data/i", "type": "int"},
                                            {"path": "/data/d", "type": "decimal"}]}


@pytest.mark.parametrize("ftype,written,problem", [
    ("i", "1" + "0" * 400, "beyond ±9007199254740991"), ("i", str(JSON_SAFE_INTEGER + 1), "beyond"),
    ("i", str(-JSON_SAFE_INTEGER - 1), "beyond"), ("i", "1e3", "not a valid int"),
    ("i", "1_000", "not a valid int"),
    ("i", "١٢", "not a valid int"), ("i", "3.0", "not a valid int"),
    ("d", "inf", "not a finite number"), ("d", "-Infinity", "not a finite number"),
    ("d", "nan", "not a finite number"), ("d", "NaN", "not a finite number"),
    ("d", "1e400", "not a finite number"), ("d", "9" * 400, "not a finite number"),
    ("d", "1_000.5", "not a valid decimal"), ("d", "٣.٥", "not a valid decimal"),
    ("d", "0x10", "not a valid decimal"),
])
def test_numbers_that_are_not_finite_or_do_not_fit_are_kept_as_text(ftype, written, problem):
    root = read_envelope(f'<data id="f"><{ftype}>{written}</{ftype}></data>'.encode(), max_bytes=10_000).root
    answers = read_answers(root, NUMBER_SCHEMA)
    assert answers.data == {ftype: written}
    [reported] = answers.problems
    assert reported["path"] == f"/data/{ftype}" and problem in reported["problem"]
    json.dumps(answers.data, allow_nan=False)


@pytest.mark.parametrize("ftype,written,value", [
    ("i", str(JSON_SAFE_INTEGER), JSON_SAFE_INTEGER), ("i", str(-JSON_SAFE_INTEGER), -JSON_SAFE_INTEGER),
    ("i", "+007", 7), ("d", "1.5E-3", 0.0015), ("d", "-.5", -0.5), ("d", "12000.", 12000.0),
    ("d", "1e308", 1e308),
])
def test_numbers_within_bounds_are_typed(ftype, written, value):
    root = read_envelope(f'<data id="f"><{ftype}>{written}</{ftype}></data>'.encode(), max_bytes=10_000).root
    answers = read_answers(root, NUMBER_SCHEMA)
    assert answers.data == {ftype: value} and answers.problems == []
