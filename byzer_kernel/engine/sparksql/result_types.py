"""Spark's types of the expressions of a parsed (Spark-side) query, as Spark 3.3's analyzer derives
them: literals (`1.5` is a decimal(2,1)), columns of the catalog tables, subqueries and CTEs,
arithmetic (decimal precision and scale as in DecimalPrecision), conditionals (the wider type of
the branches, strings winning), aggregates, and registered functions with a declared result.

`SparkTypes(schema).of(node)` answers a sqlglot DataType, or None where it cannot tell (the
coercion phase then leaves the expression to DuckDB). The widening rules are Spark's
TypeCoercion.findTightestCommonType / findWiderTypeForTwo.
"""
from __future__ import annotations

from typing import Optional

from sqlglot import exp

from .casts import FRACTIONAL, spark_type
from .interval_kinds import CALENDAR, literal_kind
from .interval_kinds import data_type as interval_type
from .native_function_types import NAMED_RULES, NATIVE_RULES
from .registry import FUNCTIONS
from .spark_types import (BIGINT, BOOLEAN, DOUBLE, NULL_TYPE, STRING, T, decimal_average,  # noqa: F401
                          decimal_of, decimal_result, decimal_sum, is_decimal, is_integral, is_numeric,
                          is_text, kind, literal_type, own_digits, precision_scale, wider, wider_all)

_PREDICATES = (exp.Predicate, exp.Not, exp.And, exp.Or, exp.Exists, exp.Between, exp.In, exp.Is)


class SparkTypes:
    """The Spark types of one query's expressions, over `schema`: table name (lower case) ->
    {column name (lower case): DataType}."""

    def __init__(self, schema: dict):
        self.schema = schema
        self._memo: dict[int, Optional[exp.DataType]] = {}

    def of(self, node: Optional[exp.Expression]) -> Optional[exp.DataType]:
        if node is None:
            return None
        key = id(node)
        if key not in self._memo:
            self._memo[key] = None  # a cycle (an alias naming itself) stays unknown
            self._memo[key] = self._derive(node)
        return self._memo[key]

    def _derive(self, node):
        rule = _RULES.get(type(node))
        if rule is not None:
            return rule(self, node)
        if isinstance(node, _PREDICATES):
            return BOOLEAN
        if isinstance(node, exp.Anonymous):
            name = str(node.this).lower()
            function = FUNCTIONS.get(name)
            if function is not None and function.result:
                return spark_type(function.result)
            constructor = _CONSTRUCTORS.get(name)
            return constructor(self, node) if constructor is not None else None
        return None

    # -- columns and relations --------------------------------------------------------------
    def column(self, node: exp.Column):
        name = node.name.lower()
        select = node.find_ancestor(exp.Select)
        while select is not None:
            sources = self.sources(select)
            if node.table:
                columns = sources.get(node.table.lower())
                if columns is not None:
                    return columns.get(name)
            else:
                found = {str(cols[name]): cols[name] for cols in sources.values() if name in cols}
                if len(found) == 1:
                    return next(iter(found.values()))
                if found:
                    return None
            select = select.find_ancestor(exp.Select)  # a correlated column
        return None

    def sources(self, select: exp.Select) -> dict:
        """alias (lower case) -> {column: type} of the relations the SELECT reads."""
        relations = []
        if select.args.get("from_") is not None:
            relations.append(select.args["from_"].this)
        relations.extend(join.this for join in select.args.get("joins") or [])
        found = {}
        for relation in relations:
            columns = self.relation_columns(relation)
            if columns is not None:
                found[relation.alias_or_name.lower()] = columns
        return found

    def relation_columns(self, relation) -> Optional[dict]:
        if isinstance(relation, exp.Table) and isinstance(relation.this, exp.Identifier):
            cte = _cte(relation)
            if cte is not None:
                return _aliased(self.projection_types(cte.this), cte)
            return self.schema.get(relation.name.lower())
        if isinstance(relation, exp.Subquery):
            return _aliased(self.projection_types(relation.this), relation)
        if isinstance(relation, exp.Values):
            rows = [row.expressions for row in relation.expressions if isinstance(row, exp.Tuple)]
            if not rows:
                return None
            types = [wider_all([self.of(row[i]) for row in rows if i < len(row)], strings=True)
                     for i in range(len(rows[0]))]
            names = [f"col{i + 1}" for i in range(len(types))]
            return _aliased(list(zip(names, types)), relation)
        return None

    def projection_types(self, query) -> list:
        """[(name, type)] of a query's result columns (a set operation: the wider types)."""
        if isinstance(query, exp.SetOperation):
            left, right = self.projection_types(query.this), self.projection_types(query.expression)
            if len(left) != len(right):
                return left
            return [(name, wider(a, b)) for (name, a), (_, b) in zip(left, right)]
        if isinstance(query, exp.Subquery):
            return self.projection_types(query.this)
        if not isinstance(query, exp.Select):
            return []
        found = []
        for projection in query.expressions:
            if isinstance(projection, exp.Star):
                for columns in self.sources(query).values():
                    found.extend(columns.items())
            else:
                found.append((projection.alias_or_name.lower(), self.of(projection)))
        return found


def _cte(table: exp.Table):
    name = table.name.lower()
    node = table.parent
    while node is not None:
        with_ = node.args.get("with_") if isinstance(node, exp.Expression) else None
        if with_ is not None:
            for cte in with_.expressions:
                if cte.alias_or_name.lower() == name and all(t is not table for t in cte.this.find_all(exp.Table)):
                    return cte
        node = node.parent
    return None


def _aliased(pairs, relation) -> dict:
    """Column types by name, renamed by the relation's column aliases `t(a, b)`."""
    alias = relation.args.get("alias")
    names = [c.name.lower() for c in alias.columns] if alias is not None and alias.columns else []
    result = {}
    for i, (name, data_type) in enumerate(pairs):
        result[names[i] if i < len(names) else name] = data_type
    return result


# -- node rules --------------------------------------------------------------------------------
def _literal(types, node: exp.Literal):
    return STRING if node.is_string else literal_type(node.this)


def _neg(types, node: exp.Neg):
    if isinstance(node.this, exp.Literal) and node.this.is_number:
        return literal_type("-" + node.this.this)
    inner = types.of(node.this)
    return DOUBLE if is_text(inner) else inner


def _cast(types, node):
    to = node.to
    if to.this == T.DECIMAL and not to.expressions:
        return decimal_of(10, 0)
    return to


def operand_type(types, node) -> Optional[exp.DataType]:
    """An arithmetic operand as DecimalPrecision sees it: strings are doubles, an integral
    literal is a decimal of its own digits when the other side is a decimal."""
    t = types.of(node)
    return DOUBLE if is_text(t) else t


_OPERATORS = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%"}


def arithmetic_type(types, node) -> Optional[exp.DataType]:
    if is_text(types.of(node.this)) and kind(types.of(node.expression)) == T.INTERVAL:
        return STRING if isinstance(node, (exp.Add, exp.Sub)) else None
    left, right = operand_type(types, node.this), operand_type(types, node.expression)
    if left is None or right is None or not (is_numeric(left) and is_numeric(right)):
        if kind(left) == T.NULL and is_numeric(right) or kind(right) == T.NULL and is_numeric(left):
            return _single_numeric(node, right if kind(left) == T.NULL else left)
        return None
    if isinstance(node, exp.IntDiv):
        return BIGINT
    if kind(left) in FRACTIONAL or kind(right) in FRACTIONAL:
        return DOUBLE if isinstance(node, exp.Div) else wider(left, right)
    if is_decimal(left) or is_decimal(right):
        if not is_decimal(left):
            left = own_digits(node.this) or left
        if not is_decimal(right):
            right = own_digits(node.expression) or right
        return decimal_result(_OPERATORS.get(type(node), "%"), precision_scale(left), precision_scale(right))
    if isinstance(node, exp.Div):
        return DOUBLE
    return wider(left, right)


def _single_numeric(node, t):
    if isinstance(node, exp.IntDiv):
        return BIGINT
    if isinstance(node, exp.Div):
        return t if is_decimal(t) else DOUBLE
    return t


def _conditional(types, values) -> Optional[exp.DataType]:
    return wider_all([types.of(v) for v in values if v is not None])


def _case(types, node: exp.Case):
    return _conditional(types, [i.args.get("true") for i in node.args.get("ifs") or []]
                        + [node.args.get("default")])


def _sum(types, node):
    t = types.of(node.this)
    if kind(t) == T.NULL:
        return DOUBLE  # Spark casts an untyped NULL argument to double
    if is_decimal(t):
        return decimal_sum(t)
    if is_integral(t):
        return BIGINT
    return DOUBLE if t is not None and (kind(t) in FRACTIONAL or is_text(t)) else None


def _avg(types, node):
    t = types.of(node.this)
    if kind(t) == T.NULL:
        return DOUBLE
    if is_decimal(t):
        return decimal_average(t)
    return DOUBLE if t is not None and (is_numeric(t) or is_text(t)) else None


def _array(types, node):
    element = wider_all([types.of(e) for e in node.expressions], strings=True)
    return exp.DataType(this=T.ARRAY, expressions=[element.copy()], nested=True) if element else None


def _struct(types, node: exp.Struct):
    return _struct_of(types, [(item.this.name, item.expression) if isinstance(item, exp.PropertyEQ)
                              else (f"col{i + 1}", item) for i, item in enumerate(node.expressions)])


def _struct_of(types, fields: list):
    """The struct of (name, value) fields. Reads the values and copies their types: a node built
    around a node of the tree (a value, a CAST's type) would take it out of the tree the rewrite
    walks, and the rewrite's replacements there would be lost."""
    members = []
    for name, value in fields:
        value_type = types.of(value)
        if value_type is None:
            return None
        members.append(exp.ColumnDef(this=exp.to_identifier(name), kind=value_type.copy()))
    return exp.DataType(this=T.STRUCT, expressions=members, nested=True)


def struct_field_name(field: exp.Expression, index: int):
    """Spark's name of the field `struct(...)` makes of its index-th argument: the alias, the
    column's name, or `col<index + 1>`; None for `*` / `t.*` (its table's columns)."""
    if isinstance(field, exp.Alias):
        return field.alias
    if isinstance(field, exp.Column) and not isinstance(field.this, exp.Star):
        return field.name
    if isinstance(field, (exp.Star, exp.Column)):
        return None
    return f"col{index + 1}"


def _struct_call(types, node: exp.Anonymous):
    names = [struct_field_name(field, i) for i, field in enumerate(node.expressions)]
    if None in names:
        return None
    return _struct_of(types, list(zip(names, node.expressions)))


def _named_struct(types, node: exp.Anonymous):
    items = node.expressions
    if len(items) % 2 or not all(isinstance(k, exp.Literal) and k.is_string for k in items[::2]):
        return None
    return _struct_of(types, [(k.this, v) for k, v in zip(items[::2], items[1::2])])


def _map_call(types, node: exp.Anonymous):
    items = node.expressions
    if len(items) % 2:
        return None
    key, value = wider_all([types.of(k) for k in items[::2]]), wider_all([types.of(v) for v in items[1::2]])
    if key is None or value is None:
        return None
    return exp.DataType(this=T.MAP, expressions=[key.copy(), value.copy()], nested=True)


_CONSTRUCTORS = {  # registered without a declared result: their type follows their arguments
    "array": lambda types, node: _array(types, node),
    "struct": lambda types, node: _struct_call(types, node),
    "named_struct": _named_struct,
    "map": _map_call,
    **NAMED_RULES,
}


def _var_map(types, node: exp.VarMap):
    key = wider_all([types.of(k) for k in node.args["keys"].expressions])
    value = wider_all([types.of(v) for v in node.args["values"].expressions])
    if key is None or value is None:
        return None
    return exp.DataType(this=T.MAP, expressions=[key.copy(), value.copy()], nested=True)


def _bracket(types, node: exp.Bracket):
    container = types.of(node.this)
    if kind(container) == T.ARRAY:
        return container.expressions[0]
    if kind(container) == T.MAP:
        return container.expressions[1]
    return None


def _dpipe(types, node):
    left, right = types.of(node.this), types.of(node.expression)
    if kind(left) == T.ARRAY and left == right:
        return left
    return STRING


_RULES = {
    **NATIVE_RULES,
    exp.Literal: _literal,
    exp.Null: lambda types, node: NULL_TYPE,
    exp.Boolean: lambda types, node: BOOLEAN,
    exp.HexString: lambda types, node: spark_type("binary"),
    exp.Column: lambda types, node: types.column(node),
    exp.Paren: lambda types, node: types.of(node.this),
    exp.Alias: lambda types, node: types.of(node.this),
    exp.Neg: _neg,
    exp.Cast: _cast,
    exp.TryCast: _cast,
    exp.Add: arithmetic_type,
    exp.Sub: arithmetic_type,
    exp.Mul: arithmetic_type,
    exp.Div: arithmetic_type,
    exp.Mod: arithmetic_type,
    exp.IntDiv: arithmetic_type,
    exp.DPipe: _dpipe,
    exp.Case: _case,
    exp.If: lambda types, node: _conditional(types, [node.args.get("true"), node.args.get("false")]),
    exp.Coalesce: lambda types, node: _conditional(types, [node.this, *node.expressions]),
    exp.Nvl2: lambda types, node: _conditional(types, [node.args.get("true"), node.args.get("false")]),
    exp.Nullif: lambda types, node: types.of(node.this),
    exp.Sum: _sum,
    exp.Avg: _avg,
    exp.Count: lambda types, node: BIGINT,
    exp.Min: lambda types, node: types.of(node.this),
    exp.Max: lambda types, node: types.of(node.this),
    exp.Window: lambda types, node: types.of(node.this),
    exp.Interval: lambda types, node: interval_type(literal_kind(node) or CALENDAR),
    exp.Subquery: lambda types, node: (types.projection_types(node.this) or [(None, None)])[0][1],
    exp.Array: _array,
    exp.Struct: _struct,
    exp.VarMap: _var_map,
    exp.Bracket: _bracket,
}
