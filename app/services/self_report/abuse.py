"""What keeps scripts and floods out of residents' self-reports (issue 14, "abuse controls").

A public link takes reports from anyone, so each report is checked before anything is stored:
- counts per address (an IPv6 address by its /64, as sign-in limits count it) and per link, per minute
  and per day (ReportLimits), kept in PostgreSQL so that they hold across workers and machines: fixed
  windows, one row per key and window, counted up in one statement;
- a hidden field people never see (the honeypot): filled in, it was a script;
- a minimum time between serving the page and sending it, from a stamp the server signed
  (core.fill_time): too fast, or no valid stamp, was a script;
- past a number of reports from one address in a day, a proof of work (services/self_report/challenge);
- a cap on the bytes of a report's attachments, each of which must be an image.
Every refusal is counted per link and reason and day (public_link_refusal), for the console to show.
Nothing here stores or reads a report itself.
"""
from dataclasses import dataclass
from datetime import date, datetime, timezone

from ...core.fill_time import seconds_taken
from ...extensions import db
from ...queries.self_report import COUNT_REFUSAL, COUNT_REPORT, FORGET_OLD_COUNTS, REPORTS_IN_WINDOW
from ..accounts.sign_in_limits import counted_address

REFUSALS = ("address_minute", "address_day", "link_minute", "link_day", "honeypot", "no_stamp", "too_fast",
            "challenge", "attachment_size", "attachment_type")


@dataclass(frozen=True)
class ReportLimits:
    """The limits of the README's configuration (SELF_REPORT_*): reports allowed per window, the shortest fill
    time in seconds, the reports per address and day after which a proof of work is asked (and its work, in
    counters tried at most), and the bytes of a report's attachments together."""
    per_address_minute: int = 3
    per_address_day: int = 20
    per_link_minute: int = 20
    per_link_day: int = 300
    min_fill_seconds: int = 20
    challenge_after: int = 2
    challenge_work: int = 4000
    attachment_bytes: int = 6_000_000


def count_report(link_id: int, address: str | None, limits: ReportLimits, now: datetime | None = None) -> str | None:
    """Count one report under the link from `address`; the first limit it passes (a REFUSALS name), or None
    when within every one. A report refused is counted too: a flood stays refused for its window."""
    now = now or datetime.now(timezone.utc)
    minute = now.replace(second=0, microsecond=0)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    by_address, by_link = _address_key(address), f"link:{link_id}"
    rows = db.session.execute(COUNT_REPORT, {
        "keys": [by_address, by_address, by_link, by_link], "windows": ["minute", "day", "minute", "day"],
        "starts": [minute, day, minute, day]}).all()
    db.session.commit()
    counts = {(key, window): count for key, window, count in rows}
    for name, key, window, limit in (
            ("address_minute", by_address, "minute", limits.per_address_minute),
            ("address_day", by_address, "day", limits.per_address_day),
            ("link_minute", by_link, "minute", limits.per_link_minute),
            ("link_day", by_link, "day", limits.per_link_day)):
        if counts[(key, window)] > limit:
            return name
    return None


def _address_key(address: str | None) -> str:
    return f"address:{counted_address(address)}"[:80]


def needs_challenge(address: str | None, limits: ReportLimits, now: datetime | None = None) -> bool:
    """Whether reports from `address` today have reached challenge_after, so that the next one must come with
    a proof of work (reading the counts only)."""
    now = now or datetime.now(timezone.utc)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    count = db.session.execute(REPORTS_IN_WINDOW, {"key": _address_key(address), "window": "day",
                                                   "starts": day}).scalar()
    return (count or 0) >= limits.challenge_after


def check_attachments(files: dict[str, bytes], limits: ReportLimits) -> str | None:
    """'attachment_size' when the files together pass attachment_bytes, 'attachment_type' when one is not a
    JPEG, PNG or WebP image (by its first bytes: the residents' form takes photos only); None when fine."""
    if sum(len(data) for data in files.values()) > limits.attachment_bytes:
        return "attachment_size"
    if any(not data.startswith(_IMAGE_MAGIC) and not (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
           for data in files.values()):
        return "attachment_type"
    return None


_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def check_filling(link_id: int, stamp: str | None, honeypot: str | None, limits: ReportLimits, *,
                  secret_key: str, now_s: int) -> str | None:
    """'honeypot' for the hidden field filled in, 'no_stamp' for a missing or forged render stamp,
    'too_fast' for one signed less than min_fill_seconds ago; None for a form a person filled in."""
    if honeypot:
        return "honeypot"
    taken = seconds_taken(secret_key, link_id, stamp or "", now_s)
    if taken is None:
        return "no_stamp"
    if taken < limits.min_fill_seconds:
        return "too_fast"
    return None


def count_refusal(link_id: int, reason: str, today: date | None = None) -> None:
    """One more refusal of `reason` (a REFUSALS name) under the link today."""
    db.session.execute(COUNT_REFUSAL, {"link": link_id, "reason": reason, "day": today or date.today()})
    db.session.commit()


def forget_old_counts() -> int:
    """Delete the counts of windows long over (housekeeping); returns rows deleted."""
    deleted = db.session.execute(FORGET_OLD_COUNTS).rowcount
    db.session.commit()
    return deleted
