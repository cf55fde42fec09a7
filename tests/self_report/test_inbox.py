"""Decisions on risk leads (services/self_report/inbox): the states a decision needs, merging a lead's
reports into another of its village, and places: a lead outside the caller's places is not there."""
import pytest
from sqlalchemy import text

from app.problems import Problem
from tests.support.self_report import make_link, post_report, report_xml


@pytest.fixture()
def three_leads(app, live_server, publish, demo_county, monkeypatch):
    monkeypatch.setitem(app.config, "SELF_REPORT_LIMITS", dict(app.config["SELF_REPORT_LIMITS"], challenge_after=50))
    link = make_link(app, publish, demo_county)
    for phone in ("13800000001", "13800000002", "13800000003"):
        assert post_report(live_server, link, report_xml(link.version, phone=phone)).status_code == 201
    from app.extensions import db
    with app.app_context():
        return db.session.execute(text("SELECT id FROM lead ORDER BY id")).scalars().all()


def _access(app, project: int, role: str, places):
    from app.core.access import ROLES, Access, Principal
    return Access(Principal(0, "user", "tester"), project, ROLES[role], places)


def test_merging_moves_the_reports_and_closes_the_lead(app, demo_county, three_leads):
    from app.extensions import db
    from app.services.self_report.inbox import decide, lead_page
    first, second, third = three_leads
    manager = _access(app, demo_county, "manager", ("429901001",))
    with app.app_context():
        decide(manager, second, "merge", into=first)
        page = lead_page(manager, first)
        assert page.lead.reports == 2 and len(page.reports) == 2
        assert lead_page(manager, second).merged_into == first
        with pytest.raises(Problem) as merged_again:
            decide(manager, second, "accept")
        assert merged_again.value.code == 409.91
        with pytest.raises(Problem) as no_reason:
            decide(manager, third, "reject", reason="  ")
        assert no_reason.value.code == 400.2
        with pytest.raises(Problem) as into_itself:
            decide(manager, third, "merge", into=third)
        assert into_itself.value.code == 409.91
        decide(manager, third, "reject", reason="不属于监测范围")
        with pytest.raises(Problem) as closed:
            decide(manager, third, "accept")
        assert closed.value.code == 409.91
        states = dict(db.session.execute(text("SELECT id, state FROM lead")).all())
        assert states == {first: "new", second: "merged", third: "rejected"}


def test_a_lead_outside_the_callers_places_is_not_there(app, demo_county, three_leads):
    from app.services.self_report.inbox import decide, inbox, lead_page
    elsewhere = _access(app, demo_county, "manager", ("429901002",))
    with app.app_context():
        assert inbox(elsewhere) == []
        for call in (lambda: lead_page(elsewhere, three_leads[0]), lambda: decide(elsewhere, three_leads[0], "accept"),
                     lambda: decide(_access(app, demo_county, "manager", ("429901001",)), three_leads[0], "merge",
                                    into=10**6)):
            with pytest.raises(Problem) as missing:
                call()
            assert missing.value.code == 404.1


def test_masking_follows_the_role(app, demo_county, three_leads):
    from app.services.self_report.inbox import inbox
    with app.app_context():
        viewer = inbox(_access(app, demo_county, "viewer", ("429901001",)))
        manager = inbox(_access(app, demo_county, "manager", None))
    assert {row.phone for row in viewer} == {"138****0001", "138****0002", "138****0003"}
    assert {row.phone for row in manager} == {"13800000001", "13800000002", "13800000003"}
