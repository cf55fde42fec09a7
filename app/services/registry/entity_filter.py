"""$filter on the households Entity List feed, as a SQL condition on the household table.

Central filters entities on `__id` and the system fields `__system/createdAt|updatedAt|deletedAt|creatorId|
conflict` only (central-backend lib/data/entity.js odataToColumnMap), with eq ne lt le gt ge, and or not,
and the functions now() year() month() day() hour() minute() second() (lib/data/odata-filter.js); eq and ne
are NULL-safe (IS NOT DISTINCT FROM). The same here: queries/odata_expression.py parses and checks the
expression, taught these names of household columns.

Answers (Central's codes, app/problems.py): 400.18 for a filter that cannot be parsed, or whose sides cannot
be compared (`__id eq 5`, `__system/createdAt lt 'x'`: checked before any SQL, which would fail on them);
400.23 for a name that is neither a field nor a property; 501.5 for a property (the registry's columns,
`label`) or a system field Central does not filter on either; 501.4 for other operators and functions (`in`,
arithmetic, `contains`). A household is never deleted, and no one else writes it: deletedAt and conflict are
always null, creatorId always the registry's (entity_list.CREATOR_ID).
"""
from odata_query import ast
from sqlalchemy import ColumnElement, DateTime, String, cast, literal, null

from ...models import Household
from ...problems import property_not_found, unsupported_odata_field
from ...queries import odata_expression as expression
from ...queries.odata_expression import MOMENT, NUMBER, TEXT, name_of, printed
from .entity_list import CREATOR_ID, PROPERTIES, SYSTEM_FIELDS

CREATOR = "creator"      # creatorId's kind: text in the feed, a number in Central's database

Fields = dict[str, tuple[ColumnElement, str]]


def _fields() -> Fields:
    # __id compared as text: a string that is no UUID then matches nothing, where comparing it with the uuid
    # column would be a PostgreSQL error.
    return {
        "__id": (cast(Household.uuid, String), TEXT),
        "__system/createdAt": (Household.created_at, MOMENT),
        "__system/updatedAt": (Household.updated_at, MOMENT),
        "__system/deletedAt": (cast(null(), DateTime(timezone=True)), MOMENT),
        "__system/creatorId": (literal(str(CREATOR_ID), String), CREATOR),
        "__system/conflict": (cast(null(), String), TEXT),
    }


def household_filter(text: str) -> ColumnElement[bool]:
    """The SQL condition of a $filter on Household. Raises the Problems the module says."""
    fields = _fields()
    return expression.condition(text, _Kinds(fields), _ToSql(fields))


def _field(fields: Fields, node: ast._Node, name: str | None) -> tuple[ColumnElement, str]:
    if name in fields:
        return fields[name]
    if name in PROPERTIES or name == "label" or name in {f"__system/{f}" for f in SYSTEM_FIELDS}:
        raise unsupported_odata_field(name)
    raise property_not_found(name or printed(node))


class _Kinds(expression.Kinds):
    def __init__(self, fields: Fields):
        self.fields = fields

    def field(self, node, name):
        return _field(self.fields, node, name)[1]

    def comparable(self, node, left, right):
        """creatorId is a string in the feed (Central writes the id as text) and a number in Central's
        database, so Central's clients compare it with either: a string, or a whole number written as one."""
        if CREATOR not in (left, right):
            return False
        kind, other = (right, node.right) if left == CREATOR else (left, node.left)
        return kind == TEXT or (kind == NUMBER and isinstance(other, ast.Integer))


class _ToSql(expression.ToSql):
    def __init__(self, fields: Fields):
        super().__init__(Household.__table__)
        self.fields = fields

    def column(self, name):
        return self.fields[name][0]

    def side(self, node, other):
        """A literal compared with __id or creatorId is written as they are."""
        name = name_of(other)
        if name == "__id" and isinstance(node, ast.String):
            return literal(node.val.lower(), String)       # uuids are written in lower case
        if name == "__system/creatorId" and isinstance(node, (ast.String, ast.Integer)):
            return literal(str(node.py_val), String)
        return super().side(node, other)
