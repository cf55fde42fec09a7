"""Rulesets in force: the newest version for a province and year, else the national default."""
import json
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ... import events
from ...core.rules import Ruleset, RulesetInvalid, parse_ruleset
from ...events import Kind
from ...extensions import db
from ...models import Ruleset as StoredRuleset
from ...problems import ruleset_invalid, uniqueness_violation

NATIONAL = "00"
_BUILT_IN = Path(__file__).resolve().parents[2] / "core" / "rules" / "national_floor.json"
_CACHE_TTL_S = 30.0
_cache: dict[tuple[str, int], tuple[float, Ruleset]] = {}


def save_ruleset(data: dict) -> Ruleset:
    """Check and store a ruleset; refused with the reason when a threshold is missing or contradictory."""
    try:
        ruleset = parse_ruleset(data)
    except RulesetInvalid as e:
        raise ruleset_invalid(str(e)) from None
    db.session.add(StoredRuleset(province=ruleset.province, year=ruleset.year, version=ruleset.version, body=data))
    events.record(Kind.RULESET_CREATE, subject=ruleset.label)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise uniqueness_violation(
            f"Ruleset {ruleset.label} exists already; give the new one a higher version.") from None
    forget_cached()
    return ruleset


def ruleset_for(province: str | None, year: int) -> Ruleset:
    """The ruleset in force for a province in a year (cached briefly: rules run on every submission)."""
    key = (province or NATIONAL, year)
    hit = _cache.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    ruleset = _lookup(*key)
    _cache[key] = (time.monotonic() + _CACHE_TTL_S, ruleset)
    return ruleset


def _lookup(province: str, year: int) -> Ruleset:
    for candidate in (province, NATIONAL):
        row = db.session.scalar(
            select(StoredRuleset.body).where(StoredRuleset.province == candidate, StoredRuleset.year <= year)
            .order_by(StoredRuleset.year.desc(), StoredRuleset.version.desc()).limit(1))
        if row is not None:
            return parse_ruleset(row)
    return parse_ruleset(json.loads(_BUILT_IN.read_text()))


def forget_cached() -> None:
    """Drop cached rulesets (tests, and after a bulk change made outside save_ruleset)."""
    _cache.clear()
