"""Functions a session registers (`register ScriptUDF`, engine/script_udf.py, docs/spec.md §11) as
the translation sees them: Spark resolves a call by name in the session's function registry
first, so a call to a registered name becomes a call of the session's DuckDB function, whatever
Spark built-in or DuckDB function bears the same name.

- a UDF `f(a, b)` -> `<duck name>(a, b)`; a UDF without arguments gets one NULL argument
  (DuckDB's Python functions take at least one);
- a UDAF `f(a)` -> `<duck name>(list(a))`: DuckDB has no Python aggregates, so the group's
  values are collected and one scalar call runs the UDAF's methods over them; several arguments
  are collected as one list of rows (`list(row(a, b))`), so that they stay aligned. Inputs are
  cast to the UDAF's inputSchema types, as Spark's ScalaUDAF (ImplicitCastInputTypes) does.

Spark names an unaliased UDF column `UDF(args)` (a ScalaUDF without a udfName, as Byzer's
WowScalaUDF builds it); a UDAF column `f(args)` as written (Spark would show the JVM class name of
Byzer's anonymous UserDefinedAggregateFunction, which means nothing to a script).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import sqlglot
from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .dialect import ByzerSpark


@dataclass(frozen=True)
class SessionFunction:
    """What the translation needs of a registered function; hashable (a translation cache key)."""

    name: str  # as registered; calls match it case-insensitively, as Spark's registry does
    kind: str  # "udf" or "udaf"
    duck_name: str  # the DuckDB function the session installed
    arity: int
    input_types: tuple = ()  # a UDAF's inputSchema as Spark type names ("" where none is cast)


def name_problem(name: str) -> Optional[str]:
    """Why SQL could not call a function of this name through the translation, or None."""
    try:
        call = sqlglot.parse_one(f"SELECT {name}(x)", dialect=ByzerSpark).expressions[0]
    except sqlglot.errors.ParseError:
        call = None
    if isinstance(call, exp.Anonymous) and str(call.this).lower() == name.lower():
        return None
    return (f"`{name}(...)` is SQL syntax or a function the SQL layer translates itself "
            "(the local engine cannot let a registered function replace it): choose another name")


def used_functions(spark_sql: str, functions) -> tuple:
    """The registered functions the query may call (a cheap text test), so that registering an
    unrelated function leaves the query's cached translation valid."""
    lowered = spark_sql.lower()
    return tuple(f for f in functions if f.name.lower() in lowered)


def spark_named_calls(tree: exp.Expression, functions: tuple) -> set:
    """Before naming: the outermost SELECT's unaliased projections that are calls of registered
    functions (by index)."""
    names = {f.name.lower() for f in functions}
    select = _outermost_select(tree)
    if select is None:
        return set()
    return {index for index, projection in enumerate(select.expressions)
            if isinstance(projection, exp.Anonymous) and str(projection.this).lower() in names}


def call_session_functions(tree: exp.Expression, functions: tuple, spark_named: set) -> exp.Expression:
    """Rewrite calls of registered functions (before the registry's rewrite, which must not
    take them for Spark built-ins); `spark_named` from spark_named_calls."""
    by_name = {f.name.lower(): f for f in functions}
    select = _outermost_select(tree)
    for index in spark_named if select is not None else ():
        alias = select.expressions[index]
        if isinstance(alias, exp.Alias) and isinstance(alias.this, exp.Anonymous):
            call, opening = alias.this, alias.alias.find("(")
            if opening > 0:  # the naming step lower-cases names it does not know
                kind = by_name[str(call.this).lower()].kind
                head = "UDF" if kind == "udf" else str(call.this)
                alias.set("alias", exp.to_identifier(head + alias.alias[opening:], quoted=True))
    for node in list(tree.find_all(exp.Anonymous)):
        function = by_name.get(str(node.this).lower())
        if function is None:
            continue
        args = list(node.expressions)
        if len(args) != function.arity:
            raise ByzerRuntimeError(
                f"Invalid number of arguments for function {node.this}. Expected: {function.arity}; "
                f"Found: {len(args)}{_where(node)}")
        if function.kind == "udf":
            node.replace(exp.Anonymous(this=function.duck_name, expressions=args or [exp.Null()]))
        else:
            _call_aggregate(node, function, args)
    return tree


def _call_aggregate(node: exp.Anonymous, function: SessionFunction, args: list) -> None:
    distinct = len(args) == 1 and isinstance(args[0], exp.Distinct)
    if distinct:
        args = list(args[0].expressions)
    typed = [_cast(arg, spark_type) for arg, spark_type in zip(args, function.input_types)]
    row = typed[0] if len(typed) == 1 else exp.Anonymous(this="row", expressions=typed or [exp.true()])
    collected = exp.Anonymous(this="list", expressions=[exp.Distinct(expressions=[row]) if distinct else row])
    window = node.parent if isinstance(node.parent, exp.Window) and node.arg_key == "this" else None
    if window is not None:  # f(a) OVER (...): the values collected over the window
        over = window.copy()
        over.set("this", collected)
        window.replace(exp.Anonymous(this=function.duck_name, expressions=[over]))
    else:
        node.replace(exp.Anonymous(this=function.duck_name, expressions=[collected]))


def _cast(arg: exp.Expression, spark_type: str) -> exp.Expression:
    if not spark_type or isinstance(arg, exp.Null):
        return arg
    return exp.TryCast(this=arg, to=exp.DataType.build(spark_type, dialect="spark"))


def _outermost_select(tree: exp.Expression):
    while isinstance(tree, exp.SetOperation):
        tree = tree.this
    return tree if isinstance(tree, exp.Select) else None


def _where(call: exp.Anonymous) -> str:
    line, col = call.meta.get("line"), call.meta.get("col")
    if not line:
        return ""
    # sqlglot's col is the name's last character
    return f" (at {line}:{max(col - len(str(call.this)) + 1, 1)} of the SQL)"
