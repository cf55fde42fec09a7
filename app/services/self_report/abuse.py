"""What keeps scripts and floods out of residents' self-reports (issue 14, "abuse controls").

A public link takes reports from anyone, so each report is checked before anything is stored:
- counts per address (an IPv6 address by its /64, as sign-in limits count it) and per link, per minute
  and per day (ReportLimits), kept in PostgreSQL so that they hold across workers and machines: fixed
  windows, one row per key and window, counted up in one statement;
- a hidden field people never see (the honeypot): filled in, it was a script;
- a minimum time between serving the page and sending it, from a stamp the server signed
  (core.fill_time): too fast, or no valid stamp, was a script;
- past a number of reports from one address in a day, a proof of work (services/self_report/challenge);
- a cap on the bytes of a report's attachments, each of which must be an image, and on each one's pixels
  (its header read, nothing decoded): a small PNG of tens of millions of pixels is a decompression bomb.
Every refusal is counted per link and reason and day (public_link_refusal), for the console to show.
Nothing here stores or reads a report itself.
"""
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timezone

from ...core.fill_time import parse_stamp, seconds_taken
from ...extensions import db
from ...formats.thumbnail import photo_pixels
from ...queries.self_report import COUNT_REFUSAL, COUNT_REPORT, FORGET_OLD_COUNTS, REPORTS_IN_WINDOW, USE_ONCE
from ..accounts.sign_in_limits import counted_address

REFUSALS = ("address_minute", "address_day", "link_minute", "link_day", "honeypot", "no_stamp", "too_fast",
            "stamp_used", "challenge", "attachment_count", "attachment_size", "attachment_type", "attachment_pixels",
            "cross_site")
STAMP_SECONDS = 6 * 3600      # a page opened longer ago than this is opened again (its stamp is stale)


@dataclass(frozen=True)
class ReportLimits:
    """The limits of the README's configuration (SELF_REPORT_*): reports allowed per window, the shortest fill
    time in seconds, the reports per address and day after which a proof of work is asked (and its work, in
    counters tried at most), the bytes of a report's attachments together, and the pixels of each photo."""
    per_address_minute: int = 3
    per_address_day: int = 20
    per_link_minute: int = 20
    per_link_day: int = 300
    min_fill_seconds: int = 20
    challenge_after: int = 2
    challenge_work: int = 4000
    attachment_bytes: int = 6_000_000
    attachments: int = 3          # photos a report may carry (the form's repeat of 3)
    # The form's photos are max-pixels=1024 (Web Forms sends them at most 1024 px on the longer side; the
    # original only when the phone's browser cannot resize): 16 MP takes any phone camera's default photo
    # (12.5 MP) and refuses what would cost a worker hundreds of MB to make a thumbnail of. What a photo
    # costs grows with its pixels, not with its shape, so there is no bound on a side.
    photo_pixels: int = 16_000_000


def count_report(link_id: int, address: str | None, limits: ReportLimits, now: datetime | None = None) -> str | None:
    """Count one report from `address`, then (only if the address is within its limits) under the link; the
    first limit it passes (a REFUSALS name), or None when within every one. A report refused by its address's
    limit is counted against the address (a flood stays refused for its window) but never against the
    link: one address cannot shut a village's link for everyone else."""
    now = now or datetime.now(timezone.utc)
    passed = _count(_address_key(address), now, (("address_minute", limits.per_address_minute),
                                                 ("address_day", limits.per_address_day)))
    return passed or _count(f"link:{link_id}", now, (("link_minute", limits.per_link_minute),
                                                     ("link_day", limits.per_link_day)))


def _count(key: str, now: datetime, limits: tuple[tuple[str, int], ...]) -> str | None:
    """One more for `key` in its minute and its day (committed at once); the first limit passed, or None."""
    minute = now.replace(second=0, microsecond=0)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = dict(((window, count) for _, window, count in db.session.execute(COUNT_REPORT, {
        "keys": [key, key], "windows": ["minute", "day"], "starts": [minute, day]}).all()))
    db.session.commit()
    for (name, limit), window in zip(limits, ("minute", "day")):
        if rows[window] > limit:
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
    """'attachment_count' for more files than `attachments`, 'attachment_size' when they pass attachment_bytes
    together, 'attachment_type' when one is not a JPEG, PNG or WebP photo both by its name and by its first
    bytes, as its name says (the residents' form takes photos only, and a file is served by its name's type)
    or when Pillow reads no image header in it, 'attachment_pixels' when its header declares more than
    `photo_pixels` (read from the header only: nothing is decoded here); None when fine. A part the upload
    lists under two names (field and file name) counts once."""
    parts = {id(data): data for data in files.values()}
    if len(parts) > limits.attachments:
        return "attachment_count"
    if sum(len(data) for data in parts.values()) > limits.attachment_bytes:
        return "attachment_size"
    if any(_photo_kind(data) is None or not name.lower().endswith(_EXTENSIONS[_photo_kind(data)])
           for name, data in files.items()):
        return "attachment_type"
    pixels = [photo_pixels(data) for data in parts.values()]
    if None in pixels:
        return "attachment_type"
    if any(n > limits.photo_pixels for n in pixels):
        return "attachment_pixels"
    return None


_EXTENSIONS = {"jpeg": (".jpg", ".jpeg"), "png": (".png",), "webp": (".webp",)}


def _photo_kind(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_filling(link_id: int, stamp: str | None, honeypot: str | None, limits: ReportLimits, *,
                  secret_key: str, now_s: int) -> str | None:
    """'honeypot' for the hidden field filled in, 'no_stamp' for a missing, forged or stale render stamp
    (older than STAMP_SECONDS: the page was opened long ago), 'too_fast' for one signed less than
    min_fill_seconds ago; None for a form a person filled in."""
    if honeypot:
        return "honeypot"
    taken = seconds_taken(secret_key, link_id, stamp or "", now_s)
    if taken is None or taken > STAMP_SECONDS:
        return "no_stamp"
    if taken < limits.min_fill_seconds:
        return "too_fast"
    return None


def use_stamp(stamp: str) -> bool:
    """Mark a render stamp used (in the caller's transaction); False if a report was taken with it already:
    one page, one report (the resident's page is opened again for another). The mark is made of the stamp's
    parsed seconds and MAC, not of its text, so that no other writing of the same stamp passes as new (and
    check_filling has refused any stamp not written as the server writes it)."""
    parsed = parse_stamp(stamp)
    if parsed is None:
        return False           # no stamp check_filling lets through: never a report's
    seconds, mac = parsed
    expires = datetime.fromtimestamp(seconds + STAMP_SECONDS, timezone.utc)
    key = "stamp:" + hashlib.sha256(f"{seconds}.{mac}".encode()).hexdigest()[:64]
    return db.session.execute(USE_ONCE, {"key": key, "expires": expires}).first() is not None


def count_refusal(link_id: int, reason: str, today: date | None = None) -> None:
    """One more refusal of `reason` (a REFUSALS name) under the link today."""
    db.session.execute(COUNT_REFUSAL, {"link": link_id, "reason": reason, "day": today or date.today()})
    db.session.commit()


def forget_old_counts() -> int:
    """Delete the counts of windows long over (housekeeping); returns rows deleted."""
    deleted = db.session.execute(FORGET_OLD_COUNTS).rowcount
    db.session.commit()
    return deleted
