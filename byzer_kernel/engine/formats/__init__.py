"""Data sources by their Byzer name, looked up case-sensitively as DataSourceRegistry does (docs/spec.md §1.6).

A loader is `load(session, path, options) -> pa.Table` (path rendered and cleaned, options rendered);
a saver writes one table file: `write(table, file_path, options)`; `SAVE_EXTENSIONS` names the
part-file suffix Spark uses for the format.
"""
from __future__ import annotations

from typing import Callable

from . import file_formats, in_memory
from .csv_format import write_csv_file

LOADERS: dict[str, Callable] = {
    "jsonStr": in_memory.load_json_str,
    "csvStr": in_memory.load_csv_str,
    "script": in_memory.load_script,
    "json": file_formats.load_json,
    "csv": file_formats.load_csv,
    "parquet": file_formats.load_parquet,
    "text": file_formats.load_text,
}
WRITERS: dict[str, Callable] = {
    "json": file_formats.write_json_file,
    "csv": write_csv_file,
    "parquet": file_formats.write_parquet_file,
    "text": file_formats.write_text_file,
}
SAVE_EXTENSIONS = {"json": ".json", "csv": ".csv", "parquet": ".snappy.parquet", "text": ".txt"}
# Formats that live in a variable: loading only (MLSQLJSonStr/MLSQLCsvStr/MLSQLScript refuse to save).
IN_MEMORY_FORMATS = ("jsonStr", "csvStr", "script")


def known_formats() -> list[str]:
    return list(LOADERS)


def savable_formats() -> list[str]:
    """The formats `save` can write (the in-memory ones only load)."""
    return list(WRITERS)


def loader_for(name: str):
    return LOADERS.get(name)
