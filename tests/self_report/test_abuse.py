"""Limits on residents' self-reports, kept in PostgreSQL: per address and per link, per minute and per day;
the honeypot and the minimum fill time; refusals counted per link; old windows forgotten."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from app.core.fill_time import render_stamp
from tests.support.registry import REPO, load_registry

LIMITS_KW = dict(per_address_minute=2, per_address_day=3, per_link_minute=6, per_link_day=7, min_fill_seconds=20)
NOON = datetime(2026, 12, 1, 12, 0, 5, tzinfo=timezone.utc)


@pytest.fixture()
def link_id(app, project, publish):
    from app.services.self_report.links import create_links
    load_registry(app, project)
    publish(REPO / "forms" / "fpf_self_report.md")
    with app.app_context():
        [link] = create_links(project, "fpf_self_report", ["420102001001"], secret_key="k", public_url="http://x")
    return link.id


def test_each_limit_refuses_past_its_count_and_a_new_window_admits_again(app, link_id):
    from app.services.self_report.abuse import ReportLimits, count_report
    limits = ReportLimits(**LIMITS_KW)
    with app.app_context():
        seen = [count_report(link_id, "203.0.113.9", limits, NOON) for _ in range(3)]
        assert seen == [None, None, "address_minute"]
        # One /64 is one subscriber: another address in it is counted with the first.
        assert count_report(link_id, "2001:db8:1:2::1", limits, NOON) is None
        assert count_report(link_id, "2001:db8:1:2::ffff", limits, NOON) is None
        assert count_report(link_id, "2001:db8:1:2:abcd::1", limits, NOON) == "address_minute"
        # What an address's limit refused never counted against the link: four so far, two more fit.
        assert count_report(link_id, "198.51.100.1", limits, NOON) is None
        assert count_report(link_id, "198.51.100.2", limits, NOON) is None
        assert count_report(link_id, "198.51.100.3", limits, NOON) == "link_minute"
        # A minute later the addresses may send again, up to their day.
        later = NOON + timedelta(minutes=1)
        assert count_report(link_id, "192.0.2.1", limits, later) == "link_day"
        assert count_report(link_id, "203.0.113.9", limits, later) == "address_day"       # its fourth today
        assert count_report(link_id, "203.0.113.9", limits, NOON + timedelta(days=1)) is None


def test_the_honeypot_and_the_fill_time(app, link_id):
    from app.services.self_report.abuse import ReportLimits, check_filling
    limits = ReportLimits(**LIMITS_KW)
    stamp = render_stamp("key", link_id, 1_000)
    check = dict(secret_key="key", now_s=1_030)
    assert check_filling(link_id, stamp, "", limits, **check) is None
    assert check_filling(link_id, stamp, "http://spam", limits, **check) == "honeypot"
    assert check_filling(link_id, stamp, None, limits, secret_key="key", now_s=1_010) == "too_fast"
    assert check_filling(link_id, None, None, limits, **check) == "no_stamp"
    assert check_filling(link_id + 1, stamp, None, limits, **check) == "no_stamp"     # another link's stamp
    from app.services.self_report.abuse import STAMP_SECONDS
    stale = dict(secret_key="key", now_s=1_000 + STAMP_SECONDS + 1)                   # a page opened long ago
    assert check_filling(link_id, stamp, None, limits, **stale) == "no_stamp"


def test_refusals_are_counted_per_link_reason_and_day_and_old_counts_go(app, link_id):
    from app.extensions import db
    from app.services.self_report.abuse import ReportLimits, count_refusal, count_report
    from app.workers.runner import JobRunner
    with app.app_context():
        for reason in ("too_fast", "too_fast", "honeypot"):
            count_refusal(link_id, reason, date(2026, 12, 1))
        rows = db.session.execute(text("SELECT reason, count FROM public_link_refusal ORDER BY reason")).all()
        assert [tuple(r) for r in rows] == [("honeypot", 1), ("too_fast", 2)]
        count_report(link_id, "203.0.113.9", ReportLimits(), datetime.now(timezone.utc) - timedelta(days=3))
        count_report(link_id, "203.0.113.9", ReportLimits())
        assert db.session.execute(text("SELECT count(*) FROM self_report_count")).scalar() == 8
    assert JobRunner(app, 60).run_once()["self-report counts"] == 4       # the day three days ago, its minute
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM self_report_count")).scalar() == 4


def test_a_photo_is_judged_by_its_header_pixels_before_anything_is_decoded():
    import io

    from PIL import Image

    from app.services.self_report.abuse import ReportLimits, check_attachments

    def png(width: int, height: int) -> bytes:
        out = io.BytesIO()
        Image.new("1", (width, height)).save(out, "PNG")
        return out.getvalue()
    limits = ReportLimits(photo_pixels=1_000_000)
    assert check_attachments({"a.png": png(1000, 1000)}, limits) is None
    assert check_attachments({"a.png": png(1000, 1001)}, limits) == "attachment_pixels"
    assert check_attachments({"a.png": png(10, 10), "b.png": png(2000, 600)}, limits) == "attachment_pixels"
    # The magic bytes of a PNG, but no header Pillow reads: not a photo.
    assert check_attachments({"a.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 40}, limits) == "attachment_type"


def test_every_refusal_has_its_words_for_the_resident_and_the_console():
    from app.selfreport.pages import _BY_REASON
    from app.services.self_report.abuse import REFUSALS
    from app.services.self_report.reports import _REFUSED
    from app.web.i18n import WORDS
    assert set(_REFUSED) == set(REFUSALS)
    assert set(REFUSALS) <= set(_BY_REASON)
    assert [r for r in REFUSALS if f"refused_{r}" not in WORDS] == []
