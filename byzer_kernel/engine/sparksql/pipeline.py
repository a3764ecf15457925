"""One query through the pipeline: Spark SQL text -> DuckDB SQL, the tables it reads, and errors
that name the statement's problem in Spark's terms."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .dialect import ByzerSpark, LocalDuckDB
from .naming import name_projections
from .registry import FUNCTIONS, NODES


@dataclass(frozen=True)
class Translation:
    duck_sql: str
    tables: tuple  # catalog tables the query reads, as written


@functools.lru_cache(maxsize=256)
def translate(spark_sql: str) -> Translation:
    """Cached: notebooks re-run the same cells, and sqlglot's round trip costs milliseconds."""
    try:
        tree = sqlglot.parse_one(spark_sql, dialect=ByzerSpark)
    except sqlglot.errors.ParseError as error:
        raise ByzerRuntimeError(f"SQL syntax error: {str(error).strip().splitlines()[0]}") from None
    tables = _tables_read(tree)
    name_projections(tree)
    tree = rewrite(tree)
    return Translation(tree.sql(dialect=LocalDuckDB), tables)


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
        if function.inputs is not None:
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
