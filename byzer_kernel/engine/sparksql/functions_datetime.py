"""Spark's datetime functions on DuckDB (see registry.py for how a function is declared)."""
from __future__ import annotations

from sqlglot import exp

from .registry import duck, macro, spark_function, spark_node, udf  # noqa: F401


@spark_node(exp.StrToUnix)
def unix_timestamp(node):
    """`unix_timestamp()` is the current time, and every `unix_timestamp` is a bigint."""
    if isinstance(node.this, exp.CurrentTimestamp):
        node = exp.TimeToUnix(this=exp.CurrentTimestamp())
    if not isinstance(node.parent, exp.Cast):
        return exp.cast(node, exp.DataType.build("bigint"))
    return node
