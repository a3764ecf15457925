"""One query through the pipeline: Spark SQL text -> DuckDB SQL, the tables it reads, and errors
that name the statement's problem in Spark's terms."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable, Optional

import sqlglot
from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .casts import SPARK_TYPE, arithmetic_forms, spark_type
from .coercion import INPUTS_CAST, coerce
from .dialect import ByzerSpark, LocalDuckDB
from .naming import name_projections
from .query_shapes import spark_inline_rows
from .registry import FUNCTIONS, NODES
from .session_functions import call_session_functions, spark_named_calls, used_functions
from .time_windows import expand_time_windows


@dataclass(frozen=True)
class Translation:
    duck_sql: str
    tables: tuple  # catalog tables the query reads, as written
    spark_types: tuple = ()  # per result column, a Spark type DuckDB's cannot tell (intervals), or None
    wrapping_sql: Optional[str] = None  # with integer arithmetic that wraps: where duck_sql overflows


def translate(spark_sql: str, table_schema: Optional[Callable] = None,
              session_functions: tuple = ()) -> Translation:
    """Spark SQL -> DuckDB SQL. `table_schema(name)` gives a catalog table's columns as a tuple of
    (name, Spark type) pairs, or None: Spark's implicit casts depend on them, so the cached
    translation is keyed on the text and the schemas of the tables it reads.
    `session_functions`: the session's registered functions (SessionFunction, hashable), which
    calls reach before any built-in; the cache key holds those the query may call."""
    tables = _parsed(spark_sql)[1]
    schemas = tuple((name, table_schema(name)) for name in tables) if table_schema else ()
    return _translated(spark_sql, schemas, used_functions(spark_sql, session_functions))


@functools.lru_cache(maxsize=256)
def _parsed(spark_sql: str) -> tuple:
    """Cached: notebooks re-run the same cells, and sqlglot's parse costs milliseconds."""
    try:
        tree = sqlglot.parse_one(spark_sql, dialect=ByzerSpark)
    except sqlglot.errors.ParseError as error:
        raise ByzerRuntimeError(syntax_error_message(error)) from None
    spark_precedence(tree)
    spark_inline_rows(tree)
    return tree, _tables_read(tree)


@functools.lru_cache(maxsize=256)
def _translated(spark_sql: str, schemas: tuple, functions: tuple = ()) -> Translation:
    tree, tables = _parsed(spark_sql)
    tree = tree.copy()
    spark_named = spark_named_calls(tree, functions) if functions else set()
    name_projections(tree, spark_sql, _schema_types(schemas))
    tree = coerce(tree, _schema_types(schemas))
    if functions:  # registered functions first: the registry's rewrite must not take them for built-ins
        tree = call_session_functions(tree, functions, spark_named)
    tree = expand_time_windows(rewrite(tree))
    checked, wrapping = arithmetic_forms(tree)
    return Translation(checked.sql(dialect=LocalDuckDB), tables, _declared_types(tree),
                       wrapping.sql(dialect=LocalDuckDB) if wrapping is not None else None)


def _declared_types(tree: exp.Expression) -> tuple:
    """Per result column, the Spark type DuckDB's type cannot tell (an interval's kind), or None."""
    from .functions_datetime_intervals import declared_type

    select = tree
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        return ()
    declared = []
    for projection in select.expressions:
        if isinstance(projection, exp.Star) or isinstance(projection.this, exp.Star):
            break  # DuckDB expands the star: the positions of later columns are not known here
        declared.append(declared_type(projection))
    return tuple(declared)


def _schema_types(schemas: tuple) -> dict:
    types = {}
    for name, columns in schemas:
        if columns is not None:
            types[name.lower()] = {column.lower(): spark_type(text) for column, text in columns}
    return types


def syntax_error_message(error: sqlglot.errors.ParseError) -> str:
    """sqlglot's complaint with the position in the statement's own terms (line:col)."""
    detail = error.errors[0] if getattr(error, "errors", None) else {}
    description = str(detail.get("description") or str(error).strip().splitlines()[0])
    # sqlglot may name a token by its repr (`<Token token_type: ..., text: as, ...>`): its text only
    description = re.sub(r"<Token token_type: [^,]*, text: (.*?), line: \d+.*?>", r"'\1'", description)
    line, col = detail.get("line"), detail.get("col")
    near = str(detail.get("highlight") or "").strip()
    if col and near:
        col = max(col - len(near) + 1, 1)  # sqlglot points at the token's last character
    where = f" at line {line}:{col}" if line else ""
    return f"SQL syntax error{where}{f' near {near!r}' if near else ''}: {description}"


def spark_precedence(tree: exp.Expression) -> None:
    """Spark parses `||` at the level of `+` and `-`, left to right (`'a' || 1 + 2` is
    `concat('a', 1) + 2`); sqlglot binds `+` and `-` tighter."""
    for pipes in list(tree.find_all(exp.DPipe)):
        if isinstance(pipes.expression, (exp.Add, exp.Sub)) and pipes.parent is not None:
            placeholder = exp.Null()
            pipes.replace(placeholder)
            placeholder.replace(_left_to_right(pipes))


def _left_to_right(pipes: exp.DPipe) -> exp.Expression:
    """`a || b + c`, which sqlglot reads as `a || (b + c)`: `(a || b) + c`."""
    right = pipes.expression
    if not isinstance(right, (exp.Add, exp.Sub)):
        return pipes
    pipes.set("expression", right.this)
    right.set("this", _left_to_right(pipes))
    return right


def _tables_read(tree: exp.Expression) -> tuple:
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    tables = []
    for table in tree.find_all(exp.Table):
        name = table.name
        if name and not table.db and name.lower() not in ctes and name not in tables:
            tables.append(name)
    return tuple(tables)


def rewrite(tree: exp.Expression) -> exp.Expression:
    """Every registered function and node class, innermost first, so that a builder gets its
    arguments already in DuckDB's terms."""
    for node in reversed(list(tree.walk(bfs=False))):
        replacement = _rewritten(node)
        if replacement is not None and replacement is not node:
            if SPARK_TYPE in node.meta and SPARK_TYPE not in replacement.meta:
                replacement.meta[SPARK_TYPE] = node.meta[SPARK_TYPE]  # for builders above
            if node is tree:
                tree = replacement
            else:
                node.replace(replacement)
    return tree


def _rewritten(node: exp.Expression):
    if isinstance(node, exp.Anonymous):
        function = FUNCTIONS.get(str(node.this).lower())
        if function is None:
            return None
        args = list(node.expressions)
        if function.inputs is not None and not node.meta.get(INPUTS_CAST):
            args = [_as(arg, function.inputs[min(i, len(function.inputs) - 1)])
                    for i, arg in enumerate(args)]
        try:
            built = function.call(args)
        except ByzerRuntimeError as error:
            raise ByzerRuntimeError(f"{error}{_where(node)}") from None
        return _as(built, function.result, cast=exp.Cast) if function.result else built
    rewrite_node = NODES.get(type(node))
    return rewrite_node(node) if rewrite_node is not None else None


def _as(arg: exp.Expression, spark_type, cast=exp.TryCast) -> exp.Expression:
    """Spark's implicit cast of an argument (NULL, not an error, when a string does not parse)."""
    if spark_type is None or isinstance(arg, exp.Null):
        return arg
    return cast(this=arg, to=exp.DataType.build(spark_type, dialect="spark"))


def _where(node: exp.Expression) -> str:
    line, col = node.meta.get("line"), node.meta.get("col")
    return f" (at {line}:{col} of the SQL)" if line else ""
