"""OData $filter and $orderby on submissions, as SQL conditions on Submission.

What Central allows (central-backend lib/data/odata-filter.js): comparisons (eq ne lt le gt ge), and, or, not,
on `__id` and `__system/{submissionDate, updatedAt, submitterId, reviewState, deletedAt}`, with the functions
now, year, month, day, hour, minute, second. Answers are not filterable (Central would have to read each XML;
its $metadata lists every form field as non-filterable, and so does ours).

Dixian's extension, because its answers are parsed once at ingest and its places and flags are columns:
- `__dixian/placeCode`: the 12-digit code of the village a submission is about, with eq, ne, in and
  startswith (`startswith(__dixian/placeCode, '429901001')` is a township);
- `__dixian/flag eq 'income_below_line'`: the current version has that risk flag (ne: has not);
- startswith, endswith and contains on any text property.

The expression is parsed and its kinds checked by queries/odata_expression.py, taught the names above here.
"""
import logging

from odata_query import ast
from sqlalchemy import ColumnElement, exists, literal, not_

from ..models import RiskFlag, Submission
from ..problems import unparseable_odata_expression, unsupported_odata_field
from . import odata_expression as expression
from .odata_expression import BOOLEAN, MOMENT, NUMBER, TEXT, name_of

FLAG = "__dixian/flag"
SUBMITTER = "__system/submitterId"
# odata-query warns for each startswith() on a property of a complex type that it cannot type itself; the
# kinds are checked before it runs, so the warning is noise in every such request's log.
logging.getLogger("odata_query").setLevel(logging.ERROR)

# The properties a filter or an ordering may name, with the column and its kind.
PROPERTIES: dict[str, tuple[ColumnElement, str]] = {
    "__id": (Submission.instance_id, TEXT),
    "__system/submissionDate": (Submission.created_at, MOMENT),
    "__system/updatedAt": (Submission.updated_at, MOMENT),
    "__system/deletedAt": (Submission.deleted_at, MOMENT),
    SUBMITTER: (Submission.submitter_id, NUMBER),
    "__system/reviewState": (Submission.review_state, TEXT),
    "__dixian/placeCode": (Submission.admin_code, TEXT),
}
_TEXT_FUNCTIONS = {"startswith", "endswith", "contains"}


class _Kinds(expression.Kinds):
    integer_range = (-2 ** 31, 2 ** 31 - 1)    # submitter ids are PostgreSQL integers: beyond, an error

    def field(self, node, name):
        if name not in PROPERTIES:
            raise unsupported_odata_field(name or type(node).__name__)
        return PROPERTIES[name][1]

    def function(self, node, name):
        if name not in _TEXT_FUNCTIONS:
            return super().function(node, name)
        if len(node.args) != 2 or not isinstance(node.args[0], (ast.Identifier, ast.Attribute)) \
                or self.kind(node.args[0]) != TEXT or not isinstance(node.args[1], ast.String):
            raise unparseable_odata_expression(f"{name}() takes a text property and a text in quotes.")
        return BOOLEAN

    def within(self, node):
        left = self.kind(node.left)
        if not isinstance(node.right, ast.List) or not node.right.val:
            raise unparseable_odata_expression("in takes a list of values in parentheses.")
        if any(self.kind(value) != left for value in node.right.val):
            raise unparseable_odata_expression("in compares with values of the same kind.")
        for value in (node.left, *node.right.val):
            self.check_range(value)
        return BOOLEAN

    def comparison(self, node):
        if (code := _flag_code(node)) is None:
            return None
        if not isinstance(node.comparator, (ast.Eq, ast.NotEq)) or not isinstance(code, ast.String):
            raise unparseable_odata_expression("__dixian/flag is compared with eq or ne and a flag code in quotes.")
        return BOOLEAN

    def comparable(self, node, left, right):
        # Central's rows give the submitter's id as a string, so clients filter with one: `eq '5'` is `eq 5`.
        return _submitter_digits(node.left, node.right) or _submitter_digits(node.right, node.left)


def _flag_code(node: ast.Compare) -> ast._Node | None:
    """The side compared with __dixian/flag (the code), or None for a comparison that does not name it."""
    if name_of(node.left) == FLAG:
        return node.right
    return node.left if name_of(node.right) == FLAG else None


def _submitter_digits(value, other) -> bool:
    return name_of(other) == SUBMITTER and isinstance(value, ast.String) and value.val.isascii() \
        and value.val.isdigit() and len(value.val) < 10


class _ToSql(expression.ToSql):
    def __init__(self):
        super().__init__(Submission.__table__)

    def column(self, name):
        return PROPERTIES[name][0]

    def side(self, node, other):
        if _submitter_digits(node, other):
            return literal(int(node.val))
        return super().side(node, other)

    def visit_Compare(self, node):
        if (code := _flag_code(node)) is not None:
            has = exists().where(RiskFlag.submission_version_id == Submission.current_version_id,
                                 RiskFlag.code == code.val)
            return has if isinstance(node.comparator, ast.Eq) else not_(has)
        return super().visit_Compare(node)


def filter_condition(text: str) -> ColumnElement[bool]:
    """The SQL condition of a $filter. Raises Problem 400.18 (not OData, or types that cannot be compared),
    501.4 (an operator or function this server does not evaluate), 501.5 (a property other than those above)."""
    return expression.condition(text, _Kinds(), _ToSql())


def order_columns(text: str) -> list[ColumnElement]:
    """ORDER BY terms of an $orderby ('__system/submissionDate desc, __id'). Raises Problem 400.18 for a
    malformed term and 501.5 for a property other than those filters may name."""
    terms = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise unparseable_odata_expression("$orderby is properties, each optionally followed by asc or desc.")
        if words[0] not in PROPERTIES:
            raise unsupported_odata_field(words[0][:80])
        column = PROPERTIES[words[0]][0]
        terms.append(column.desc().nulls_last() if len(words) == 2 and words[1].lower() == "desc"
                     else column.asc().nulls_first())
    return terms
