"""Data sources by their Byzer name, looked up case-sensitively as DataSourceRegistry does (docs/spec.md §1.6).

A loader is `load(session, path, options) -> pa.Table` (path rendered and cleaned, options rendered);
a saver writes one table file: `write(table, file_path, options)`; `SAVE_EXTENSIONS` names the
part-file suffix Spark uses for the format.
"""
from __future__ import annotations

from typing import Callable

from . import binary_formats, delta_format, excel_format, file_formats, in_memory, orc_format, rest_format
from .csv_format import write_csv_file

def _load_jdbc(session, path, options):
    from ..jdbc.reader import load_jdbc  # the database libraries load on first use
    return load_jdbc(session, path, options)


def _save_jdbc(session, table, path, mode, options, partition_by):
    from ..jdbc.writer import save_jdbc
    return save_jdbc(session, table, path, mode, options, partition_by)


LOADERS: dict[str, Callable] = {
    "jsonStr": in_memory.load_json_str,
    "csvStr": in_memory.load_csv_str,
    "script": in_memory.load_script,
    "json": file_formats.load_json,
    "csv": file_formats.load_csv,
    "parquet": file_formats.load_parquet,
    "text": file_formats.load_text,
    "Rest": rest_format.load_rest,
    "delta": delta_format.load_delta,
    "excel": excel_format.load_excel,
    "orc": orc_format.load_orc,
    "binaryFile": binary_formats.load_binary_file,
    "image": binary_formats.load_image,
    "jdbc": _load_jdbc,
}
WRITERS: dict[str, Callable] = {
    "json": file_formats.write_json_file,
    "csv": write_csv_file,
    "parquet": file_formats.write_parquet_file,
    "text": file_formats.write_text_file,
    "orc": orc_format.write_orc_file,
}
# Formats that write a whole table their own way (a request, a delta commit), not Spark's part files:
# `save(session, table, path, mode, options, partition_by) -> the save_result table`.
TABLE_SAVERS: dict[str, Callable] = {
    "Rest": rest_format.save_rest,
    "delta": delta_format.save_delta,
    "excel": excel_format.save_excel,
    "jdbc": _save_jdbc,
}
# Option checks a writer would otherwise make only at its first file, after `overwrite` has
# already removed the old data: run before the save mode touches anything.
SAVE_OPTION_CHECKS: dict[str, Callable] = {"orc": orc_format.orc_codec}
SAVE_EXTENSIONS = {"json": ".json", "csv": ".csv", "parquet": ".snappy.parquet", "text": ".txt", "orc": ".snappy.orc"}
# Formats that live in a variable: loading only (MLSQLJSonStr/MLSQLCsvStr/MLSQLScript refuse to save).
IN_MEMORY_FORMATS = ("jsonStr", "csvStr", "script")


def known_formats() -> list[str]:
    return list(LOADERS)


def savable_formats() -> list[str]:
    """The formats `save` can write (the in-memory ones only load)."""
    return list(WRITERS) + list(TABLE_SAVERS)


def loader_for(name: str):
    return LOADERS.get(name)
