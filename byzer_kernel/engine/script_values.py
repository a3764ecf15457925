"""Values between Arrow and the Python code of registered functions (engine/script_udf.py).

In: Arrow's Python values, with maps as dicts (Byzer's Jython functions see a map as a dict).
Out: the function's results as an Arrow array of the declared type; a value that is not of it is
the function's fault, reported with the value (Byzer fails on it too, with a ClassCastException).
"""
from __future__ import annotations

from typing import Callable

import pyarrow as pa


def python_values(array) -> list:
    values = array.to_pylist()
    if _holds_map(array.type):
        values = [_with_dicts(value, array.type) for value in values]
    return values


def _holds_map(dtype: pa.DataType) -> bool:
    if pa.types.is_map(dtype):
        return True
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype) or pa.types.is_fixed_size_list(dtype):
        return _holds_map(dtype.value_type)
    if pa.types.is_struct(dtype):
        return any(_holds_map(field.type) for field in dtype)
    return False


def _with_dicts(value, dtype: pa.DataType):
    """Arrow gives a map as a list of (key, value) pairs."""
    if value is None:
        return None
    if pa.types.is_map(dtype):
        return {_with_dicts(k, dtype.key_type): _with_dicts(v, dtype.item_type) for k, v in value}
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype) or pa.types.is_fixed_size_list(dtype):
        return [_with_dicts(item, dtype.value_type) for item in value]
    if pa.types.is_struct(dtype):
        return {field.name: _with_dicts(value.get(field.name), field.type) for field in dtype}
    return value


def arrow_result(values: list, dtype: pa.DataType, wrong_value: Callable) -> pa.Array:
    """`values` as an Arrow array of `dtype`; `wrong_value(value)` makes the exception raised for
    the first value that does not convert."""
    try:
        return pa.array(values, type=dtype)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError):
        pass
    for value in values:
        try:
            pa.array([value], type=dtype)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError):
            raise wrong_value(value) from None
    return pa.array(values, type=dtype)


def duckdb_type(dtype: pa.DataType) -> str:
    """DuckDB's name of an Arrow type (a registered function's result type)."""
    simple = {pa.int8(): "TINYINT", pa.int16(): "SMALLINT", pa.int32(): "INTEGER", pa.int64(): "BIGINT",
              pa.float32(): "FLOAT", pa.float64(): "DOUBLE", pa.string(): "VARCHAR", pa.binary(): "BLOB",
              pa.bool_(): "BOOLEAN", pa.date32(): "DATE", pa.null(): "INTEGER"}
    if dtype in simple:
        return simple[dtype]
    if pa.types.is_timestamp(dtype):
        return "TIMESTAMP"
    if pa.types.is_decimal(dtype):
        return f"DECIMAL({dtype.precision}, {dtype.scale})"
    if pa.types.is_map(dtype):
        return f"MAP({duckdb_type(dtype.key_type)}, {duckdb_type(dtype.item_type)})"
    if pa.types.is_list(dtype):
        return f"{duckdb_type(dtype.value_type)}[]"
    if pa.types.is_struct(dtype):
        fields = ", ".join('"' + f.name.replace('"', '""') + '" ' + duckdb_type(f.type) for f in dtype)
        return f"STRUCT({fields})"
    raise TypeError(f"no DuckDB type for {dtype}")
