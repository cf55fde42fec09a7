"""OData $filter expressions: parsed by odata-query (a maintained OData v4 grammar), checked kind by kind,
then turned into a SQLAlchemy condition. The submissions' filter (queries/odata_filter.py) and the households
Entity List's (services/registry/entity_filter.py) are each a Kinds and a ToSql saying what their names
mean; the rest is here.

What Central evaluates (central-backend lib/data/odata-filter.js): comparisons eq ne lt le gt ge, and, or,
not, and the functions now() year() month() day() hour() minute() second(); eq and ne are NULL-safe
(IS [NOT] DISTINCT FROM). Every expression's kind (text, moment, number, boolean, null) is worked out before
any SQL, so that nothing PostgreSQL would refuse (`1 eq 'a'`, `1 and 2`, a number beyond the column, a date
that is none) reaches it: those are 400.18, with Central's other codes for what is not offered (501.4) and
what may not be filtered on (501.5).
"""
import math

from odata_query import ast, exceptions
from odata_query.grammar import ODataLexer, ODataParser
from odata_query.roundtrip import AstToODataVisitor
from odata_query.sqlalchemy.core import AstToSqlAlchemyCoreVisitor
from sqlalchemy import ColumnElement

from ..problems import Problem, unparseable_odata_expression, unsupported_odata_expression, unsupported_odata_field

TEXT, MOMENT, NUMBER, BOOLEAN, NULL = "text", "moment", "number", "boolean", "null"
MAX_DEPTH = 64       # nodes from the top of a filter down to its deepest; no one writes more by hand
EXTRACTS = ("year", "month", "day", "hour", "minute", "second")
COMPARISONS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def parse(text: str) -> ast._Node:
    """The expression's tree. Raises Problem 400.18 for one that is too deep, empty or not OData (saying
    where, not quoting: the text is the caller's own, and may hold anything). Its length is the request
    line's, which the front door bounds."""
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(text))
    except (exceptions.TokenizingException, exceptions.ParsingException) as e:
        where = f"at character {e.token.index + 1}" if getattr(e, "token", None) is not None else "at its end"
        raise unparseable_odata_expression(f"unexpected input {where}.") from None
    except exceptions.ODataException as e:          # an unknown function, a wrong number of arguments
        raise unparseable_odata_expression(str(e)[:200]) from None
    except (RecursionError, NotImplementedError, ValueError, TypeError, IndexError):
        raise unparseable_odata_expression("it is nested too deeply or uses an unreadable form.") from None
    if tree is None:
        raise unparseable_odata_expression("the expression is empty.")
    if _depth(tree) > MAX_DEPTH:
        # Checking, translating and compiling all recurse: `not not … true` a few thousand deep would end as a
        # RecursionError (a 500) in one of them.
        raise unparseable_odata_expression(f"it is nested more than {MAX_DEPTH} deep.")
    return tree


def _depth(tree: ast._Node) -> int:
    """How deeply the tree nests (at most MAX_DEPTH + 1), walked without recursion. A run of one operator
    (`a or b or c ...`, as a client writes for a list of ids) is one level: SQLAlchemy flattens it."""
    deepest, waiting = 0, [(tree, 1)]
    while waiting:
        node, depth = waiting.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        for value in vars(node).values():
            for child in (value if isinstance(value, list) else [value]):
                if isinstance(child, ast._Node):
                    same_run = isinstance(node, ast.BoolOp) and isinstance(child, ast.BoolOp) \
                        and type(child.op) is type(node.op)
                    waiting.append((child, depth if same_run else depth + 1))
    return deepest


def name_of(node: ast._Node) -> str | None:
    """'__id', '__system/createdAt', a property's name; None for anything that is no name."""
    if isinstance(node, ast.Identifier):
        return node.full_name()
    if isinstance(node, ast.Attribute):
        owner = name_of(node.owner)
        return f"{owner}/{node.attr}" if owner is not None and isinstance(node.attr, str) else None
    return None


def printed(node: ast._Node) -> str:
    """The node as OData text, for a message."""
    try:
        return AstToODataVisitor().visit(node)[:80]
    except Exception:      # noqa: BLE001  a node the printer does not know: its kind names it well enough
        return type(node).__name__


class Kinds:
    """The kind of each expression of a filter, and a Problem for anything that cannot become valid SQL.
    A subclass says what names mean (field) and may offer more functions, `in`, or comparisons of its own."""

    integer_range = (-2 ** 63, 2 ** 63 - 1)     # whole numbers the columns compared with can take

    def field(self, node: ast._Node, name: str | None) -> str:
        """The kind of the property `name`; raises Problem 400.23 or 501.5 for one not filterable."""
        raise unsupported_odata_field(name or printed(node))

    def function(self, node: ast.Call, name: str) -> str:
        """The kind of a call to a function other than now() and the EXTRACTS."""
        raise unsupported_odata_expression("function", printed(node))

    def within(self, node: ast.Compare) -> str:
        """The kind of `x in (...)`."""
        raise unsupported_odata_expression("operator", "in")

    def comparison(self, node: ast.Compare) -> str | None:
        """The kind of a comparison this filter reads its own way; None for the usual way."""
        return None

    def comparable(self, node: ast.Compare, left: str, right: str) -> bool:
        """Whether sides of two different kinds may still be compared (a subclass writes one as the other)."""
        return False

    def kind(self, node: ast._Node) -> str:
        if isinstance(node, (ast.Identifier, ast.Attribute)):
            return self.field(node, name_of(node))
        if isinstance(node, ast.String):
            if "\x00" in node.val:
                raise unparseable_odata_expression("a text holds a NUL character.")
            return TEXT
        if isinstance(node, ast.Integer):
            return NUMBER
        if isinstance(node, ast.Float):
            if not math.isfinite(node.py_val):
                raise unparseable_odata_expression(f"{node.val[:30]} is beyond the numbers this server compares.")
            return NUMBER
        if isinstance(node, ast.Boolean):
            return BOOLEAN
        if isinstance(node, ast.Null):
            return NULL
        if isinstance(node, (ast.DateTime, ast.Date)):
            try:
                _ = node.py_val         # reading it checks it: 2026-02-30 is no date
            except (ValueError, OverflowError):
                raise unparseable_odata_expression(f"{node.val[:40]} is no date or time.") from None
            return MOMENT
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.BoolOp):
            if self.kind(node.left) != BOOLEAN or self.kind(node.right) != BOOLEAN:
                raise unparseable_odata_expression("and and or join conditions, not values.")
            return BOOLEAN
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            if self.kind(node.operand) != BOOLEAN:
                raise unparseable_odata_expression("not applies to a condition, not a value.")
            return BOOLEAN
        if isinstance(node, ast.BinOp):
            raise unsupported_odata_expression("arithmetic", printed(node))
        raise unsupported_odata_expression(type(node).__name__, printed(node))

    def _call(self, node: ast.Call) -> str:
        name = node.func.full_name().lower()
        if name == "now":
            if node.args:
                raise unparseable_odata_expression("now() takes no arguments.")
            return MOMENT
        if name in EXTRACTS:
            if len(node.args) != 1 or self.kind(node.args[0]) != MOMENT:
                raise unparseable_odata_expression(f"{name}() takes one date and time, such as a __system date.")
            return NUMBER
        return self.function(node, name)

    def _compare(self, node: ast.Compare) -> str:
        if (own := self.comparison(node)) is not None:
            return own
        if isinstance(node.comparator, ast.In):
            return self.within(node)
        if not isinstance(node.comparator, COMPARISONS):
            raise unsupported_odata_expression("operator", type(node.comparator).__name__)
        left, right = self.kind(node.left), self.kind(node.right)
        if isinstance(node.comparator, ORDERING) and (NULL in (left, right) or BOOLEAN in (left, right)):
            raise unparseable_odata_expression("null, true, false and conditions are compared with eq or ne only.")
        if NULL not in (left, right):
            if self.comparable(node, left, right):
                return BOOLEAN               # the subclass writes one side as the other (ToSql.side)
            if left != right:
                raise unparseable_odata_expression(f"{printed(node)} compares a {left} value with a {right} one.")
        for side in (node.left, node.right):
            self.check_range(side)
        return BOOLEAN

    def check_range(self, node: ast._Node) -> None:
        """Raises Problem 400.18 for a whole number the columns compared with cannot take: PostgreSQL would
        fail on it, where it should match nothing."""
        if isinstance(node, ast.Integer) and not self.integer_range[0] <= node.py_val <= self.integer_range[1]:
            raise unparseable_odata_expression(f"{node.val[:30]} is beyond the numbers this server compares.")


class ToSql(AstToSqlAlchemyCoreVisitor):
    """odata-query's SQLAlchemy Core visitor, with a subclass's names for columns (column) and its way of
    writing a literal beside one (side), and Central's NULL-safe eq and ne. Runs only on a tree its Kinds
    accepted."""

    def column(self, name: str | None) -> ColumnElement:
        raise NotImplementedError

    def side(self, node: ast._Node, other: ast._Node) -> ColumnElement:
        """One side of a comparison, written as the other side needs it (by default, as it is)."""
        return self.visit(node)

    def visit_Identifier(self, node: ast.Identifier) -> ColumnElement:
        return self.column(name_of(node))

    def visit_Attribute(self, node: ast.Attribute) -> ColumnElement:
        return self.column(name_of(node))

    def visit_Compare(self, node: ast.Compare) -> ColumnElement[bool]:
        if isinstance(node.comparator, ast.In):
            return super().visit_Compare(node)
        left, right = self.side(node.left, node.right), self.side(node.right, node.left)
        if isinstance(node.comparator, (ast.Eq, ast.NotEq)):
            if isinstance(node.left, ast.Null) or isinstance(node.right, ast.Null):
                # IS NULL / IS NOT NULL, which an index can use (Central writes these the same way), with the
                # value first: `null eq x` written as NULL = x would match nothing.
                value = right if isinstance(node.left, ast.Null) else left
                return value.is_(None) if isinstance(node.comparator, ast.Eq) else value.is_not(None)
            # `__system/reviewState ne 'approved'` holds for a submission not yet reviewed, as in Central.
            return left.is_not_distinct_from(right) if isinstance(node.comparator, ast.Eq) \
                else left.is_distinct_from(right)
        return self.visit(node.comparator)(left, right)


def condition(text: str, kinds: Kinds, to_sql: ToSql) -> ColumnElement[bool]:
    """The SQL condition of the $filter `text`. Raises Problem 400.18, 400.23, 501.4 or 501.5 as above."""
    tree = parse(text)
    try:
        if kinds.kind(tree) != BOOLEAN:
            raise unparseable_odata_expression("a $filter is a condition (true or false for each row).")
        result = to_sql.visit(tree)
    except Problem:
        raise
    except RecursionError:     # a run of one operator too long to walk (the front door bounds its length)
        raise unparseable_odata_expression("it is too long to read.") from None
    except (exceptions.ODataException, NotImplementedError, TypeError, ValueError) as e:
        raise unparseable_odata_expression(str(e)[:200] or type(e).__name__) from None
    if not isinstance(result, ColumnElement):     # Kinds found a condition; SQLAlchemy may not type it (NOT (a OR b))
        raise unparseable_odata_expression("a $filter is a condition (true or false for each row).")
    return result
