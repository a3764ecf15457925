"""Spark's null tests and `typeof` on DuckDB (see registry.py for how a function is declared).

`typeof` is Spark's type of its argument at analysis time: the coercion phase records every
expression's Spark type (casts.SPARK_TYPE in the node's meta), so the answer is a constant."""
from __future__ import annotations

from sqlglot import exp

from .casts import SPARK_TYPE
from .registry import duck, macro, spark_function
from .spark_types import simple_string

# DuckDB's names, where the coercion phase could not tell the Spark type.
macro("""CREATE OR REPLACE MACRO spark_duck_type_name(t) AS
    CASE t WHEN 'INTEGER' THEN 'int' WHEN 'VARCHAR' THEN 'string' WHEN 'BLOB' THEN 'binary'
           WHEN 'TIMESTAMP WITH TIME ZONE' THEN 'timestamp' WHEN 'TIMESTAMP' THEN 'timestamp_ntz'
           WHEN '"NULL"' THEN 'void' ELSE lower(replace(t, ' ', '')) END""")


@spark_function("isnull")
def isnull(value):
    return exp.Is(this=value, expression=exp.Null())


@spark_function("isnotnull")
def isnotnull(value):
    return exp.Not(this=exp.Is(this=value, expression=exp.Null()))


@spark_function("typeof")
def typeof(value):
    known = value.meta.get(SPARK_TYPE)
    interval = value.meta.get("spark_type")  # functions_datetime_intervals: the interval's kind
    if isinstance(interval, str):
        return exp.Literal.string(interval)
    if known is not None:
        return exp.Literal.string(simple_string(known))
    return duck("spark_duck_type_name(typeof(_0))", value)
