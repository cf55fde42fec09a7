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

from ...extensions import db
from ...models import SignInFailure
from ...problems import too_many_attempts
from ...queries.accounts import (
    SIGN_IN_FAILED,
    SIGN_IN_FORGET_OLD,
    SIGN_IN_LOCK,
    SIGN_IN_LOCKED_UNTIL,
    SIGN_IN_SUCCEEDED,
)
from ..column_limits import nfc

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 30
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)
_KEY_LENGTH = SignInFailure.__table__.c.key.type.length


@dataclass(frozen=True)
class Caller:
    """Who is signing in, as the limits know them: the email typed, and the address it came from."""
    account: str
    address: str

    @classmethod
    def of(cls, email: str, address: str | None) -> "Caller":
        # The email as user_by_email compares it, so no spelling of one account counts apart; less any
        # NUL, which PostgreSQL text cannot hold (no account has one, but its wrong guesses still count).
        account = nfc(email.strip().lower()).replace("\0", "")
        return cls(account[:_KEY_LENGTH], (address or "unknown")[:_KEY_LENGTH])


def check_not_locked(caller: Caller) -> None:
    """Raises Problem 429.1 with Retry-After (seconds) while the account or the address is locked out."""
    until = db.session.execute(SIGN_IN_LOCKED_UNTIL, {"account": caller.account, "address": caller.address}).scalar()
    db.session.rollback()
    if until is not None:
        wait = max(1, math.ceil((until - datetime.now(timezone.utc)).total_seconds()))
        raise too_many_attempts(f"Too many wrong passwords; try again in {wait} seconds.", wait)


def record_failure(caller: Caller) -> None:
    """Count a wrong password for the account and the address, and lock either that passed its limit."""
    for scope, key, limit in (("account", caller.account, ACCOUNT_LIMIT),
                              ("address", caller.address, ADDRESS_LIMIT)):
        failures = db.session.execute(SIGN_IN_FAILED, {"scope": scope, "key": key, "window": WINDOW}).scalar_one()
        if failures >= limit:
            lock = min(LONGEST_LOCK, FIRST_LOCK * 2 ** min(failures - limit, 10))
            db.session.execute(SIGN_IN_LOCK, {"scope": scope, "key": key, "lock": lock})
    if hash(caller) % 64 == 0:
        db.session.execute(SIGN_IN_FORGET_OLD)
    db.session.commit()


def record_success(caller: Caller) -> None:
    """A right password clears the account's count (the address's count runs out with its window)."""
    db.session.execute(SIGN_IN_SUCCEEDED, {"account": caller.account})
    db.session.commit()
