"""A limit on wrong passwords, per account and per address, kept in PostgreSQL.

Kept in the database, not in a process, so that it holds across gunicorn workers and machines.
Checked before the password is hashed: a caller who is locked out costs one indexed read, not a
hash (cases/reliability/25: a flood of wrong passwords starved Collect's requests of CPU).

Three counts, each over WINDOW; once one passes its limit, each further wrong password locks its
subject out for FIRST_LOCK, doubling up to LONGEST_LOCK:
- an account from one address (PAIR_LIMIT): someone guessing one person's password. The lock is on
  that address only, so guessing from elsewhere cannot lock the person themselves out (found by the
  attack test: a lock on the whole account let anyone keep an administrator out for good);
- an address (ADDRESS_LIMIT, higher: a township office or a carrier NAT puts many people behind
  one address): someone trying many accounts;
- an account from anywhere (ACCOUNT_LIMIT, much higher): guessing spread over many addresses. It does
  not reach an address the account signed in from within KNOWN_FOR (found by the attack test: ten
  addresses could keep anyone, administrators too, locked out), so the person who uses the account
  keeps using it; a new address of theirs waits out the lock.
A right password clears the count of its account from its address and makes the address known.
IPv6 addresses count by their /64, the block one subscriber gets (RFC 6177), or one machine could
guess from as many addresses as it likes. OWASP's Authentication Cheat Sheet ("account lockout",
exponential back-off) is the model.
"""
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ...extensions import db
from ...models import SignInFailure
from ...problems import too_many_attempts
from ...queries.accounts import (
    SIGN_IN_FAILED,
    SIGN_IN_FORGET_KNOWN,
    SIGN_IN_FORGET_OLD,
    SIGN_IN_LOCK,
    SIGN_IN_LOCKED_UNTIL,
    SIGN_IN_SUCCEEDED,
)
from ..column_limits import nfc

WINDOW = timedelta(minutes=15)
PAIR_LIMIT = 5
ADDRESS_LIMIT = 30
ACCOUNT_LIMIT = 50
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)
KNOWN_FOR = timedelta(days=30)
_KEY_LENGTH = SignInFailure.__table__.c.key.type.length


@dataclass(frozen=True)
class Caller:
    """Who is signing in, as the limits know them: the email typed, and the address it came from."""
    account: str
    address: str

    @property
    def pair(self) -> str:
        """The account from this address, as one key (a tab is in no email or address)."""
        return f"{self.account}\t{self.address}"[:_KEY_LENGTH]

    @classmethod
    def of(cls, email: str, address: str | None) -> "Caller":
        # The email as user_by_email compares it, so no spelling of one account counts apart; less any
        # NUL, which PostgreSQL text cannot hold (no account has one, but its wrong guesses still count).
        account = nfc(email.strip().lower()).replace("\0", "")
        return cls(account[:_KEY_LENGTH], counted_address(address)[:_KEY_LENGTH])


def counted_address(address: str | None) -> str:
    """The address as the limits count it: an IPv4 address as it is, an IPv6 address as its /64
    ('2001:db8:1:2::/64'); anything else as given, 'unknown' for none."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def check_not_locked(caller: Caller) -> None:
    """Raises Problem 429.1 with Retry-After (seconds) while the caller is locked out."""
    until = db.session.execute(SIGN_IN_LOCKED_UNTIL, {"pair": caller.pair, "account": caller.account,
                                                      "address": caller.address, "known_for": KNOWN_FOR}).scalar()
    db.session.rollback()
    if until is not None:
        wait = max(1, math.ceil((until - datetime.now(timezone.utc)).total_seconds()))
        raise too_many_attempts(f"Too many wrong passwords; try again in {wait} seconds.", wait)


def record_failure(caller: Caller) -> None:
    """Count a wrong password for each of the caller's subjects, and lock those past their limit."""
    for scope, key, limit in (("pair", caller.pair, PAIR_LIMIT), ("address", caller.address, ADDRESS_LIMIT),
                              ("account", caller.account, ACCOUNT_LIMIT)):
        failures = db.session.execute(SIGN_IN_FAILED, {"scope": scope, "key": key, "window": WINDOW}).scalar_one()
        if failures >= limit:
            lock = min(LONGEST_LOCK, FIRST_LOCK * 2 ** min(failures - limit, 10))
            db.session.execute(SIGN_IN_LOCK, {"scope": scope, "key": key, "lock": lock})
    db.session.commit()


def record_success(caller: Caller) -> None:
    """A right password clears the count of its account from its address (the others run out with
    their window: a success between guesses must not reset them), and makes the address known."""
    db.session.execute(SIGN_IN_SUCCEEDED, {"pair": caller.pair})
    db.session.commit()


def forget_old() -> int:
    """Delete counts whose window and lock are long over, and addresses not signed in from within
    KNOWN_FOR; returns how many rows. The caller commits."""
    return (db.session.execute(SIGN_IN_FORGET_OLD).rowcount
            + db.session.execute(SIGN_IN_FORGET_KNOWN, {"known_for": KNOWN_FOR}).rowcount)
