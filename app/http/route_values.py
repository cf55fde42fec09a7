"""Values taken from URL paths fit the columns they are compared with, for every route at once.

werkzeug's own <int:...> matches any Unicode digit (its regex is \\d+) and int() reads '１' or '١' as 1,
so /projects/１ would open project 1; and a project id of 2^31 reaches PostgreSQL as an integer out of
range (a 500). The converter here accepts ASCII digits only, and the check below answers a
number no row can have with the 404 a missing row gets. A string parameter longer than its column is
refused with 400.13 before any SQL, and identifiers are compared in NFC.

Every route parameter must be listed in ROUTE_VALUES (a test walks the URL map), so a new route
cannot skip the check.
"""
from dataclasses import dataclass
from urllib.parse import quote

from flask import Flask, request
from werkzeug.routing import BaseConverter, UnicodeConverter, ValidationError

from ..problems import not_found
from ..services import column_limits as limits


@dataclass(frozen=True)
class NotAColumn:
    """A route value compared with no column: `checked_by` says what checks it instead."""
    checked_by: str


_TILE = NotAColumn("app.services.coverage.tiles.check_tile: the Web Mercator grid's range, 400 outside it")

ROUTE_VALUES = {
    "project_id": limits.PROJECT_ID,
    "xml_form_id": limits.XML_FORM_ID,
    "household_id": limits.HOUSEHOLD_ID,
    "household_row": limits.HOUSEHOLD_ROW,
    "lead_id": limits.LEAD_ID,
    "village": limits.PLACE_CODE,
    "instance_id": limits.INSTANCE_ID,
    "version_id": limits.SUBMITTED_INSTANCE_ID,     # a submission version's own instanceID
    "name": limits.MEDIA_FILE_NAME,     # a form attachment's file name
    # The draft test code in /v1/test/{token}/..., and a public link's in /f/{token} (14 characters, which
    # services/self_report/links.open_link checks before any SQL).
    "token": limits.DRAFT_TOKEN,
    "z": _TILE, "x": _TILE, "y": _TILE,
    "table": NotAColumn("app.services.submissions.odata._resolve: a path of the form's own tables, 404 "
                        "otherwise; a key in it is compared with its column as text"),
    # An app user's or a public link's actor id (Central names both by their actor).
    "actor_id": limits.ACTOR_ID,
    "role_id": NotAColumn("app.core.central_roles.role_named: an id or system name of the role table, 404 otherwise"),
    "dataset": NotAColumn("app.services.registry.entity_list.require_list: the one list 'households', 404 otherwise"),
    "uuid": NotAColumn("app.services.registry.entity_list.household_entity: read as a UUID first, 404 otherwise"),
    "filename": NotAColumn("Flask's static files: safe_join within the static folder, 404 otherwise"),
}


class AsciiIntegerConverter(BaseConverter):
    """<int:...> for row ids: ASCII digits only (RFC 3986 DIGIT), as a Python int."""
    regex = r"[0-9]+"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        if len(value) > 40:     # no column holds it; and int() of thousands of digits is quadratic
            raise ValidationError()
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def path_segment(value) -> str:
    """A value as one URL path segment: every reserved character percent-encoded, '/' included, and a value
    of only dots too, so that no value (an instanceID a client chose: 'uuid:../../leads/1') makes a link
    that leaves its place in the path."""
    quoted = quote(str(value), safe="")
    return quoted.replace(".", "%2E") if set(quoted) == {"."} else quoted


class SegmentConverter(UnicodeConverter):
    """The default converter, writing URLs (url_for) with path_segment."""

    def to_url(self, value) -> str:
        return path_segment(value)


def install(app: Flask) -> None:
    """Before any blueprint is registered: rules pick their converters when they are added."""
    app.url_map.converters["int"] = AsciiIntegerConverter
    app.url_map.converters["default"] = SegmentConverter
    app.url_map.converters["string"] = SegmentConverter
    app.add_template_filter(path_segment, "segment")
    app.before_request(check_route_values)


def check_route_values() -> None:
    """404 for an id no row can have; 400.13 for a string longer than its column; identifiers in NFC."""
    values = request.view_args
    if not values:
        return
    for name, value in values.items():
        field = ROUTE_VALUES.get(name)
        if field is None or isinstance(field, NotAColumn):
            continue
        if isinstance(field, limits.IdField):
            if not field.fits(value):
                raise not_found(f"There is no {field.label} {value}.")
        else:
            values[name] = field.clean(value)
