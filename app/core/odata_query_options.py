"""The OData system query options of an entity feed (`….svc/Entities`), read from a query string.

What Central accepts, and how (central-backend lib/http/endpoint.js odataPreprocessor, lib/util/odata.js
extractPaging, lib/util/db.js QueryOptions.fromODataRequestEntities and parseSkiptoken):

- any parameter outside $format $count $skip $top $filter $wkt $expand $select $skiptoken $orderby $search
  is 501.1, as are $expand other than '*' and $expand with $select;
- $skip is ignored when $skiptoken is given; $count=true asks for @odata.count; a boolean is compared
  case-insensitively (lib/util/http.js isTrue), so pyodk's `True` counts;
- a $skiptoken is '01' and base64 of a JSON object: an entity feed's names the last entity sent ({"uuid"}).

Dixian's differences: option names are read case-insensitively too (OData 4.01 allows `$TOP`), the same
option twice is 400.8, a $top or $skip that is not a whole number is 400.8 (Central's parseInt reads
'10abc' as 10), and $orderby and $search (which Central offers on entities) are 501.1: the registry feed
is in one order, newest first. $wkt is read and has no effect (no entity property is a geometry type).

Pure: no Flask, no SQLAlchemy.
"""
import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from ..problems import invalid_skiptoken, odata_not_implemented, unexpected_value

SUPPORTED = ("$format", "$count", "$skip", "$top", "$filter", "$wkt", "$expand", "$select", "$skiptoken",
             "$orderby", "$search")
NOT_OFFERED = ("$orderby", "$search")
SKIPTOKEN_VERSION = "01"
_MAX_DIGITS = 15          # a $top or $skip beyond any table; and int() of a long string is slow


@dataclass(frozen=True)
class FeedOptions:
    top: int | None = None                 # None: every row
    skip: int = 0
    count: bool = False
    filter: str | None = None
    select: tuple[str, ...] | None = None  # None: every property ($select absent or '*')
    after: str | None = None               # the $skiptoken's entity uuid: rows after it


def skiptoken(after_uuid: str) -> str:
    """The $skiptoken of the page after the entity `after_uuid`, as Central writes it (QueryOptions.getSkiptoken)."""
    return SKIPTOKEN_VERSION + base64.b64encode(json.dumps({"uuid": after_uuid}).encode()).decode()


def feed_options(pairs: Iterable[tuple[str, str]]) -> FeedOptions:
    """The options of a query string's (name, value) pairs. Raises Problem 501.1 for an option this server does
    not offer, 400.8 for a value it cannot read or an option given twice, 400.35 for a bad $skiptoken."""
    given: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        if key not in SUPPORTED or key in NOT_OFFERED:
            raise odata_not_implemented(name)
        if key in given:
            raise unexpected_value(key, f"{key} is given more than once.")
        given[key] = value
    expand = given.get("$expand")
    if expand is not None and expand != "*":
        raise odata_not_implemented(f"$expand={expand}")
    if expand is not None and "$select" in given:
        raise odata_not_implemented("$select with $expand")
    _format(given.get("$format"))
    _boolean("$wkt", given.get("$wkt"))
    after = _after(given["$skiptoken"]) if "$skiptoken" in given else None
    return FeedOptions(top=_whole("$top", given.get("$top")),
                       skip=0 if after is not None else (_whole("$skip", given.get("$skip")) or 0),
                       count=_boolean("$count", given.get("$count")),
                       filter=given.get("$filter") or None,
                       select=_select(given.get("$select")), after=after)


def _whole(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > _MAX_DIGITS:
        raise unexpected_value(name, f"{name} is a whole number of rows, 0 or more.")
    return int(text)


def _boolean(name: str, value: str | None) -> bool:
    if value is None or value.lower() == "false":
        return False
    if value.lower() == "true":
        return True
    raise unexpected_value(name, f"{name} is true or false.")


def _format(value: str | None) -> None:
    # JSON is what the feed speaks; Central answers an XML/Atom $format on a JSON endpoint with a refusal too.
    if value is not None and value.lower().split(";")[0].strip() not in ("json", "application/json"):
        raise odata_not_implemented(f"$format={value}")


def _select(value: str | None) -> tuple[str, ...] | None:
    if value is None or value.strip() in ("", "*"):
        return None
    return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def _after(token: str) -> str:
    """The uuid a $skiptoken names. Raises Problem 400.35 for anything but Central's form of one."""
    if not token.startswith(SKIPTOKEN_VERSION):
        raise invalid_skiptoken()
    try:
        data = json.loads(base64.b64decode(token[len(SKIPTOKEN_VERSION):], validate=True))
        return str(UUID(data["uuid"]))
    except (binascii.Error, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        raise invalid_skiptoken() from None
