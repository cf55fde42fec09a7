"""The OData query options of a request, read as ODK Central reads them (central-backend lib/http/endpoint.js
odataPreprocessor, lib/util/odata.js extractPaging/extractOptions, lib/util/http.js isTrue).

Central accepts $format $count $skip $top $filter $wkt $expand $select $skiptoken $orderby $search and answers
501.1 for any other $option. Booleans compare case-insensitively: pyodk sends Python's `True`. $expand takes
only `*`, and not together with $select. Option names are read case-insensitively too ($Top), as OData 4.01
allows; parameters without a $ are not OData's and are left to the caller.

A $skiptoken is this server's own: "01" and the base64url JSON of the last row given ({"s": submission id,
"n": [repeat positions]}), opaque to clients, who only follow @odata.nextLink.

Pure: a mapping of query parameters in, QueryOptions out; Problems for what cannot be used.
"""
import base64
import binascii
import json
from dataclasses import dataclass

from ..problems import odata_not_implemented, unexpected_value

KNOWN = ("$format", "$count", "$skip", "$top", "$filter", "$wkt", "$expand", "$select", "$skiptoken",
         "$orderby", "$search")
TOKEN_VERSION = "01"
MAX_INT = 2**62           # a $top or $skip beyond this is no page of anything


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last row's submission id and, in a repeat table, its positions (1-based,
    outermost repeat first)."""
    submission_id: int
    repeat_positions: tuple[int, ...] = ()


@dataclass(frozen=True)
class QueryOptions:
    top: int | None = None          # None: every row, streamed
    skip: int = 0
    after: Position | None = None   # from $skiptoken
    count: bool = False
    select: tuple[str, ...] | None = None
    filter: str | None = None
    orderby: str | None = None
    wkt: bool = False
    expand: bool = False


def is_true(value: str | None) -> bool:
    """Central's isTrue: 'true' in any case."""
    return value is not None and value.strip().lower() == "true"


def read_options(args) -> QueryOptions:
    """QueryOptions from request arguments (a mapping; for a repeated option the first value counts).

    Raises Problem 501.1 for an unknown $option, $search, an $expand other than *, $expand with $select, or a
    $format other than JSON; Problem 400.8 for a $top or $skip that is not a whole number >= 0, or a
    $skiptoken this server did not write."""
    options: dict[str, str] = {}
    for name in args.keys():
        if not name.startswith("$"):
            continue
        lowered = name.lower()
        if lowered not in KNOWN:
            raise odata_not_implemented(name[:40])
        options.setdefault(lowered, args.get(name))
    if "$search" in options:
        raise odata_not_implemented("$search")
    fmt = (options.get("$format") or "json").strip().lower()
    if fmt not in ("json", "application/json"):
        raise odata_not_implemented(f"$format={fmt[:40]}")
    expand = options.get("$expand")
    if expand is not None and expand.strip() != "*":
        raise odata_not_implemented("$expand other than *")
    select = options.get("$select")
    selected = None if select is None or select.strip() in ("", "*") else \
        tuple(p.strip() for p in select.split(",") if p.strip())
    if expand is not None and selected is not None:
        raise odata_not_implemented("$expand together with $select")
    return QueryOptions(
        top=_whole(options.get("$top"), "$top"), skip=_whole(options.get("$skip"), "$skip") or 0,
        after=read_skiptoken(options["$skiptoken"]) if options.get("$skiptoken") else None,
        count=is_true(options.get("$count")), select=selected,
        filter=(options.get("$filter") or "").strip() or None, orderby=(options.get("$orderby") or "").strip() or None,
        wkt=is_true(options.get("$wkt")), expand=expand is not None)


def _whole(value: str | None, name: str) -> int | None:
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_INT:
        raise unexpected_value(name, f"{name} is a whole number of rows, 0 or more.")
    return int(text)


def make_skiptoken(position: Position) -> str:
    """The $skiptoken that continues after `position`."""
    body = {"s": position.submission_id}
    if position.repeat_positions:
        body["n"] = list(position.repeat_positions)
    return TOKEN_VERSION + base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode()


def read_skiptoken(token: str) -> Position:
    """The Position a $skiptoken holds. Raises Problem 400.8 for one this server did not write."""
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
        raise unexpected_value("$skiptoken", "The $skiptoken is not one this server gave; follow "
                                             "@odata.nextLink as it is.") from None


def _plain_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_INT
