"""Each HTTP Digest response opens one request: the (nonce, nc) pairs used are remembered.

RFC 7616 §3.3: the server "should check that the nc value has not been used before" with the same
nonce. Kept in PostgreSQL so every worker sees every use (cases/reliability/23: a captured header
was a five-minute bearer token for any body).
"""
from ...extensions import db
from ...queries.accounts import DIGEST_NONCE_USE


def use_digest_nonce(nonce: str, nc: str) -> bool:
    """Record that a (nonce, nc) pair has opened a request; False if it had already.

    Committed at once, so a replay is refused even when the first request later fails. Pairs of
    expired nonces are deleted in the background (services/accounts/housekeeping.py).
    """
    fresh = db.session.execute(DIGEST_NONCE_USE, {"nonce": nonce[:100], "nc": nc[:16]}).first() is not None
    db.session.commit()
    return fresh
