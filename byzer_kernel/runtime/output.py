"""Rows produced by Python code -> an Arrow table of the declared schema, BY POSITION (docs/spec.md §6.7).

pyjava chunks rows by 1024 and names each chunk's columns after the key order of its first row;
Byzer then reads the columns by ordinal. So position i of the schema takes the value of the i-th key
of the chunk's first row, keys missing in a row give null, and the key names are discarded.
This module converts rows with pyarrow directly (no pandas), which is what makes it fast and keeps
it working with pandas 3 string columns.
"""
from __future__ import annotations

import decimal
import math
from typing import Callable, Iterable, Optional

import pyarrow as pa

from ..lang.errors import SchemaError

BLOCK_SIZE = 1024


class ColumnBuilder:
    """Collects rows chunk by chunk and builds the table once at the end."""

    def __init__(self, schema: pa.Schema):
        self.schema = schema
        self.columns: list[list] = [[] for _ in schema]

    def add_rows(self, rows: Iterable, block_size: int = BLOCK_SIZE,
                 counted: Optional[Callable[[int], None]] = None) -> None:
        """`counted(n)` hears each chunk's row count as it is added (the run's progress)."""
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == block_size:
                self.add_chunk(chunk)
                if counted is not None:
                    counted(block_size)
                chunk = []
        if chunk:
            self.add_chunk(chunk)
            if counted is not None:
                counted(len(chunk))

    def add_chunk(self, chunk: list) -> None:
        """One chunk of rows, mapped onto the schema by the key order of its first row."""
        first = chunk[0]
        if not isinstance(first, dict):
            raise SchemaError(f"a result row must be a dict, got a {type(first).__name__}: {first!r:.60}")
        keys = list(first.keys())
        if len(keys) < len(self.schema):
            raise SchemaError(
                f"the rows have {len(keys)} value(s) ({', '.join(map(str, keys))}) but the schema declares "
                f"{len(self.schema)} column(s) ({', '.join(self.schema.names)}); rows map onto the schema "
                "by position")
        for column, key in zip(self.columns, keys):
            column.extend([row.get(key) for row in chunk])

    def add_columns(self, values: list) -> None:
        """A batch given as columns (pandas Series, lists...) in schema order."""
        if len(values) < len(self.schema):
            raise SchemaError(f"the result has {len(values)} column(s) but the schema declares "
                              f"{len(self.schema)}; columns map onto the schema by position")
        for column, series in zip(self.columns, values):
            column.extend(series.tolist() if hasattr(series, "tolist") else list(series))

    def table(self) -> pa.Table:
        arrays = [to_array(values, field) for values, field in zip(self.columns, self.schema)]
        return pa.Table.from_arrays(arrays, schema=self.schema)


def rows_to_table(rows: Iterable, schema: pa.Schema, block_size: int = BLOCK_SIZE,
                  counted: Optional[Callable[[int], None]] = None) -> pa.Table:
    builder = ColumnBuilder(schema)
    builder.add_rows(rows, block_size, counted)
    return builder.table()


def dataframe_to_table(df, schema: pa.Schema) -> pa.Table:
    """`build_result_from_dataframe(df)`: the frame's columns by position."""
    if df.shape[1] < len(schema):
        raise SchemaError(f"the DataFrame has {df.shape[1]} column(s) but the schema declares "
                          f"{len(schema)}; columns map onto the schema by position")
    arrays = []
    for index, field in enumerate(schema):
        series = df.iloc[:, index]
        try:
            if _is_integer(field.type) and not _is_integer(pa.array(series, from_pandas=True).type):
                raise TypeError
            arrays.append(pa.array(series, type=field.type, from_pandas=True))
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            arrays.append(to_array(series.tolist(), field))  # names the misfit value
    return pa.Table.from_arrays(arrays, schema=schema)


def empty_table(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


def to_array(values: list, field: pa.Field) -> pa.Array:
    dtype = field.type
    if pa.types.is_decimal(dtype):
        values = [decimal.Decimal(repr(v)) if isinstance(v, float) and not math.isnan(v) else v
                  for v in values]
    try:
        if _is_integer(dtype):
            # pyarrow would truncate 1.5 into an int column; Byzer fails, so infer first.
            inferred = pa.array(values, from_pandas=True)
            if _is_integer(inferred.type) or pa.types.is_null(inferred.type):
                return inferred.cast(dtype)
            raise TypeError("not integers")
        return pa.array(values, type=dtype, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as error:
        raise misfit_error(values, field, error) from None


def misfit_error(values: list, field: pa.Field, error: Exception) -> SchemaError:
    from ..engine.types import spark_type_name

    declared = spark_type_name(field.type)
    for value in values:
        if not _fits(value, field.type):
            return SchemaError(
                f"column `{field.name}` is declared {declared} but a value is a Python "
                f"{type(value).__name__} ({value!r:.60}); change the value or the schema "
                f"(`!python conf \"schema=...\"`)")
    return SchemaError(f"column `{field.name}` (declared {declared}) cannot hold the values: {error}")


def _fits(value, dtype: pa.DataType) -> bool:
    try:
        if not _is_integer(dtype):
            pa.array([value], type=dtype, from_pandas=True)
            return True
        array = pa.array([value], from_pandas=True)
        if not (_is_integer(array.type) or pa.types.is_null(array.type)):
            return False
        array.cast(dtype)
        return True
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return False


def _is_integer(dtype: pa.DataType) -> bool:
    return pa.types.is_integer(dtype)
