"""The OData query options of a request, read as ODK Central reads them (central-backend lib/http/endpoint.js
odataPreprocessor, lib/util/odata.js extractPaging/extractOptions, lib/util/http.js isTrue), for every OData
feed here: a form's submissions and the households Entity List.

Central accepts $format $count $skip $top $filter $wkt $expand $select $skiptoken $orderby $search and answers
501.1 for any other parameter, for $search, for $expand other than `*` and for $expand with $select. Booleans
compare case-insensitively: pyodk sends Python's `True`. Dixian's differences: option names are read
case-insensitively too ($Top, as OData 4.01 allows), the same option twice is 400.8, and a $top, $skip or
boolean that is not one is 400.8 (Central's parseInt reads '10abc' as 10).

A $skiptoken is opaque to clients, who only follow @odata.nextLink; each feed writes and reads its own
(submissions: make_skiptoken/read_skiptoken here; entities: entity_skiptoken/read_entity_skiptoken).

Pure: query parameters in, QueryOptions out; Problems for what cannot be used.
"""
import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from ..problems import invalid_skiptoken, odata_not_implemented, unexpected_value

KNOWN = ("$format", "$count", "$skip", "$top", "$filter", "$wkt", "$expand", "$select", "$skiptoken",
         "$orderby", "$search")
TOKEN_VERSION = "01"
MAX_INT = 2**62           # a $top or $skip beyond this is no page of anything


@dataclass(frozen=True)
class Position:
    """Where a page of submissions ended: the last row's submission id and, in a repeat table, its positions
    (1-based, outermost repeat first)."""
    submission_id: int
    repeat_positions: tuple[int, ...] = ()


@dataclass(frozen=True)
class QueryOptions:
    top: int | None = None          # None: every row, streamed
    skip: int = 0                   # 0 when a $skiptoken is given (it says where to go on)
    skiptoken: str | None = None    # as sent; the feed reads its own
    count: bool = False
    select: tuple[str, ...] | None = None
    filter: str | None = None
    orderby: str | None = None
    wkt: bool = False
    expand: bool = False


def is_true(value: str | None) -> bool:
    """Central's isTrue: 'true' in any case."""
    return value is not None and value.strip().lower() == "true"


def read_options(pairs: Iterable[tuple[str, str]]) -> QueryOptions:
    """QueryOptions from a query string's (name, value) pairs (Flask: request.args.items(multi=True)).

    Raises Problem 501.1 for any other parameter, $search, an $expand other than *, $expand with $select, or a
    $format other than JSON; Problem 400.8 for an option given twice, or a $top, $skip or boolean that is
    not one."""
    given: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        if key not in KNOWN:
            raise odata_not_implemented(name[:40])
        if key in given:
            raise unexpected_value(key, f"{key} is given more than once.")
        given[key] = value
    if "$search" in given:
        raise odata_not_implemented("$search")
    fmt = given.get("$format")
    if fmt is not None and not _minimal_json(fmt):
        raise odata_not_implemented(f"$format={fmt[:40]}")
    expand = given.get("$expand")
    if expand is not None and expand.strip() != "*":
        raise odata_not_implemented(f"$expand={expand[:40]}")
    select = given.get("$select")
    selected = None if select is None or select.strip() in ("", "*") else \
        tuple(dict.fromkeys(p.strip() for p in select.split(",") if p.strip()))
    if expand is not None and selected is not None:
        raise odata_not_implemented("$expand together with $select")
    skiptoken = given.get("$skiptoken") or None
    return QueryOptions(
        top=_whole(given.get("$top"), "$top"),
        skip=0 if skiptoken else (_whole(given.get("$skip"), "$skip") or 0), skiptoken=skiptoken,
        count=_boolean(given.get("$count"), "$count"), select=selected,
        filter=(given.get("$filter") or "").strip() or None, orderby=(given.get("$orderby") or "").strip() or None,
        wkt=_boolean(given.get("$wkt"), "$wkt"), expand=expand is not None)


def _minimal_json(fmt: str) -> bool:
    """JSON as these feeds write it: `json` or `application/json`, with no parameter but
    odata.metadata=minimal (full metadata, for one, is not written)."""
    kind, *parameters = (part.strip().lower() for part in fmt.split(";"))
    return kind in ("json", "application/json") and all(p == "odata.metadata=minimal" for p in parameters)


def _whole(value: str | None, name: str) -> int | None:
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_INT:
        raise unexpected_value(name, f"{name} is a whole number of rows, 0 or more.")
    return int(text)


def _boolean(value: str | None, name: str) -> bool:
    if value is None or value.strip().lower() in ("", "false"):
        return False
    if is_true(value):
        return True
    raise unexpected_value(name, f"{name} is true or false.")


def make_skiptoken(position: Position) -> str:
    """The submissions' $skiptoken that continues after `position`."""
    body = {"s": position.submission_id}
    if position.repeat_positions:
        body["n"] = list(position.repeat_positions)
    return TOKEN_VERSION + base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode()


def read_skiptoken(token: str) -> Position:
    """The Position a submissions' $skiptoken holds. Raises Problem 400.35 (Central's odataInvalidSkiptoken,
    as the entity feed's) for one this server did not write."""
    try:
        if not token.startswith(TOKEN_VERSION) or len(token) > 200:
            raise ValueError
        body = json.loads(base64.urlsafe_b64decode(token[len(TOKEN_VERSION):].encode("ascii")))
        submission_id, positions = body["s"], body.get("n", [])
        if not (_plain_int(submission_id) and isinstance(positions, list) and len(positions) <= 16
                and all(_plain_int(n) for n in positions)):
            raise ValueError
        return Position(submission_id, tuple(positions))
    except (ValueError, KeyError, TypeError, UnicodeEncodeError, binascii.Error):
        raise invalid_skiptoken() from None


def _plain_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_INT


def entity_skiptoken(after_uuid: str) -> str:
    """The entity feed's $skiptoken of the page after the entity `after_uuid`, as Central writes it
    (lib/util/db.js QueryOptions.getSkiptoken: '01' and base64 of {"uuid"})."""
    return TOKEN_VERSION + base64.b64encode(json.dumps({"uuid": after_uuid}).encode()).decode()


def read_entity_skiptoken(token: str) -> str:
    """The uuid an entity feed's $skiptoken names. Raises Problem 400.35 (Central's odataInvalidSkiptoken) for
    anything but Central's form of one."""
    if not token.startswith(TOKEN_VERSION):
        raise invalid_skiptoken()
    try:
        data = json.loads(base64.b64decode(token[len(TOKEN_VERSION):], validate=True))
        return str(UUID(data["uuid"]))
    except (binascii.Error, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        raise invalid_skiptoken() from None
