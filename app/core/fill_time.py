"""The time a resident took to fill a public form, from a stamp the server signs when it serves the page.

A person needs a while to read and answer even a short form; a script posts at once. The page carries
`render_stamp(...)`, the server's clock signed with its key (HMAC-SHA256) and bound to the link, and the
submission sends it back: `seconds_taken` says how long ago it was signed, or None for a stamp that is
forged, for another link, or not a stamp at all. Pure: no clock or key of its own.
"""
import hashlib
import hmac

_SEPARATOR = "."


def render_stamp(secret_key: str, link_id: int, now_s: int) -> str:
    """'<unix seconds>.<hex HMAC of link and seconds>', to put in the served page."""
    return f"{now_s}{_SEPARATOR}{_mac(secret_key, link_id, now_s)}"


def seconds_taken(secret_key: str, link_id: int, stamp: str, now_s: int) -> int | None:
    """Seconds since the stamp was signed for this link; None if it was not (or is from the future)."""
    seconds, _, mac = (stamp or "").partition(_SEPARATOR)
    if not seconds.isascii() or not seconds.isdigit() or len(seconds) > 12:
        return None
    if not hmac.compare_digest(mac.encode(), _mac(secret_key, link_id, int(seconds)).encode()):
        return None
    taken = now_s - int(seconds)
    return taken if taken >= 0 else None


def _mac(secret_key: str, link_id: int, seconds: int) -> str:
    return hmac.new(secret_key.encode(), f"fill-time:{link_id}:{seconds}".encode(), hashlib.sha256).hexdigest()
