"""Spark's misc functions on DuckDB (see registry.py for how a function is declared)."""
from __future__ import annotations

from sqlglot import exp

from .registry import duck, macro, spark_function, spark_node, udf  # noqa: F401


@spark_node(exp.DataType)
def bare_decimal(node):
    """A bare `decimal` is Spark's decimal(10,0), not DuckDB's DECIMAL(18,3)."""
    if node.this == exp.DataType.Type.DECIMAL and not node.expressions:
        return exp.DataType.build("DECIMAL(10, 0)")
    return node
