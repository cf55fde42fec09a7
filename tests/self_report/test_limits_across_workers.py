"""The self-report limits hold across gunicorn workers: they are counted in PostgreSQL, so two workers
(two processes that share no memory) let through exactly the configured reports from one address."""
import re
import time

import requests

from app.core.fill_time import render_stamp
from tests.frontdoor.conftest import Gunicorn, gunicorn_environment
from tests.support.self_report import make_link, report_xml


def test_the_per_address_limit_holds_across_two_workers(app, database_url, publish, demo_county):
    link = make_link(app, publish, demo_county)
    server = Gunicorn(gunicorn_environment(app, database_url, SELF_REPORT_PER_ADDRESS_MINUTE="3",
                                           SELF_REPORT_CHALLENGE_AFTER="50", SELF_REPORT_MIN_FILL_SECONDS="1"),
                      workers=2, options=("--access-logformat", "%(p)s %(U)s %(s)s")).start()
    try:
        statuses = []
        if time.time() % 60 > 50:        # the minute's count must not start again half-way through
            time.sleep(61 - time.time() % 60)
        # Each from a page of its own (a stamp opens one report): signed a second earlier than the last, counted
        # from one clock reading (a request that took a second would otherwise sign its successor's same second).
        signed = int(time.time()) - 30
        while len(statuses) < 8 or len(_served_by(server)) < 2 and len(statuses) < 40:
            # A new connection each time: the master hands each to whichever worker accepts it first.
            with requests.Session() as session:
                answer = session.post(
                    f"http://{server.address}/f/{link.token}/submission",
                    files={"xml_submission_file": ("xml_submission_file", report_xml(link.version), "text/xml")},
                    data={"dixian_stamp": render_stamp("test-secret", link.id, signed - len(statuses))},
                    headers={"Accept": "application/json", "Connection": "close"}, timeout=30)
            statuses.append(answer.status_code)
    finally:
        server.stop()
    assert len(_served_by(server)) == 2, server.access_log.read_text()          # both workers took reports
    assert statuses.count(201) == 3 and statuses.count(429) == len(statuses) - 3, statuses


def _served_by(server: Gunicorn) -> set[str]:
    """The workers (process ids) that answered a report, from the access log."""
    return set(re.findall(r"^<(\d+)> /f/\S+/submission \d+$", server.access_log.read_text(), re.MULTILINE))
