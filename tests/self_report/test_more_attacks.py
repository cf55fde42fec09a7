"""More attacks on the residents' self-report door (issue 14), beyond tests/self_report/test_attacks.py. A test
marked xfail (strict) is a finding, its reason saying what is wrong; the others held."""
import struct
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import requests

from app.core import idcard
from tests.self_report.test_attacks import _console, _lead_of, _sid, _stored
from tests.support.self_report import PNG, make_link, post_report, report_xml


@pytest.fixture()
def link(app, publish, demo_county, monkeypatch):
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=500,
                                                              per_address_minute=500, per_address_day=500,
                                                              per_link_minute=500))
    return make_link(app, publish, demo_county)


# --- 1. One page's stamp opens three reports ---------------------------------------------------------------------

def test_a_stamp_written_with_leading_zeros_is_the_same_stamp(app, live_server, link):
    from app.core.fill_time import render_stamp
    stamp = render_stamp("test-secret", link.id, int(time.time()) - 60)
    codes = [post_report(live_server, link, report_xml(link.version, phone=f"1390000{n:04d}"),
                         dixian_stamp="0" * n + stamp).status_code for n in range(3)]
    assert codes == [201, 400, 400], codes


# --- 2. The same household typed with a Chinese IME's full-width digits ------------------------------------------

FULL_WIDTH = {ord(d): chr(ord(d) - ord("0") + ord("０")) for d in "0123456789"}


def test_full_width_digits_join_the_same_lead(app, live_server, link):
    _sid(post_report(live_server, link, report_xml(link.version, phone="13800138000")))
    _sid(post_report(live_server, link, report_xml(link.version, phone="13800138000".translate(FULL_WIDTH))))
    assert _stored(app, "SELECT count(*), sum(reports) FROM lead") == [(1, 2)]


def test_a_registry_member_with_a_small_x_matches_the_lead(app, live_server, demo_county, link):
    from app.services.registry.imports import import_households
    granny, n = idcard.make("429901", date(1941, 3, 8), 2), 2
    while not granny.endswith("X"):
        n += 1
        granny = idcard.make("429901", date(1941, 3, 8), n)
    members = f'"[{{""name"": ""王奶奶"", ""relation"": ""parent"", ""idno"": ""{granny[:-1]}x""}}]"'
    with app.app_context():
        import_households(demo_county, "more.csv", ("household_id,village,head_name,poverty_status,members\n"
                                                    f"H9000001,429901001001,王大,ordinary,{members}\n").encode())
    lead = _lead_of(app, _sid(post_report(live_server, link, report_xml(link.version, idno=granny))))
    manager, _ = _console(app, demo_county, "manager", ["429901001000"])
    page = manager.get(f"{live_server}/projects/{demo_county}/leads/{lead}", timeout=10).text
    matches = page[page.index('id="matches"'):]
    assert "H9000001" in matches


# --- 3. A decompression bomb passes as a photo ------------------------------------------------------------------

def _blank_png(width: int, height: int) -> bytes:
    """An 8-bit RGBA PNG of zeros, written row by row (a few hundred KB for tens of millions of pixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    packer, row, body = zlib.compressobj(9), b"\0" * (1 + width * 4), []
    for _ in range(height):
        body.append(packer.compress(row))
    body.append(packer.flush())
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", b"".join(body)) + chunk(b"IEND", b""))


def test_a_photo_of_tens_of_millions_of_pixels_is_refused(app, live_server, link):
    bomb = _blank_png(7000, 7000)
    assert len(bomb) < 300_000
    answer = post_report(live_server, link, report_xml(link.version, photo="bill.png"), {"bill.png": bomb})
    assert answer.status_code in (400, 413), answer.status_code
    assert _stored(app, "SELECT count(*) FROM lead") == [(0,)]


# --- 4. An ID number typed into the story --------------------------------------------------------------------------

def test_an_id_number_in_the_story_is_masked_for_a_viewer(app, live_server, demo_county, link):
    story = "户主身份证号429901197212156394,电话13800138000,家人住院"
    lead = _lead_of(app, _sid(post_report(live_server, link, report_xml(link.version, story=story))))
    viewer, _ = _console(app, demo_county, "viewer", ["429901001000"])
    page = viewer.get(f"{live_server}/projects/{demo_county}/leads/{lead}", timeout=10).text
    assert "429901197212156394" not in page and "13800138000" not in page


# --- What held ------------------------------------------------------------------------------------------------------

XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'><svg onload=alert(3)>{{7*7}}'


def test_markup_in_answers_is_text_in_the_inbox_and_the_lead_page(app, live_server, demo_county, link):
    from xml.sax.saxutils import escape
    lead = _lead_of(app, _sid(post_report(live_server, link, report_xml(
        link.version, name=escape(XSS), story=escape(XSS), photo="a.png"), {"a.png": PNG})))
    [(story,)] = _stored(app, "SELECT answers->>'story' FROM submission_version WHERE answers ? 'story'")
    assert story == XSS
    manager, _ = _console(app, demo_county, "manager", ["429901001000"])
    for url in (f"/projects/{demo_county}/leads", f"/projects/{demo_county}/leads/{lead}"):
        page = manager.get(live_server + url, timeout=10)
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img src=x" not in page.text and "<svg onload" not in page.text


def test_the_thanks_page_shows_the_reference_only(app, live_server, demo_county, publish, link):
    other = make_link(app, publish, demo_county, village="429901002001")
    theirs = _sid(post_report(live_server, other, report_xml(other.version, village="429901002001",
                                                             name="李秘密", story="别村的秘密")))
    page = requests.get(f"{live_server}/f/{link.token}/thanks", params={"ref": f"SR-{theirs}"}, timeout=10).text
    assert "李秘密" not in page and "别村的秘密" not in page and "13800138000" not in page
    odd = requests.get(f"{live_server}/f/{link.token}/thanks", params={"ref": "<script>x</script>"}, timeout=10)
    assert odd.status_code == 200 and "<script>x" not in odd.text


def test_a_revoked_link_refuses_a_page_opened_before(app, live_server, demo_county, link):
    from app.services.self_report.links import revoke_links
    assert requests.get(f"{live_server}/f/{link.token}", timeout=10).status_code == 200
    with app.app_context():
        revoke_links(demo_county, [link.id])
    assert post_report(live_server, link, report_xml(link.version)).status_code == 410
    assert requests.get(f"{live_server}/f/{link.token}", timeout=10).status_code == 410
    assert _stored(app, "SELECT count(*) FROM lead") == [(0,)]


def test_the_address_limit_holds_under_a_burst(app, live_server, demo_county, publish, monkeypatch):
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=500,
                                                              per_address_minute=3, per_link_minute=500))
    link = make_link(app, publish, demo_county)
    while time.gmtime().tm_sec > 45:          # one minute's window for the whole burst
        time.sleep(1)
    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(lambda n: post_report(live_server, link, report_xml(
            link.version, phone=f"1370000{n:04d}")).status_code, range(10)))
    assert sorted(codes) == [201] * 3 + [429] * 7, codes
    assert _stored(app, "SELECT count(*) FROM lead") == [(3,)]


def test_a_manager_of_another_township_decides_nothing_here(app, live_server, demo_county, link):
    lead = _lead_of(app, _sid(post_report(live_server, link, report_xml(link.version))))
    other, csrf = _console(app, demo_county, "manager", ["429901002000"])
    for decision in ({"decision": "accept"}, {"decision": "reject", "reason": "x"},
                     {"decision": "merge", "into": str(lead)}):
        answer = other.post(f"{live_server}/projects/{demo_county}/leads/{lead}/decision", timeout=10,
                            data={"csrf_token": csrf, **decision}, allow_redirects=False)
        assert answer.status_code == 404
    assert lead_not_in(other.get(f"{live_server}/projects/{demo_county}/leads", timeout=10).text, lead)
    assert _stored(app, "SELECT state FROM lead WHERE id = :id", id=lead) == [("new",)]


def lead_not_in(listing: str, lead: int) -> bool:
    return f'data-lead="{lead}"' not in listing


def test_reference_numbers_read_nothing_back(app, live_server, link):
    """The JSON answer to a report is its reference and thanks URL only: nothing of a lead it joined."""
    first = post_report(live_server, link, report_xml(link.version, phone="13600136000")).json()
    second = post_report(live_server, link, report_xml(link.version, phone="13600136000")).json()
    assert set(first) == set(second) == {"reference", "thanks"}
    assert _stored(app, "SELECT count(*) FROM lead") == [(1,)]
