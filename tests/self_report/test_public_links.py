"""Public links from the command line: one per village of a township, listed, revoked; tokens kept hashed
and made again for posters; posters whose QR codes read back as the links' URLs."""
import hashlib
from datetime import date, timedelta

import pypdfium2
import pytest
from pyzbar.pyzbar import decode
from sqlalchemy import text

from tests.support.registry import REPO, SCREENING, load_registry

SELF_REPORT = REPO / "forms" / "fpf_self_report.md"


@pytest.fixture()
def linked(app, project, publish):
    load_registry(app, project)
    publish(SELF_REPORT)
    return project


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=["public-link", *map(str, args)])
    return result


def test_a_link_per_village_of_a_township_with_its_token_kept_hashed(app, linked):
    created = cli(app, "create", linked, "fpf_self_report", "--township", "420102001000")
    assert created.exit_code == 0, created.output
    rows = [line.split("\t") for line in created.output.strip().splitlines()]
    assert [(r[1], r[2], r[4]) for r in rows] == [("420102001001", "一元村", "new"), ("420102001002", "二元村", "new")]
    public_url = app.config["PUBLIC_URL"]
    tokens = [r[3].removeprefix(public_url + "/f/") for r in rows]
    # Nothing to mistype from a poster: no 0/o, 1/l/i, no capitals, no punctuation.
    assert all(len(t) == 14 and set(t) <= set("23456789abcdefghjkmnpqrstvwxyz") for t in tokens)
    assert len(set(tokens)) == 2
    from app.extensions import db
    with app.app_context():
        stored = db.session.execute(text("SELECT token_sha256, salt FROM public_link ORDER BY id")).all()
        dump = repr(db.session.execute(text("SELECT * FROM public_link")).all())
    assert [s.token_sha256 for s in stored] == [hashlib.sha256(t.encode()).hexdigest() for t in tokens]
    assert not any(t in dump for t in tokens)                       # the token itself is nowhere

    listed = cli(app, "list", linked)
    assert listed.exit_code == 0 and listed.output.count("\tlive") == 2
    # Again: each village keeps its live link (the same URL), none is added.
    again = cli(app, "create", linked, "fpf_self_report", "--village", "420102001002")
    assert again.output.split("\t")[3:] == [rows[1][3], "existing\n"]
    assert cli(app, "list", linked).output.count("\tlive") == 2


def test_a_link_opens_until_revoked_expired_or_its_quota_is_used(app, linked):
    from app.extensions import db
    from app.problems import Problem
    from app.services.self_report.links import create_links, open_link, revoke_links
    with app.app_context():
        where = {"secret_key": app.config["SECRET_KEY"], "public_url": "http://x"}
        live, revoked = create_links(linked, "fpf_self_report", ["420102001001", "420102001002"], **where)
        assert open_link(live.token).village == "420102001001"
        assert revoke_links(linked, [revoked.id]).revoked == [revoked.id]
        [capped] = create_links(linked, "fpf_self_report", ["420102001002"], quota=1, **where)
        db.session.execute(text("UPDATE public_link SET reports = 1 WHERE id = :id"), {"id": capped.id})
        db.session.commit()
        for token, reason in ((revoked.token, "revoked"), (capped.token, "quota")):
            with pytest.raises(Problem) as gone:
                open_link(token)
            assert gone.value.status == 410 and gone.value.details["reason"] == reason
        db.session.execute(text("UPDATE public_link SET expires_on = :d WHERE id = :id"),
                           {"d": date.today() - timedelta(days=1), "id": live.id})
        db.session.commit()
        with pytest.raises(Problem) as gone:
            open_link(live.token)
        assert gone.value.details["reason"] == "expired"
        for nonsense in ("", "x" * 14, "ü" * 14, "A" * 14, "a" * 5000, live.token[:-1]):
            with pytest.raises(Problem) as unknown:
                open_link(nonsense)
            assert unknown.value.status == 404


def test_bad_requests_say_why_and_store_nothing(app, linked, publish):
    publish(SCREENING)
    for args, said in (
            (("create", linked, "no_such_form", "--village", "420102001001"), "residents' form"),
            (("create", linked, "fpf_hh_screening", "--village", "420102001001"), "residents' form"),
            (("create", 99, "fpf_self_report", "--village", "420102001001"), "no project 99"),
            (("list", linked, "--township", "420102001001"), "Not a township"),
            (("posters", linked, "--township", "420102001001", "--pdf", "/tmp/x.pdf"), "Not a township"),
            (("revoke", linked, "123456"), "no link of project"),
            (("create", linked, "fpf_self_report", "--village", "420102001000"), "Not a village"),
            (("create", linked, "fpf_self_report", "--township", "420102001001"), "Not a township"),
            (("create", linked, "fpf_self_report", "--village", "420102001001", "--expires", "2020-01-01"), "passed"),
            (("create", linked, "fpf_self_report"), "at least one village")):
        result = cli(app, *args)
        assert result.exit_code != 0 and said in result.output, result.output
    from app.extensions import db
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM public_link")).scalar() == 0


def test_posters_one_a4_page_per_live_link_whose_qr_reads_as_its_url(app, linked, tmp_path):
    created = cli(app, "create", linked, "fpf_self_report", "--township", "420102001000")
    urls = [line.split("\t")[3] for line in created.output.strip().splitlines()]
    first_id = created.output.split("\t")[0]
    assert cli(app, "revoke", linked, first_id).output.strip() == f"revoked: {first_id}"
    assert cli(app, "posters", linked, "--township", "420102001000", "--pdf", tmp_path / "no" / "x.pdf").output \
        .startswith("Error: Cannot write")
    pdf = tmp_path / "posters.pdf"
    made = cli(app, "posters", linked, "--township", "420102001000", "--pdf", pdf, "--hotline", "0000-12345")
    assert made.exit_code == 0, made.output
    document = pypdfium2.PdfDocument(str(pdf))
    assert len(document) == 1                                       # the revoked link has no poster
    page = document[0]
    assert round(page.get_width() / 72 * 25.4) == 210 and round(page.get_height() / 72 * 25.4) == 297
    words = page.get_textpage().get_text_range()
    assert "二元村" in words and urls[1] in words and "0000-12345" in words and "一元村" not in words
    # Printed at 3 cm instead of 6, at 150 dpi: a phone's view of a small print.
    image = page.render(scale=150 / 72 / 2).to_pil()
    assert [d.data.decode() for d in decode(image)] == [urls[1]]
    # The whole village code is on the page, clear of its edge (it ran off once).
    textpage = page.get_textpage()
    last = textpage.get_text_range().rindex("420102001002") + 11
    assert textpage.get_charbox(last)[2] < page.get_width() - 20
    document.close()

    # Another SECRET_KEY would print links that open nothing: refused.
    app.config["SECRET_KEY"], key = "another key", app.config["SECRET_KEY"]
    try:
        other = cli(app, "posters", linked, "--township", "420102001000", "--pdf", tmp_path / "other.pdf")
    finally:
        app.config["SECRET_KEY"] = key
    assert other.exit_code != 0 and "another SECRET_KEY" in other.output
