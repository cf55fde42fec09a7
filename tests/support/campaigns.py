"""A campaign over the test county (tests/support/registry.py), and its coverage as the service reads it."""
import threading
from datetime import date

from tests.support.households import screening_xml

CAMPAIGN = "2026年集中排查"
LOW, HIGH = "3000", "90000"      # wages that do and do not put 王五's household under the monitoring line


def create_test_campaign(app, project: int) -> None:
    """The screening campaign of November 2026."""
    from app.services.coverage.campaigns import create_campaign
    with app.app_context():
        create_campaign(project, CAMPAIGN, date(2026, 11, 1), date(2026, 11, 30), ["fpf_hh_screening"])


def villages(app, project: int) -> dict:
    """Coverage per village code, as a read (with everything) adds it up now."""
    from app.core.access import system_access
    from app.services.coverage.campaigns import coverage, find_campaign
    with app.app_context():
        return {u.code: u for u in coverage(system_access(project), find_campaign(project, CAMPAIGN), "village")}


def numbered_screening(n: int, *, wage: str, day: str, edits: int | None = None, **answers) -> bytes:
    """Screening n of H001 (instanceID ...0n) with this wage and survey day; `edits`: the one it replaces."""
    xml = screening_xml(f"uuid:aaaaaaaa-0000-4000-8000-00000000000{n}", inc_wage=wage, survey_date=day, **answers)
    if edits is not None:
        xml = xml.replace(b"</instanceName>", b"</instanceName><deprecatedID>"
                          + f"uuid:aaaaaaaa-0000-4000-8000-00000000000{edits}".encode() + b"</deprecatedID>")
    return xml


def read_while_held(app, project: int, hold) -> tuple[bool, dict]:
    """Coverage read in a thread while another transaction has run `hold(connection)` and not yet
    committed: whether the read waited for that transaction, and what it read once let through."""
    from app.extensions import db
    with app.app_context():
        holder = db.engine.connect()
    read = {}
    reader = threading.Thread(target=lambda: read.update(villages(app, project)))
    with holder:
        hold(holder)
        reader.start()
        reader.join(timeout=1)
        waited = reader.is_alive()
        holder.commit()
    reader.join(timeout=10)
    return waited, read
