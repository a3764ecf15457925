"""Spark's names for result columns the query does not alias (Spark 3.3's `toPrettySQL`), which
Byzer scripts refer to in later statements: literals as their values, columns without their
table, functions as `name(arg, ...)` (naming_functions.py), operators in parentheses.

The names come from the query as written (naming_parser.py), not from the pipeline's tree, in
which sqlglot has already turned some calls and literals into other nodes. One `Namer` per SELECT
knows what the names in it refer to (tables, lambda variables, named windows)."""
from __future__ import annotations

import contextvars
import re
from typing import Optional

from sqlglot import exp

from .naming_functions import CAST_FUNCTIONS, function_name
from .naming_literals import binary_literal, date_literal, number, timestamp_literal
from .naming_operators import (addition, between, binary, case, comparison, interval, is_test,
                               membership, negation_of, product)
from .naming_parser import NUMERIC_SUFFIX, parse_as_written
from .naming_windows import filtered_aggregate, lambda_function, window
from .registry import NAMES
from .result_types import SparkTypes

# The Namer of the SELECT being named: `pretty`, which the family modules' @spark_name namings
# call on their arguments, names within it (its tables, its lambda variables).
_ACTIVE = contextvars.ContextVar("active_namer", default=None)


def name_projections(tree: exp.Expression, sql: Optional[str] = None,
                     schema: Optional[dict] = None) -> None:
    """Alias the unaliased projections of the query's outermost SELECT (the first of a UNION)
    with Spark's names, read from `sql`, the query as written, where given. `schema` (table ->
    {column: Spark type}) tells the types some names depend on (`d + 1` of a date column is
    `date_add(d, 1)`)."""
    select = _outermost_select(tree)
    if select is None:
        return
    written = _outermost_select(parse_as_written(sql)) if sql else None
    if written is None or len(written.expressions) != len(select.expressions):
        written = select
    namer = Namer(written, schema)
    token = _ACTIVE.set(namer)
    try:
        for projection, as_written in zip(list(select.expressions), written.expressions):
            name = namer.column_name(as_written)
            if name is not None:
                projection.replace(exp.alias_(projection.copy(), name, quoted=True))
    finally:
        _ACTIVE.reset(token)


def pretty(node: exp.Expression) -> str:
    """Spark's name of one expression, within the SELECT being named if any."""
    return (_ACTIVE.get() or Namer(None)).name(node)


def _outermost_select(tree):
    while isinstance(tree, exp.SetOperation):
        tree = tree.this
    return tree if isinstance(tree, exp.Select) else None


# Generators give several columns, or one whose name depends on its type (`col` of an array,
# `key` and `value` of a map).
_GENERATORS = {"explode", "explode_outer", "posexplode", "posexplode_outer", "inline",
               "inline_outer", "stack", "json_tuple"}


class Namer:
    def __init__(self, select, schema: Optional[dict] = None):
        self.tables = _sources(select) if select is not None else set()
        self.star_columns = _subquery_columns(select) if select is not None else {}
        self.windows = {w.name: w for w in (select.args.get("windows") or [])} if select else {}
        self.lambda_variables: set = set()
        self._types = SparkTypes(schema) if schema is not None else None

    def type_of(self, node: exp.Expression):
        """The Spark type of `node` where the schema tells it, else None."""
        return self._types.of(node) if self._types is not None else None

    def column_name(self, projection: exp.Expression):
        """The name Spark gives a projection, or None where the query names it already (an alias,
        a plain column, a star) or where one name does not fit (a generator of several columns)."""
        if isinstance(projection, (exp.Alias, exp.Star)) or (
                isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)):
            return None
        if isinstance(projection, exp.Column):  # a struct field is named by the field alone
            return projection.name if self._field_path(projection) else None
        if _is_cast(projection) and isinstance(projection.this, exp.Column) \
                and not self._field_path(projection.this):
            return projection.this.name  # Spark keeps the name of a column it casts
        if isinstance(projection, exp.Anonymous):
            return self._call_column_name(projection)
        return self.name(projection)

    def _call_column_name(self, call: exp.Anonymous):
        written = str(call.this).lower()
        if written in CAST_FUNCTIONS and len(call.expressions) == 1 \
                and isinstance(call.expressions[0], exp.Column):
            return call.expressions[0].name
        if written in _GENERATORS:  # functions_generators names their columns
            return None
        return self.name(call)

    def name(self, node: exp.Expression) -> str:
        text = self._spelled(node)
        return f"(NOT {text})" if node.args.get("negate") else text  # x NOT LIKE y and the like

    def _spelled(self, node: exp.Expression) -> str:
        key = str(node.this).lower() if isinstance(node, exp.Anonymous) else type(node)
        declared = NAMES.get(key)
        if declared is not None:  # the module of the function (or syntax) declares its name
            token = _ACTIVE.set(self)
            try:
                return declared(node)
            finally:
                _ACTIVE.reset(token)
        render = _RENDER.get(type(node))
        if render is None:
            render = next((r for cls, r in _BY_BASE if isinstance(node, cls)), None)
        return render(self, node) if render is not None else node.sql(dialect="spark")

    def names(self, nodes) -> str:
        return ", ".join(self.name(node) for node in nodes)

    def _field_path(self, column: exp.Column) -> list:
        """The struct fields a dotted column reads (`s.a` -> [s, a]), without its table."""
        parts = [part.name for part in column.parts]
        if len(parts) > 1 and parts[0].lower() in self.tables:
            parts = parts[1:]
        return parts if len(parts) > 1 else []


def _sources(select: exp.Select) -> set:
    """The names tables are referred to by in `select` (and in the queries it contains)."""
    names = set()
    for node in select.find_all(exp.Table, exp.TableAlias, exp.CTE):
        if node.name:
            names.add(node.name.lower())
    return names


def _subquery_columns(select: exp.Select) -> dict:
    """alias -> the column names of each subquery `select` reads (where they show in its text),
    which a star stands for (`struct(p.*)` is `struct(id, name)`)."""
    columns = {}
    for subquery in select.find_all(exp.Subquery):
        inner = subquery.this
        if subquery.alias and isinstance(inner, exp.Select) and all(
                isinstance(p, (exp.Alias, exp.Column)) and not isinstance(p.this, exp.Star)
                for p in inner.expressions):
            columns[subquery.alias.lower()] = [p.alias_or_name for p in inner.expressions]
    return columns


def _star(namer: Namer, node: exp.Expression) -> str:
    source = node.table.lower() if isinstance(node, exp.Column) else None
    if source is None and len(namer.star_columns) == 1:
        source = next(iter(namer.star_columns))
    return ", ".join(namer.star_columns.get(source, ["*"]))


def _is_cast(node) -> bool:
    """CAST(x AS t) as written (the Spark dialect reads CAST as TryCast; TRY_CAST is `safe`)."""
    return isinstance(node, exp.TryCast) and not node.args.get("safe") \
        and not node.meta.get(NUMERIC_SUFFIX)


# columns, fields, subscripts ----------------------------------------------------------------------

def _column(namer: Namer, node: exp.Column) -> str:
    if node.name in namer.lambda_variables and not node.table:
        return "namedlambdavariable()"
    if isinstance(node.this, exp.Star):
        return _star(namer, node)
    return ".".join(namer._field_path(node)) or node.name


def _identifier(namer: Namer, node: exp.Identifier) -> str:
    return "namedlambdavariable()" if node.name in namer.lambda_variables else node.name


# literals -----------------------------------------------------------------------------------------

def _literal(namer: Namer, node: exp.Literal) -> str:
    return node.this if node.is_string else number(node.this)


def _negation(namer: Namer, node: exp.Neg) -> str:
    """Spark's grammar reads `-1` as one literal; only other negations print as `(- x)`."""
    child = node.this
    if (isinstance(child, exp.Literal) and not child.is_string) or child.meta.get(NUMERIC_SUFFIX):
        return "-" + namer.name(child)
    return f"(- {namer.name(child)})"


def _cast(namer: Namer, node: exp.Cast) -> str:
    if node.meta.get(NUMERIC_SUFFIX):
        return number(node.this.name, node.to.this)
    if type(node) is exp.Cast and isinstance(node.this, exp.Literal) and node.this.is_string:
        return _typed_literal(node)
    if node.to.this in (exp.DataType.Type.ARRAY, exp.DataType.Type.MAP, exp.DataType.Type.STRUCT) \
            and not node.args.get("safe"):
        return namer.name(node.this)  # Spark prints casts to nested types as their argument
    keyword = "TRY_CAST" if node.args.get("safe") else "CAST"
    return f"{keyword}({namer.name(node.this)} AS {_spark_type(node.to)})"


def _typed_literal(node: exp.Cast) -> str:
    """`DATE '...'`, `TIMESTAMP '...'` (sqlglot reads typed literals as casts)."""
    text, kind = node.this.name, node.to.this
    if kind == exp.DataType.Type.DATE:
        return date_literal(text)
    if kind == exp.DataType.Type.TIMESTAMPNTZ:
        return timestamp_literal(text, "TIMESTAMP_NTZ")
    if kind in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ,
                exp.DataType.Type.TIMESTAMPLTZ):
        return timestamp_literal(text)
    return f"{_spark_type(node.to)} '{text}'"


def _spark_type(data_type: exp.DataType) -> str:
    text = data_type.sql(dialect="spark").upper()
    text = re.sub(r"\b(VAR)?CHAR\(\d+\)", "STRING", text)
    text = re.sub(r"DECIMAL\((\d+), (\d+)\)", r"DECIMAL(\1,\2)", text)
    return re.sub(r"\bDECIMAL\b(?!\()", "DECIMAL(10,0)", text)


# syntax that has its own nodes --------------------------------------------------------------------

def _struct_of_row(namer: Namer, node: exp.Tuple) -> str:
    """`(y, x)` in a lambda builds a struct, its fields named after the columns."""
    fields = []
    for i, value in enumerate(node.expressions, 1):
        label = value.name if isinstance(value, (exp.Column, exp.Identifier)) else f"col{i}"
        fields += [label, namer.name(value)]
    return f"named_struct({', '.join(fields)})"


_RENDER = {
    exp.Literal: _literal,
    exp.Column: _column,
    exp.Identifier: _identifier,
    exp.Null: lambda namer, node: "NULL",
    exp.Boolean: lambda namer, node: "true" if node.this else "false",
    exp.HexString: lambda namer, node: binary_literal(node.this),
    exp.Interval: interval,
    exp.Paren: lambda namer, node: namer.name(node.this),
    exp.Neg: _negation,
    exp.Not: negation_of,
    exp.BitwiseNot: lambda namer, node: f"~{namer.name(node.this)}",
    exp.Cast: _cast,
    exp.TryCast: _cast,
    exp.Star: _star,
    exp.Anonymous: lambda namer, node:
        function_name(namer, str(node.this).lower(), node.expressions),
    exp.Dot: lambda namer, node: f"{namer.name(node.this)}.{node.expression.name}",
    exp.Bracket: lambda namer, node: f"{namer.name(node.this)}[{namer.names(node.expressions)}]",
    exp.DPipe: lambda namer, node:
        f"concat({namer.name(node.this)}, {namer.name(node.expression)})",
    exp.NEQ: lambda namer, node: f"(NOT ({namer.name(node.this)} = {namer.name(node.expression)}))",
    exp.NullSafeNEQ: lambda namer, node:
        f"(NOT ({namer.name(node.this)} <=> {namer.name(node.expression)}))",
    exp.GT: comparison, exp.GTE: comparison, exp.LT: comparison, exp.LTE: comparison,
    exp.Add: addition, exp.Sub: addition, exp.Mul: product,
    exp.Is: is_test,
    exp.In: membership,
    exp.Between: between,
    exp.Case: case,
    exp.If: lambda namer, node: f"(IF({namer.name(node.this)}, {namer.name(node.args['true'])}, "
                                f"{namer.name(node.args.get('false') or exp.Null())}))",
    exp.Subquery: lambda namer, node: "scalarsubquery()",
    exp.Exists: lambda namer, node: "exists()",
    exp.Distinct: lambda namer, node: f"DISTINCT {namer.names(node.expressions)}",
    exp.Alias: lambda namer, node: f"{namer.name(node.this)} AS {node.alias}",
    exp.Tuple: _struct_of_row,
    exp.Lambda: lambda_function,
    exp.Window: window,
    exp.Filter: filtered_aggregate,
    exp.IgnoreNulls: lambda namer, node: namer.name(node.this),
    exp.RespectNulls: lambda namer, node: namer.name(node.this),
}
_BY_BASE = [(exp.Binary, binary),
            (exp.Func, lambda namer, node:
                f"{node.sql_name().lower()}({namer.names(node.iter_expressions())})")]
