"""Spark's json functions on DuckDB (see registry.py for how a function is declared)."""
from __future__ import annotations

from sqlglot import exp

from .registry import duck, macro, spark_function, spark_node, udf  # noqa: F401
