"""$filter on the households Entity List feed, as a SQL condition on the household table.

Central filters entities on `__id` and the system fields `__system/createdAt|updatedAt|deletedAt|creatorId|
conflict` only (central-backend lib/data/entity.js odataToColumnMap), with eq ne lt le gt ge, and or not,
and the functions now() year() month() day() hour() minute() second() (lib/data/odata-filter.js); eq and ne
are NULL-safe (IS NOT DISTINCT FROM). The same here, parsed by odata-query and turned into SQLAlchemy by a
subclass of its Core visitor that maps those names onto household columns.

Answers (Central's codes, app/problems.py): 400.18 for a filter that cannot be parsed, or whose sides cannot
be compared (`__id eq 5`, `__system/createdAt lt 'x'`: checked before any SQL, which would fail on them);
400.23 for a name that is neither a field nor a property; 501.5 for a property (the registry's columns,
`label`) or a system field Central does not filter on either; 501.4 for other operators and functions (`in`,
arithmetic, `contains`). A household is never deleted, and no one else writes it: deletedAt and conflict are
always null, creatorId always the registry's (entity_list.CREATOR_ID).
"""
from dataclasses import dataclass

from odata_query import ast, exceptions
from odata_query.grammar import ODataLexer, ODataParser
from odata_query.roundtrip import AstToODataVisitor
from odata_query.sqlalchemy.core import AstToSqlAlchemyCoreVisitor
from sqlalchemy import ColumnElement, DateTime, String, cast, literal, null

from ...models import Household
from ...problems import (
    property_not_found,
    unparseable_odata_expression,
    unsupported_odata_expression,
    unsupported_odata_field,
)
from .entity_list import CREATOR_ID, PROPERTIES, SYSTEM_FIELDS

TEXT, TIME, NUMBER, BOOLEAN, NULL, CREATOR = "text", "time", "number", "boolean", "null", "creator"
_EXTRACTS = ("year", "month", "day", "hour", "minute", "second")
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_BIGINT = (-2 ** 63, 2 ** 63 - 1)


@dataclass(frozen=True)
class _Field:
    sql: ColumnElement
    kind: str


def _fields() -> dict[str, _Field]:
    # __id compared as text: a string that is no UUID then matches nothing, where comparing it with the uuid
    # column would be a PostgreSQL error.
    return {
        "__id": _Field(cast(Household.uuid, String), TEXT),
        "__system/createdAt": _Field(Household.created_at, TIME),
        "__system/updatedAt": _Field(Household.updated_at, TIME),
        "__system/deletedAt": _Field(cast(null(), DateTime(timezone=True)), TIME),
        "__system/creatorId": _Field(literal(str(CREATOR_ID), String), CREATOR),
        "__system/conflict": _Field(cast(null(), String), TEXT),
    }


MAX_DEPTH = 64       # nodes from the top of a filter down to its deepest; no one writes more by hand


def household_filter(text: str) -> ColumnElement[bool]:
    """The SQL condition of a $filter on Household. Raises the Problems the module says."""
    tree = _parse(text)
    if _depth(tree) > MAX_DEPTH:
        # Checking, translating and compiling all recurse: `not not … true` a few thousand deep would end as a
        # RecursionError (a 500) in one of them.
        raise unparseable_odata_expression(f"it is nested more than {MAX_DEPTH} deep.")
    fields = _fields()
    if _Checker(fields).kind(tree) != BOOLEAN:
        raise unparseable_odata_expression("the filter is not a condition (a comparison, and, or, not).")
    return _ToSql(fields).visit(tree)


def _parse(text: str) -> ast._Node:
    try:
        return ODataParser().parse(ODataLexer().tokenize(text))
    except (exceptions.TokenizingException, exceptions.ParsingException) as e:
        # Where, not what: the text is the caller's own, and may hold anything.
        where = f"at character {e.token.index + 1}" if getattr(e, "token", None) is not None else "at its end"
        raise unparseable_odata_expression(f"unexpected input {where}.") from None
    except exceptions.ODataException as e:          # an unknown function, a wrong number of arguments
        raise unparseable_odata_expression(str(e)) from None
    except (RecursionError, NotImplementedError, ValueError, TypeError, IndexError):
        raise unparseable_odata_expression("it is nested too deeply or uses an unreadable form.") from None


def _depth(tree: ast._Node) -> int:
    """How deep the tree goes, walked without recursion."""
    deepest, waiting = 0, [(tree, 1)]
    while waiting:
        node, depth = waiting.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        for value in vars(node).values():
            for child in (value if isinstance(value, list) else [value]):
                if isinstance(child, ast._Node):
                    waiting.append((child, depth + 1))
    return deepest


def _text(node: ast._Node) -> str:
    try:
        return AstToODataVisitor().visit(node)
    except Exception:      # a node the printer does not know: its kind names it well enough
        return type(node).__name__


def _name(node: ast._Node) -> str | None:
    """'__id', '__system/createdAt', a property's name; None for anything that is no name."""
    if isinstance(node, ast.Identifier):
        return node.full_name()
    if isinstance(node, ast.Attribute):
        owner = _name(node.owner)
        return f"{owner}/{node.attr}" if owner is not None and isinstance(node.attr, str) else None
    return None


def _field(fields: dict[str, _Field], node: ast._Node) -> _Field:
    name = _name(node)
    if name in fields:
        return fields[name]
    if name in PROPERTIES or name == "label" or name in {f"__system/{f}" for f in SYSTEM_FIELDS}:
        raise unsupported_odata_field(name)
    raise property_not_found(name or _text(node))


class _Checker:
    """The kind of each expression, and a Problem for anything that cannot become valid SQL."""

    def __init__(self, fields: dict[str, _Field]):
        self.fields = fields

    def kind(self, node: ast._Node) -> str:
        if isinstance(node, (ast.Identifier, ast.Attribute)):
            return _field(self.fields, node).kind
        if isinstance(node, ast.String):
            return TEXT
        if isinstance(node, (ast.Integer, ast.Float)):
            return NUMBER
        if isinstance(node, ast.Boolean):
            return BOOLEAN
        if isinstance(node, ast.Null):
            return NULL
        if isinstance(node, (ast.DateTime, ast.Date)):
            try:
                _ = node.py_val         # reading it checks it: 2026-02-30 is no date
            except (ValueError, OverflowError):
                raise unparseable_odata_expression(f"{node.val} is no date or time.") from None
            return TIME
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Compare) and not isinstance(node.comparator, ast.In):
            return self._compare(node)
        if isinstance(node, ast.BoolOp):
            if self.kind(node.left) != BOOLEAN or self.kind(node.right) != BOOLEAN:
                raise unparseable_odata_expression("and and or join conditions, not values.")
            return BOOLEAN
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            if self.kind(node.operand) != BOOLEAN:
                raise unparseable_odata_expression("not applies to a condition, not a value.")
            return BOOLEAN
        raise unsupported_odata_expression(type(node).__name__, _text(node))

    def _call(self, node: ast.Call) -> str:
        name = node.func.full_name().lower()
        if name == "now" and not node.args:
            return TIME
        if name in _EXTRACTS and len(node.args) == 1:
            if self.kind(node.args[0]) != TIME:
                raise unparseable_odata_expression(f"{name}() takes a date and time.")
            return NUMBER
        raise unsupported_odata_expression("function", _text(node))

    def _compare(self, node: ast.Compare) -> str:
        left, right = self.kind(node.left), self.kind(node.right)
        if NULL in (left, right):
            if isinstance(node.comparator, _ORDERING):
                raise unparseable_odata_expression("null can only be compared with eq or ne.")
        elif _creator_pair(node, left, right):
            return BOOLEAN                      # the number is compared as the text it is written as
        elif left != right:
            raise unparseable_odata_expression(f"{_text(node)} compares a {left} value with a {right} one.")
        for side in (node.left, node.right):
            # PostgreSQL takes a whole number as a bigint: a longer one would fail in the database.
            if isinstance(side, ast.Integer) and not _BIGINT[0] <= side.py_val <= _BIGINT[1]:
                raise unparseable_odata_expression(f"{side.val} is beyond the numbers this server compares.")
        return BOOLEAN


def _creator_pair(node: ast.Compare, left: str, right: str) -> bool:
    """creatorId is a string in the feed (Central writes the id as text) and a number in Central's database,
    so Central's clients compare it with either: a string, or a whole number written as one."""
    if CREATOR not in (left, right):
        return False
    kind, other = (right, node.right) if left == CREATOR else (left, node.left)
    return kind == TEXT or (kind == NUMBER and isinstance(other, ast.Integer))


class _ToSql(AstToSqlAlchemyCoreVisitor):
    """odata-query's Core visitor, with Central's names for household columns and Central's NULL-safe eq/ne.
    Runs only on a tree _Checker accepted."""

    def __init__(self, fields: dict[str, _Field]):
        super().__init__(Household.__table__)
        self.fields = fields

    def visit_Identifier(self, node: ast.Identifier) -> ColumnElement:
        return _field(self.fields, node).sql

    def visit_Attribute(self, node: ast.Attribute) -> ColumnElement:
        return _field(self.fields, node).sql

    def visit_Compare(self, node: ast.Compare) -> ColumnElement[bool]:
        left, right = self._side(node.left, node.right), self._side(node.right, node.left)
        if isinstance(node.comparator, (ast.Eq, ast.NotEq)):
            if isinstance(node.left, ast.Null) or isinstance(node.right, ast.Null):
                # IS NULL / IS NOT NULL, which an index can use (Central writes these the same way).
                return left == right if isinstance(node.comparator, ast.Eq) else left != right
            if isinstance(node.comparator, ast.Eq):
                return left.is_not_distinct_from(right)
            return left.is_distinct_from(right)
        return self.visit(node.comparator)(left, right)

    def _side(self, node: ast._Node, other: ast._Node) -> ColumnElement:
        """One side of a comparison; a literal compared with __id or creatorId is written as they are."""
        name = _name(other)
        if name == "__id" and isinstance(node, ast.String):
            return literal(node.val.lower(), String)       # uuids are written in lower case
        if name == "__system/creatorId" and isinstance(node, (ast.String, ast.Integer)):
            return literal(str(node.py_val), String)
        return self.visit(node)

