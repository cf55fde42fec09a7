"""A limit on wrong passwords, per account and per address, kept in PostgreSQL.

Kept in the database, not in a process, so that it holds across gunicorn workers and machines.
Checked before the password is hashed: a caller who is locked out costs one indexed read, not a
hash (cases/reliability/25: a flood of wrong passwords starved Collect's requests of CPU).

After ACCOUNT_LIMIT wrong passwords for one email within WINDOW (or ADDRESS_LIMIT from one
address, set higher because a township office or a carrier NAT puts many people behind one
address), each further wrong password locks the pair out for FIRST_LOCK, doubling up to
LONGEST_LOCK. A right password clears the account's count. OWASP's Authentication Cheat Sheet
("account lockout", exponential back-off) is the model.
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from ...extensions import db
from ...models import SignInFailure
from ...problems import Problem

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 30
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)
_KEY_LENGTH = SignInFailure.__table__.c.key.type.length

_LOCKED = text("""
SELECT max(locked_until) FROM sign_in_failure
WHERE ((scope = 'account' AND key = :account) OR (scope = 'address' AND key = :address)) AND locked_until > now()
""")
# One more wrong password: counted in the current window (a new window once the last one is over),
# and a lock set once the count passes the limit, doubling with each further failure.
_FAILED = text("""
INSERT INTO sign_in_failure AS f (scope, key, failures, first_failed_at)
VALUES (:scope, :key, 1, now())
ON CONFLICT (scope, key) DO UPDATE SET
    failures = CASE WHEN f.first_failed_at < now() - :window THEN 1 ELSE f.failures + 1 END,
    first_failed_at = CASE WHEN f.first_failed_at < now() - :window THEN now() ELSE f.first_failed_at END
RETURNING failures
""")
_LOCK = text("UPDATE sign_in_failure SET locked_until = now() + :lock WHERE scope = :scope AND key = :key")
_SUCCEEDED = text("DELETE FROM sign_in_failure WHERE scope = 'account' AND key = :account")
# Counts whose window and lock are long over tell nothing; dropped now and then.
_FORGET_OLD = text("DELETE FROM sign_in_failure WHERE first_failed_at < now() - interval '1 day' "
                   "AND (locked_until IS NULL OR locked_until < now())")


@dataclass(frozen=True)
class Caller:
    """Who is signing in, as the limits know them: the email typed, and the address it came from."""
    account: str
    address: str

    @classmethod
    def of(cls, email: str, address: str | None) -> "Caller":
        return cls(email.strip().lower()[:_KEY_LENGTH], (address or "unknown")[:_KEY_LENGTH])


def check_not_locked(caller: Caller) -> None:
    """Raises Problem 429.1 with Retry-After (seconds) while the account or the address is locked out."""
    until = db.session.execute(_LOCKED, {"account": caller.account, "address": caller.address}).scalar()
    db.session.rollback()
    if until is not None:
        wait = max(1, math.ceil((until - datetime.now(timezone.utc)).total_seconds()))
        raise Problem(429.1, f"Too many wrong passwords; try again in {wait} seconds.",
                      headers=[("Retry-After", str(wait))])


def record_failure(caller: Caller) -> None:
    """Count a wrong password for the account and the address, and lock either that passed its limit."""
    for scope, key, limit in (("account", caller.account, ACCOUNT_LIMIT),
                              ("address", caller.address, ADDRESS_LIMIT)):
        failures = db.session.execute(_FAILED, {"scope": scope, "key": key, "window": WINDOW}).scalar_one()
        if failures >= limit:
            lock = min(LONGEST_LOCK, FIRST_LOCK * 2 ** min(failures - limit, 10))
            db.session.execute(_LOCK, {"scope": scope, "key": key, "lock": lock})
    if hash(caller) % 64 == 0:
        db.session.execute(_FORGET_OLD)
    db.session.commit()


def record_success(caller: Caller) -> None:
    """A right password clears the account's count (the address's count runs out with its window)."""
    db.session.execute(_SUCCEEDED, {"account": caller.account})
    db.session.commit()
