"""Leads from residents' self-reports: a report opens a lead due in 2 working days, and a later report of
the same household (same ID number or phone, however typed) joins the open lead instead."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from app.core.working_days import CHINA, due_after
from tests.support.instances import build_instance
from tests.support.registry import REPO, load_registry

MONDAY = datetime(2026, 11, 30, 9, 30, tzinfo=CHINA)


@pytest.fixture()
def reports(app, project, publish, device):
    """Seven stored self-report submissions of 一元村: their ids."""
    load_registry(app, project)
    publish(REPO / "forms" / "fpf_self_report.md")
    assigned = app.test_cli_runner().invoke(args=["form", "assign", str(project), "fpf_self_report", "村干部 测试"])
    assert assigned.exit_code == 0, assigned.output
    form = device.get(f"{device.server_url}/forms/fpf_self_report.xml").content
    for _ in range(7):
        xml, files = build_instance(form, values={"village_code": "420102001001"})
        assert device.post_submission(xml, files).status_code == 201
    from app.extensions import db
    with app.app_context():
        return list(db.session.execute(text("SELECT id FROM submission ORDER BY id")).scalars())


def test_reports_open_leads_and_the_same_household_joins_its_open_lead(app, project, reports):
    from app.extensions import db
    from app.models import Lead
    from app.services.self_report.leads import record_report
    village = "420102001001"
    with app.app_context():
        def record(n, at, **reporter):
            recorded = record_report(project, village, reports[n], at, **reporter)
            db.session.commit()
            return recorded
        first = record(0, MONDAY, idno="42010219740506002x")
        assert not first.joined
        lead = db.session.get(Lead, first.lead_id)
        assert (lead.state, lead.reports, lead.due_at) == ("new", 1, due_after(MONDAY, 2))
        assert lead.due_at == datetime(2026, 12, 3, 0, 0, tzinfo=CHINA)            # the end of Wednesday
        # The same ID number typed otherwise, a day later: joins.
        again = record(1, MONDAY + timedelta(days=1), idno="420102 19740506 002X")
        assert again == type(first)(first.lead_id, True)
        # A phone alone opens another lead; the same phone written with +86 joins it and adds its ID number.
        by_phone = record(2, MONDAY, phone="138 0013 8000")
        assert by_phone.lead_id != first.lead_id and not by_phone.joined
        assert record(3, MONDAY, phone="+86 13800138000", idno="420102198001010011").lead_id == by_phone.lead_id
        assert db.session.get(Lead, by_phone.lead_id).idno == "420102198001010011"
        # Neither usable: a lead of its own. Long after the first report: a lead of its own.
        assert not record(4, MONDAY, idno="unknown", phone="12").joined
        assert not record(5, MONDAY + timedelta(days=91), idno="42010219740506002X").joined
        # A rejected lead is closed: the household's next report opens a new one.
        db.session.execute(text("UPDATE lead SET state = 'rejected'"))
        db.session.commit()
        assert not record(6, MONDAY + timedelta(days=2), phone="13800138000").joined
        kinds = db.session.execute(text(
            "SELECT kind, count(*) FROM event WHERE kind LIKE 'lead.%' GROUP BY kind ORDER BY kind")).all()
        assert [tuple(k) for k in kinds] == [("lead.create", 5), ("lead.update.report", 2)]
        assert db.session.execute(text("SELECT count(*) FROM lead_report")).scalar() == 7
