"""`register ScriptUDF` functions callable from Spark SQL under the Spark engine
(docs/reference/spark-engine.md, "Registered functions").

Each registered Python function becomes a vectorized Arrow UDF of the session's SparkSession:
Spark hands its Python workers Arrow batches, and the worker runs the very batch function the
embedded engine gives DuckDB (engine/script_udf.py), so the values the code sees, NULLs, result
types and failures are the same on both engines. Arrow UDFs rather than pandas UDFs because pandas
would turn an integer column holding NULLs into floats before the code sees it.

A worker does not receive the compiled code: it receives the `register` statement's options
(ScriptSource) and compiles them once per worker process, as Byzer compiles a ScriptUDF on each
executor. A UDAF becomes a grouped aggregate Arrow UDF: one call per group, whose rows go through
the same initialize/update/merge/evaluate as on the embedded engine.
"""
from __future__ import annotations

import warnings
from typing import Callable, Optional

import pyarrow as pa

from ..script_udf import ScriptFunction, ScriptFunctions, ScriptSource

# A worker's functions, compiled at their first batch (one entry per ScriptSource).
_compiled: dict = {}


def _batch_of(source: Optional[ScriptSource], batch: Optional[Callable]) -> Callable:
    if source is None:
        return batch
    function = _compiled.get(source)
    if function is None:
        function = _compiled[source] = source.build()
    return function.batch


class SparkFunctions:
    """The session's registered functions, registered on its SparkSession before a query."""

    def __init__(self):
        self._installed: dict[str, ScriptFunction] = {}

    def sync(self, spark, functions: ScriptFunctions) -> None:
        for function in functions.registered():
            key = function.spec.name.lower()
            if self._installed.get(key) is function:
                continue
            spark.udf.register(function.spec.name, spark_udf(function))
            self._installed[key] = function

    def clear(self) -> None:
        self._installed.clear()


def spark_udf(function: ScriptFunction):
    """The Spark UDF of a registered function. Its closures hold the picklable source only (or,
    for a function with none, its batch), never the session."""
    from pyspark.sql.functions import ArrowUDFType, arrow_udf, udf
    from pyspark.sql.pandas.types import from_arrow_type

    return_type = from_arrow_type(function.arrow_type)
    source = function.source
    batch = function.batch if source is None else None
    if function.spec.kind == "udf":
        if function.spec.arity == 0:  # Arrow UDFs take at least one column
            def constant():
                return _batch_of(source, batch)(pa.nulls(1))[0].as_py()

            return udf(constant, return_type)

        def scalar(*arrays):
            return _batch_of(source, batch)(*arrays)

        return _quietly(lambda: arrow_udf(scalar, return_type, ArrowUDFType.SCALAR))
    input_types = function.input_arrow_types

    def aggregate(*arrays):
        columns = [array.cast(kind) if array.type != kind else array for array, kind in zip(arrays, input_types)]
        values = columns[0] if len(columns) == 1 else pa.StructArray.from_arrays(
            columns, names=[f"_{index}" for index in range(len(columns))])
        group = pa.ListArray.from_arrays(pa.array([0, len(values)], pa.int32()), values)
        return _batch_of(source, batch)(group)[0]

    return _quietly(lambda: arrow_udf(aggregate, return_type, ArrowUDFType.GROUPED_AGG))


def _quietly(make):
    """pyspark prefers type hints to the UDF type; the batch functions take any number of arrays,
    which hints cannot say. Its warning would land in the cell."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="It is preferred to specify type hints", category=UserWarning)
        return make()
