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

The expression is parsed by odata-query (a maintained OData v4 grammar), whose SQLAlchemy visitor is taught
the names above and checks each comparison's types first, so that a mismatch is a 400 and never reaches
PostgreSQL as an error.
"""
import dataclasses
import logging

from odata_query import ast
from odata_query import exceptions as odata_errors
from odata_query.grammar import ODataLexer, ODataParser
from odata_query.sqlalchemy.core import AstToSqlAlchemyCoreVisitor
from sqlalchemy import Boolean, ColumnElement, exists, not_

from ..models import RiskFlag, Submission
from ..problems import (
    unparseable_odata_expression,
    unsupported_odata_expression,
    unsupported_odata_field,
)

FLAG = "__dixian/flag"
# odata-query warns for each startswith() on a property of a complex type that it cannot type itself; the
# visitor below checks types, so the warning is noise in every such request's log.
logging.getLogger("odata_query").setLevel(logging.ERROR)

# The properties a filter or an ordering may name, with the column and its kind.
PROPERTIES: dict[str, tuple[ColumnElement, str]] = {
    "__id": (Submission.instance_id, "text"),
    "__system/submissionDate": (Submission.created_at, "moment"),
    "__system/updatedAt": (Submission.updated_at, "moment"),
    "__system/deletedAt": (Submission.deleted_at, "moment"),
    "__system/submitterId": (Submission.submitter_id, "integer"),
    "__system/reviewState": (Submission.review_state, "text"),
    "__dixian/placeCode": (Submission.admin_code, "text"),
}
_PARTS = {"year", "month", "day", "hour", "minute", "second"}     # Central's functions of a moment
_TEXT_FUNCTIONS = {"startswith", "endswith", "contains"}
_INTEGER_RANGE = (-2**31, 2**31 - 1)     # submitter ids are PostgreSQL integers: beyond, an error, not a match
_COMPARISONS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _name(node) -> str | None:
    if isinstance(node, ast.Identifier):
        return ".".join(node.namespace + (node.name,))
    if isinstance(node, ast.Attribute) and isinstance(node.owner, ast.Identifier):
        return f"{node.owner.name}/{node.attr}"
    return None


def _kind(node) -> str:
    """What an expression is (text, moment, integer, boolean or null), checked all the way down, so that
    nothing PostgreSQL would refuse (`1 eq 'a'`, `1 and 2`, a number beyond the column) reaches it: those
    are 400.18 before any row is read. Raises Problem 400.18, 501.4 (an operator or function not offered)
    or 501.5 (a property not filterable)."""
    if isinstance(node, (ast.Identifier, ast.Attribute)):
        name = _name(node)
        if name not in PROPERTIES:
            raise unsupported_odata_field(name or type(node).__name__)
        return PROPERTIES[name][1]
    if isinstance(node, ast.String):
        return "text"
    if isinstance(node, ast.Integer):
        if not _INTEGER_RANGE[0] <= node.py_val <= _INTEGER_RANGE[1]:
            raise unparseable_odata_expression(f"the number {node.val[:30]} is out of range.")
        return "integer"
    if isinstance(node, ast.Float):
        return "fraction"
    if isinstance(node, (ast.DateTime, ast.Date)):
        return "moment"
    if isinstance(node, ast.Boolean):
        return "boolean"
    if isinstance(node, ast.Null):
        return "null"
    if isinstance(node, ast.Call):
        return _call_kind(node)
    if isinstance(node, ast.BoolOp):
        if _kind(node.left) != "boolean" or _kind(node.right) != "boolean":
            raise unparseable_odata_expression("and / or join conditions.")
        return "boolean"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        if _kind(node.operand) != "boolean":
            raise unparseable_odata_expression("not takes a condition.")
        return "boolean"
    if isinstance(node, ast.Compare):
        return _compare_kind(node)
    if isinstance(node, ast.BinOp):
        raise unsupported_odata_expression("arithmetic", type(node.op).__name__)
    raise unsupported_odata_expression("expression", type(node).__name__)


def _call_kind(node: ast.Call) -> str:
    name = node.func.name.lower()
    if name == "now":
        if node.args:
            raise unparseable_odata_expression("now() takes no arguments.")
        return "moment"
    if name in _PARTS:
        if len(node.args) != 1 or _kind(node.args[0]) != "moment":
            raise unparseable_odata_expression(f"{name}() takes one date property such as __system/submissionDate.")
        return "integer"
    if name in _TEXT_FUNCTIONS:
        if len(node.args) != 2 or not isinstance(node.args[0], (ast.Identifier, ast.Attribute)) \
                or _kind(node.args[0]) != "text" or not isinstance(node.args[1], ast.String):
            raise unparseable_odata_expression(f"{name}() takes a text property and a text in quotes.")
        return "boolean"
    raise unsupported_odata_expression("function", node.func.name[:40])


def _compare_kind(node: ast.Compare) -> str:
    if FLAG in (_name(node.left), _name(node.right)):
        code = node.right if _name(node.left) == FLAG else node.left
        if not isinstance(node.comparator, (ast.Eq, ast.NotEq)) or not isinstance(code, ast.String):
            raise unparseable_odata_expression("__dixian/flag is compared with eq or ne and a flag code in quotes.")
        return "boolean"
    left = _kind(node.left)
    if isinstance(node.comparator, ast.In):
        if not isinstance(node.right, ast.List) or not node.right.val:
            raise unparseable_odata_expression("in takes a list of values in parentheses.")
        if any(_kind(value) != left for value in node.right.val):
            raise unparseable_odata_expression("in compares with values of the same kind.")
        return "boolean"
    if not isinstance(node.comparator, _COMPARISONS):
        raise unsupported_odata_expression("operator", type(node.comparator).__name__)
    right = _kind(node.right)
    if "null" in (left, right):
        if not isinstance(node.comparator, (ast.Eq, ast.NotEq)):
            raise unparseable_odata_expression("null is compared with eq or ne only.")
    elif left != right:
        raise unparseable_odata_expression(f"one side is {left}, the other {right}.")
    return "boolean"


class _SubmissionVisitor(AstToSqlAlchemyCoreVisitor):
    """odata-query's visitor for Submission's properties and Dixian's flag test, on a tree _kind has
    checked."""

    def __init__(self):
        super().__init__(Submission.__table__)

    def visit_Identifier(self, node: ast.Identifier) -> ColumnElement:
        return PROPERTIES[_name(node)][0]

    def visit_Attribute(self, node: ast.Attribute) -> ColumnElement:
        return PROPERTIES[_name(node)][0]

    def visit_Compare(self, node: ast.Compare) -> ColumnElement:
        if FLAG in (_name(node.left), _name(node.right)):
            code = node.right if _name(node.left) == FLAG else node.left
            has = exists().where(RiskFlag.submission_version_id == Submission.current_version_id,
                                 RiskFlag.code == code.val)
            return has if isinstance(node.comparator, ast.Eq) else not_(has)
        node = _submitter_as_number(node)
        if isinstance(node.comparator, (ast.Eq, ast.NotEq)):
            # Central compares with eq and ne NULL-safely (IS [NOT] DISTINCT FROM, lib/data/odata-filter.js):
            # `__system/reviewState ne 'approved'` holds for a submission not yet reviewed.
            left, right = self.visit(node.left), self.visit(node.right)
            return (left.is_not_distinct_from(right) if isinstance(node.comparator, ast.Eq)
                    else left.is_distinct_from(right))
        return super().visit_Compare(node)


def _submitter_as_number(node: ast.Compare) -> ast.Compare:
    """`__system/submitterId eq '5'` as `eq 5`: Central's rows give the id as a string, so clients filter
    with one."""
    for name, value in (("left", node.left), ("right", node.right)):
        other = node.right if name == "left" else node.left
        if _name(other) == "__system/submitterId" and isinstance(value, ast.String) and value.val.isascii() \
                and value.val.isdigit() and len(value.val) < 10:
            return dataclasses.replace(node, **{name: ast.Integer(value.val)})
    return node


def _as_numbers(tree):
    """The tree with each `__system/submitterId eq '5'` read as `eq 5` (checked as it will be visited)."""
    if isinstance(tree, ast.Compare):
        return _submitter_as_number(tree)
    if isinstance(tree, ast.BoolOp):
        return dataclasses.replace(tree, left=_as_numbers(tree.left), right=_as_numbers(tree.right))
    if isinstance(tree, ast.UnaryOp):
        return dataclasses.replace(tree, operand=_as_numbers(tree.operand))
    return tree


def filter_condition(expression: str) -> ColumnElement[bool]:
    """The SQL condition of a $filter. Raises Problem 400.18 (not OData, or types that cannot be compared),
    501.4 (an operator or function this server does not evaluate), 501.5 (a property other than those above)."""
    if len(expression) > 2000:
        raise unparseable_odata_expression("the expression is longer than 2,000 characters.")
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(expression))
    except odata_errors.ODataSyntaxError as e:
        raise unparseable_odata_expression(str(e)[:200]) from None
    except (odata_errors.ODataException, RecursionError, ValueError) as e:
        raise unparseable_odata_expression(str(e)[:200] or "not an expression") from None
    if tree is None:
        raise unparseable_odata_expression("the expression is empty.")
    if _kind(_as_numbers(tree)) != "boolean":
        raise unparseable_odata_expression("a $filter is a condition (true or false for each row).")
    try:
        condition = _SubmissionVisitor().visit(tree)
    except (odata_errors.UnsupportedFunctionException, odata_errors.UnknownFunctionException) as e:
        raise unsupported_odata_expression("function", str(e)[:80]) from None
    except odata_errors.InvalidFieldException as e:
        raise unsupported_odata_field(str(e)[:80]) from None
    except (odata_errors.ODataException, NotImplementedError, TypeError, ValueError, RecursionError) as e:
        raise unparseable_odata_expression(str(e)[:200] or type(e).__name__) from None
    if not isinstance(condition, ColumnElement) or not isinstance(condition.type, Boolean):
        raise unparseable_odata_expression("a $filter is a condition (true or false for each row).")
    return condition


def order_columns(expression: str) -> list[ColumnElement]:
    """ORDER BY terms of an $orderby ('__system/submissionDate desc, __id'). Raises Problem 400.18 for a
    malformed term and 501.5 for a property other than those filters may name."""
    terms = []
    for part in expression.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise unparseable_odata_expression("$orderby is properties, each optionally followed by asc or desc.")
        if words[0] not in PROPERTIES:
            raise unsupported_odata_field(words[0][:80])
        column = PROPERTIES[words[0]][0]
        terms.append(column.desc().nulls_last() if len(words) == 2 and words[1].lower() == "desc"
                     else column.asc().nulls_first())
    return terms
