"""Spark's window functions on DuckDB: Spark's result types (the ranking functions are ints), and
window specs that reach the function they apply to when a rewrite wrapped it (a cast around an
aggregate, for instance). See registry.py for how a rewrite is declared."""
from __future__ import annotations

import functools

from sqlglot import exp

from .registry import spark_node

# Spark's ranking functions take no arguments of their own (the parser gives `rank(b)` the
# window's ORDER BY, which the analyzer supplies anyway); DuckDB would reject them.
_RANKING = (exp.Rank, exp.DenseRank, exp.PercentRank, exp.CumeDist)
# Spark types these int where DuckDB gives bigint.
_INT_RESULT = (exp.Rank, exp.DenseRank, exp.RowNumber, exp.Ntile)
_WINDOW_ONLY = (*_RANKING, exp.RowNumber, exp.Ntile, exp.Lag, exp.Lead, exp.NthValue,
                exp.FirstValue, exp.LastValue)


@spark_node(exp.Window)
def window(node: exp.Window) -> exp.Expression:
    function = node.this
    if isinstance(function, _RANKING):
        function.set("expressions", [])
    if not _applies_window(function):
        return _push_window_down(node)
    if isinstance(function, _INT_RESULT):
        return exp.cast(node, "INT")
    return node


def _applies_window(function: exp.Expression) -> bool:
    """Whether `function` itself can carry an OVER clause in DuckDB."""
    if isinstance(function, (exp.IgnoreNulls, exp.RespectNulls)):
        function = function.this
    if isinstance(function, (exp.AggFunc, *_WINDOW_ONLY)):
        return True
    return isinstance(function, exp.Anonymous) and str(function.this).lower() in _duckdb_aggregates()


def _push_window_down(node: exp.Window) -> exp.Expression:
    """A rewrite returned an expression around the aggregate (`CAST(sum(x) AS ...)`): the OVER
    clause goes onto each outermost aggregate inside it."""
    outer = node.this
    targets = [candidate for candidate in outer.find_all(exp.Func)
               if _applies_window(candidate) and not _inside_aggregate(candidate, outer)]
    if not targets:
        return node
    for target in targets:
        if isinstance(target.parent, exp.Filter):  # `agg(x) FILTER (WHERE ...) OVER (...)`
            target = target.parent
        wrapped = node.copy()
        wrapped.set("this", target.copy())
        if target is outer:
            return wrapped
        target.replace(wrapped)
    return outer


def _inside_aggregate(node: exp.Expression, root: exp.Expression) -> bool:
    parent = node.parent
    while parent is not None and parent is not root.parent:
        if _applies_window(parent):
            return True
        parent = parent.parent
    return False


@functools.lru_cache(maxsize=1)
def _duckdb_aggregates() -> frozenset:
    """DuckDB's aggregate and window function names (a rewrite may call them as plain calls)."""
    import duckdb

    with duckdb.connect() as connection:
        rows = connection.execute("SELECT DISTINCT lower(function_name) FROM duckdb_functions() "
                                  "WHERE function_type = 'aggregate'").fetchall()
    return frozenset(name for (name,) in rows)
