"""A whole result table as the bytes of a CSV or Parquet file, for the result viewer's download.

Arrow writes both formats straight from the table's columns. Columns a format cannot hold are
written as text instead, the text the table view shows: arrays, maps and structs as JSON, Spark
intervals as Spark prints them (e.g. `INTERVAL '1 02:00:00' DAY TO SECOND`), and in CSV binary
values as base64 (CSV has no binary type; Spark's CSV writer refuses them).
"""
from __future__ import annotations

import base64
import io
import json
import re
from typing import Optional

import pyarrow as pa

FORMATS = ("csv", "parquet")


def export_table(table: pa.Table, file_format: str) -> bytes:
    """The bytes of `table` written as `file_format` ('csv' or 'parquet')."""
    if file_format == "csv":
        import pyarrow.csv as csv

        out = io.BytesIO()
        csv.write_csv(_writable(table, _csv_needs_text), out)
        return out.getvalue()
    if file_format == "parquet":
        import pyarrow.parquet as parquet

        out = io.BytesIO()
        parquet.write_table(_writable(table, _parquet_needs_text), out)
        return out.getvalue()
    raise ValueError(f"unknown download format {file_format!r} (one of: {', '.join(FORMATS)})")


def download_filename(name: Optional[str], file_format: str) -> str:
    """`<table name>.<format>`, keeping only characters safe in a file name."""
    stem = re.sub(r"[^\w.-]+", "_", name or "").strip("._") or "result"
    return f"{stem}.{file_format}"


def _csv_needs_text(dtype: pa.DataType) -> bool:
    return (isinstance(dtype, pa.ExtensionType) or pa.types.is_nested(dtype)
            or pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype)
            or pa.types.is_fixed_size_binary(dtype))


def _parquet_needs_text(dtype: pa.DataType) -> bool:
    return isinstance(dtype, pa.ExtensionType) or pa.types.is_interval(dtype)


def _writable(table: pa.Table, needs_text) -> pa.Table:
    """The table with every column `needs_text` refuses replaced by its text; the other columns
    are the same arrays (no copy)."""
    if not any(needs_text(field.type) for field in table.schema):
        return table
    columns, fields = [], []
    for field, column in zip(table.schema, table.columns):
        if needs_text(field.type):
            column = pa.array([_text(v) for v in column.to_pylist()], pa.string())
            field = pa.field(field.name, pa.string())
        columns.append(column)
        fields.append(field)
    return pa.table(columns, schema=pa.schema(fields))


def _text(value) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(_jsonable(value), ensure_ascii=False)
    return str(value)


def _jsonable(value):
    """Nested values as JSON can hold them (map entries arrive from Arrow as (key, value) pairs)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
