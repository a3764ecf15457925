"""The file formats: `json`, `csv`, `parquet`, `text` loaders and savers over the Spark layout of
`layout.py` (docs/spec.md §3.2, §4.2)."""
from __future__ import annotations

import base64
import datetime
import decimal
import math
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq

from ...lang.errors import ByzerRuntimeError, UsageError
from ...lang.java_values import java_double
from .csv_format import format_timestamp, read_csv_file, read_csv_files
from .json_reader import read_json_files
from .layout import input_paths, list_input_files, read_partitioned
from .options import boolean_option, option
from .overwrite_guard import write_manifest
from .spark_json import json_string


# -- json ----------------------------------------------------------------------------------------
def load_json(session, path: str, options: dict) -> pa.Table:
    """JSON Lines files (a file, a folder of part files, a glob or a comma list), read with the same
    inference as jsonStr; partition folders become columns."""
    encoding = option(options, "encoding", "utf-8")
    return read_partitioned(path, session.resolve_path, lambda file: file.read_text(encoding=encoding),
                            lambda texts: read_json_files(texts, options))


def _json_value(value, arrow_type: pa.DataType) -> str:
    """A value as Spark's JacksonGenerator writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if pa.types.is_float32(arrow_type):
            text = repr(float(f"{value:.9g}"))
            return text if math.isfinite(value) else json_string(java_double(value))
        return java_double(value) if math.isfinite(value) else json_string(java_double(value))
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, str):
        return json_string(value)
    if isinstance(value, datetime.datetime):
        return json_string(format_timestamp(value))
    if isinstance(value, datetime.date):
        return json_string(value.isoformat())
    if isinstance(value, bytes):
        return json_string(base64.b64encode(value).decode("ascii"))
    if isinstance(value, dict):
        fields = {f.name: f.type for f in arrow_type} if pa.types.is_struct(arrow_type) else {}
        return _json_object(value, fields)
    if isinstance(value, list):
        if pa.types.is_map(arrow_type):
            return "{" + ",".join(json_string(str(k)) + ":" + ("null" if v is None else _json_value(v, arrow_type.item_type))
                                  for k, v in value) + "}"
        element = arrow_type.value_type
        return "[" + ",".join("null" if v is None else _json_value(v, element) for v in value) + "]"
    return json_string(str(value))


def _json_object(row: dict, types: dict) -> str:
    # Spark leaves out null fields (ignoreNullFields=true).
    return "{" + ",".join(json_string(name) + ":" + _json_value(value, types.get(name, pa.string()))
                          for name, value in row.items() if value is not None) + "}"


def write_json_file(table: pa.Table, path: Path, options: dict) -> None:
    types = {f.name: f.type for f in table.schema}
    with open(path, "w", encoding="utf-8") as out:
        for batch in table.to_batches(max_chunksize=65536):
            out.write("".join(_json_object(row, types) + "\n" for row in batch.to_pylist()))


# -- csv -----------------------------------------------------------------------------------------
def load_csv(session, path: str, options: dict) -> pa.Table:
    return read_partitioned(path, session.resolve_path, lambda file: read_csv_file(file, options),
                            lambda files_lines: read_csv_files(files_lines, options))


# -- parquet -------------------------------------------------------------------------------------
def load_parquet(session, path: str, options: dict) -> pa.Table:
    return read_partitioned(path, session.resolve_path, _read_parquet_file, list)


def _read_parquet_file(file: Path) -> pa.Table:
    try:
        return pq.read_table(file)
    except (pa.ArrowInvalid, OSError) as error:
        raise ByzerRuntimeError(f"{file} is not a parquet file: {error}") from None


def write_parquet_file(table: pa.Table, path: Path, options: dict) -> None:
    codec = str(option(options, "compression", "snappy")).lower()
    pq.write_table(table, path, compression="none" if codec in ("none", "uncompressed") else codec)


# -- text ----------------------------------------------------------------------------------------
def load_text(session, path: str, options: dict) -> pa.Table:
    """Columns `file` (as input_file_name(): a file: URI) and `value` (one row per line, or one per
    file with wholetext="true"); comma-separated paths allowed (MLSQLText)."""
    whole = boolean_option(options, "wholetext")
    files_column, values_column = [], []
    for part in input_paths(path):
        for file, _ in list_input_files(session.resolve_path(part)):
            text = file.read_text(encoding=option(options, "encoding", "utf-8"))
            uri = file.resolve().as_uri()
            if whole:
                lines = [text]
            else:
                lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                if lines and lines[-1] == "":
                    lines.pop()
            files_column.extend([uri] * len(lines))
            values_column.extend(lines)
    return pa.table({"file": pa.array(files_column, pa.string()), "value": pa.array(values_column, pa.string())})


def write_text_file(table: pa.Table, path: Path, options: dict) -> None:
    column = table.column(0).to_pylist() if table.num_columns else []
    with open(path, "w", encoding="utf-8") as out:
        out.write("".join(("" if v is None else str(v)) + "\n" for v in column))


def check_text_table(table: pa.Table) -> None:
    if table.num_columns != 1 or not pa.types.is_string(table.schema[0].type):
        described = ", ".join(f"{f.name} {f.type}" for f in table.schema)
        raise ByzerRuntimeError("text saves one string column per line, or one file per row with "
                                "fileName=\"<column>\" and imageColumn=\"<column>\"; "
                                f"the table has: {described}")


def check_text_per_row_options(table: pa.Table, options: dict) -> None:
    """Checked before the save mode touches the target, so a bad option loses no files."""
    name_column, content_column = option(options, "fileName"), option(options, "imageColumn")
    for needed, value in (("imageColumn", content_column), ("fileName", name_column)):
        if value is None:
            raise UsageError(f"{needed} is required")
        if value not in table.column_names:
            raise ByzerRuntimeError(f"{needed} column `{value}` is not in the table "
                                    f"(columns: {', '.join(table.column_names)})")


def save_text_files_per_row(table: pa.Table, folder: Path, options: dict) -> int:
    """Byzer's text saver: each row's `imageColumn` content goes to the file named by `fileName`.
    The names are recorded in the folder's manifest so that a later overwrite may replace them."""
    check_text_per_row_options(table, options)
    name_column, content_column = option(options, "fileName"), option(options, "imageColumn")
    folder.mkdir(parents=True, exist_ok=True)
    names, contents = table.column(name_column).to_pylist(), table.column(content_column).to_pylist()
    for name, content in zip(names, contents):
        target = folder / str(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text("" if content is None else str(content), encoding="utf-8")
    write_manifest(folder, (PurePosixPath(str(name)) for name in names))
    return len(names)
