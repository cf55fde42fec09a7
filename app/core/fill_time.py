"""The time a resident took to fill a public form, from a stamp the server signs when it serves the page.

A person needs a while to read and answer even a short form; a script posts at once. The page carries
`render_stamp(...)`, the server's clock signed with its key (HMAC-SHA256) and bound to the link, and the
submission sends it back: `seconds_taken` says how long ago it was signed, or None for a stamp that is
forged, for another link, or not a stamp at all. Pure: no clock or key of its own.

A stamp is read only as render_stamp writes it (`parse_stamp`): the seconds without leading zeros, the MAC
in lower-case hex. Each stamp opens one report, and is marked used by its text; were '0' + stamp read as
the same seconds, one page's stamp would open a report for each way of writing them.
"""
import hashlib
import hmac
import re

_SEPARATOR = "."
# As render_stamp writes one: unix seconds (up to 12 digits, no leading zero), '.', 64 lower-case hex digits.
_CANONICAL = re.compile(r"(0|[1-9][0-9]{0,11})\.([0-9a-f]{64})", re.ASCII)


def render_stamp(secret_key: str, link_id: int, now_s: int) -> str:
    """'<unix seconds>.<hex HMAC of link and seconds>', to put in the served page."""
    return f"{now_s}{_SEPARATOR}{_mac(secret_key, link_id, now_s)}"


def parse_stamp(stamp: str | None) -> tuple[int, str] | None:
    """(seconds, MAC) of a stamp written exactly as render_stamp writes one; None for any other text (its
    signature unchecked: seconds_taken checks it)."""
    match = _CANONICAL.fullmatch(stamp or "")
    return (int(match.group(1)), match.group(2)) if match else None


def seconds_taken(secret_key: str, link_id: int, stamp: str, now_s: int) -> int | None:
    """Seconds since the stamp was signed for this link; None if it was not (or is from the future), or if
    it is not written as render_stamp writes it."""
    parsed = parse_stamp(stamp)
    if parsed is None:
        return None
    seconds, mac = parsed
    if not hmac.compare_digest(mac.encode(), _mac(secret_key, link_id, seconds).encode()):
        return None
    taken = now_s - seconds
    return taken if taken >= 0 else None


def _mac(secret_key: str, link_id: int, seconds: int) -> str:
    return hmac.new(secret_key.encode(), f"fill-time:{link_id}:{seconds}".encode(), hashlib.sha256).hexdigest()
