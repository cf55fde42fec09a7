"""A resident's report POSTed under a public link, as the page sends it (OpenRosa multipart plus the page's
stamp, honeypot and proof of work): taken with the link's village and a lead, or refused with nothing
stored and the refusal counted per link."""
import pytest
import requests
from sqlalchemy import text

from tests.support.self_report import PNG, make_link, post_report, report_xml


def _stored(app, sql: str, **params):
    from app.extensions import db
    with app.app_context():
        return db.session.execute(text(sql), params).all()


@pytest.fixture()
def link(app, publish, demo_county, monkeypatch):
    # More reports from one address than the default asks a proof of work for (the test's all come from one).
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=50,
                                                              per_address_minute=50))
    return make_link(app, publish, demo_county)


def test_a_report_is_stored_with_the_links_village_its_photo_and_a_new_lead(app, live_server, link):
    answer = post_report(live_server, link, report_xml(link.version, photo="1795327975292.png"),
                   {"1795327975292.png": PNG})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    submission_id = int(body["reference"].removeprefix("SR-"))
    assert body["thanks"] == f"/f/{link.token}/thanks?ref={body['reference']}"
    [(village, submitter_kind)] = _stored(app, "SELECT s.admin_code, a.kind FROM submission s JOIN actor a "
                                               "ON a.id = s.submitter_id WHERE s.id = :id", id=submission_id)
    assert (village, submitter_kind) == (link.village, "public_link")
    [(photo,)] = _stored(app, "SELECT blob_sha256 FROM submission_attachment a JOIN submission s "
                              "ON s.current_version_id = a.submission_version_id WHERE s.id = :id", id=submission_id)
    assert photo is not None
    [(state, reports, lead_village)] = _stored(
        app, "SELECT l.state, l.reports, l.village FROM lead l JOIN lead_report r ON r.lead_id = l.id "
             "WHERE r.submission_id = :id", id=submission_id)
    assert (state, reports, lead_village) == ("new", 1, link.village)
    assert _stored(app, "SELECT reports FROM public_link WHERE id = :id", id=link.id) == [(1,)]


def test_the_village_comes_from_the_link_whatever_the_report_names(app, live_server, link):
    answer = post_report(live_server, link, report_xml(link.version, village="429901001002"))
    assert answer.status_code == 201, answer.text
    submission_id = int(answer.json()["reference"].removeprefix("SR-"))
    [(village, answers_village)] = _stored(
        app, "SELECT s.admin_code, v.answers->>'village_code' FROM submission s "
             "JOIN submission_version v ON v.id = s.current_version_id WHERE s.id = :id", id=submission_id)
    assert village == answers_village == link.village
    flags = _stored(app, "SELECT code, inputs->>'village_sent' FROM risk_flag f JOIN submission s "
                         "ON s.current_version_id = f.submission_version_id WHERE s.id = :id", id=submission_id)
    assert ("link_village_mismatch", "429901001002") in flags
    [(xml,)] = _stored(app, "SELECT v.xml FROM submission_version v JOIN submission s ON s.current_version_id = v.id "
                            "WHERE s.id = :id", id=submission_id)
    assert b"<village_code>429901001002</village_code>" in bytes(xml)       # kept as sent


def test_reports_of_the_same_household_join_one_lead(app, live_server, link):
    first = post_report(live_server, link, report_xml(link.version, phone="13800138000"))
    second = post_report(live_server, link, report_xml(link.version, phone="138 0013 8000", name="李四"))
    other = post_report(live_server, link, report_xml(link.version, phone="13900139000"))
    assert [a.status_code for a in (first, second, other)] == [201, 201, 201]
    leads = _stored(app, "SELECT reports FROM lead ORDER BY id")
    assert leads == [(2,), (1,)]


@pytest.mark.parametrize("fields, stamp_age, reason, status", [
    ({"website": "http://spam.example"}, 60, "honeypot", 400),
    ({}, 2, "too_fast", 400),
    ({"dixian_stamp": "1700000000.forged"}, 60, "no_stamp", 400),
])
def test_a_report_a_program_filled_in_is_refused_and_counted(app, live_server, link, demo_county, fields, stamp_age,
                                                             reason, status):
    answer = post_report(live_server, link, report_xml(link.version), stamp_age=stamp_age, **fields)
    assert answer.status_code == status
    assert "text/html" in answer.headers["Content-Type"] and f'data-reason="{reason}"' in answer.text
    assert _stored(app, "SELECT count(*) FROM submission") == [(1,)]         # the demo's screening only
    assert _stored(app, "SELECT count(*) FROM lead") == [(0,)]
    assert _stored(app, "SELECT reason, count FROM public_link_refusal WHERE link_id = :id", id=link.id) == [
        (reason, 1)]
    listed = app.test_cli_runner().invoke(args=["public-link", "list", str(demo_county)])
    assert listed.output.rstrip("\n").endswith(f"\tlive\t{reason}=1")        # what the administrator sees


def test_attachments_past_the_cap_or_not_photos_are_refused(app, live_server, link, monkeypatch):
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"],
                                                              attachment_bytes=100_000))
    big = post_report(live_server, link, report_xml(link.version, photo="a.png"), {"a.png": PNG + b"\0" * 100_000})
    assert big.status_code == 413 and "照片太大" in big.text
    script = post_report(live_server, link, report_xml(link.version, photo="a.png"), {"a.png": b"<script>1</script>"})
    assert script.status_code == 400 and "附件不是照片" in script.text
    assert _stored(app, "SELECT count(*) FROM lead") == [(0,)]
    assert _stored(app, "SELECT count(*) FROM submission") == [(1,)]


def test_bad_bodies_are_refused_with_a_page_and_store_nothing(app, live_server, link):
    other_form = post_report(live_server, link, report_xml("2026112301", form_id="fpf_hh_screening"))
    assert other_form.status_code == 400 and "<html" in other_form.text
    bomb = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b'<data id="fpf_self_report">&b;</data>')
    assert post_report(live_server, link, bomb).status_code == 400
    assert post_report(live_server, link, b"not xml at all").status_code == 400
    malformed = requests.post(f"{live_server}/f/{link.token}/submission", data=b"--x\r\nbroken",
                              headers={"Content-Type": "multipart/form-data; boundary=x"}, timeout=10)
    assert malformed.status_code == 400 and "<html" in malformed.text
    # An edit of someone's report (a deprecatedID) is not for a link's holder.
    original = "uuid:11111111-1111-4111-8111-111111111111"
    first = post_report(live_server, link, report_xml(link.version, instance_id=original))
    assert first.status_code == 201
    edit = report_xml(link.version, instance_id="uuid:22222222-2222-4222-8222-222222222222").replace(
        b"<meta>", b"<meta><deprecatedID>uuid:11111111-1111-4111-8111-111111111111</deprecatedID>")
    assert post_report(live_server, link, edit).status_code == 403
    assert _stored(app, "SELECT count(*) FROM lead") == [(1,)]


def test_a_link_past_its_quota_takes_no_more_reports(app, live_server, publish, demo_county):
    link = make_link(app, publish, demo_county, quota=1)
    assert post_report(live_server, link, report_xml(link.version)).status_code == 201
    gone = post_report(live_server, link, report_xml(link.version))
    assert gone.status_code == 410 and "已达到申报数量上限" in gone.text
    assert _stored(app, "SELECT count(*) FROM lead") == [(1,)]


def test_a_busy_address_must_solve_a_challenge(app, live_server, link, monkeypatch):
    import altcha

    from app.services.self_report.challenge import new_challenge
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=1,
                                                              challenge_work=20))
    assert post_report(live_server, link, report_xml(link.version)).status_code == 201
    refused = post_report(live_server, link, report_xml(link.version))
    assert refused.status_code == 400 and 'data-reason="challenge"' in refused.text
    page = requests.get(link.url, timeout=10)
    assert f"/f/{link.token}/challenge" in page.text            # the page now asks for the proof of work
    challenge = requests.get(f"{live_server}/f/{link.token}/challenge", timeout=10).json()
    solution = altcha.solve_challenge(altcha.Challenge.from_dict(challenge))
    payload = altcha.Payload(altcha.Challenge.from_dict(challenge), solution).to_base64()
    assert post_report(live_server, link, report_xml(link.version), altcha=payload).status_code == 201
    replayed = post_report(live_server, link, report_xml(link.version), altcha=payload)
    assert replayed.status_code == 400                          # one solution opens one report
    forged = new_challenge("another-secret", 20)
    forged_payload = altcha.Payload(altcha.Challenge.from_dict(forged),
                                    altcha.solve_challenge(altcha.Challenge.from_dict(forged))).to_base64()
    assert post_report(live_server, link, report_xml(link.version), altcha=forged_payload).status_code == 400
    assert _stored(app, "SELECT count(*) FROM lead_report") == [(2,)]
