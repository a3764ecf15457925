"""Files on disk as Spark lays them out: input listing (file, folder, glob, comma list), `k=v`
partition folders, part-file names, `_SUCCESS`, and the save modes (docs/spec.md §4.2)."""
from __future__ import annotations

import datetime
import glob
import re
import shutil
import uuid
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import unquote

import pyarrow as pa

from ...lang.errors import ByzerRuntimeError, InternalError, UsageError
from ...lang.java_values import java_double
from ..progress import report_files
from ..table_slices import split_table
from .overwrite_guard import check_overwrite

DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"
_ESCAPED = set(chr(c) for c in range(1, 32)) | set("\"#%'*/:=?\\\x7f{[]^")


# -- reading ----------------------------------------------------------------------------------------
def _hidden(name: str) -> bool:
    """Spark skips `_x` (unless it is a `_k=v` partition folder), `.x` and `x._COPYING_`."""
    return (name.startswith("_") and "=" not in name) or name.startswith(".") or name.endswith("._COPYING_")


def list_input_files(path: Path) -> list[tuple[Path, dict]]:
    """Data files under one path with their partition values (`k=v` folders, outermost first)."""
    text = str(path)
    if any(ch in text for ch in "*?["):
        matches = sorted(glob.glob(text))
        if not matches:
            raise ByzerRuntimeError(f"path {text} does not exist (no file matches the pattern)")
        files = []
        for match in matches:
            files.extend(list_input_files(Path(match)))
        return files
    if not path.exists():
        raise ByzerRuntimeError(f"path {path} does not exist")
    if path.is_file():
        return [(path, {})]
    found: list[tuple[Path, dict]] = []

    def walk(folder: Path, partition: dict) -> None:
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            if _hidden(entry.name):
                continue
            if entry.is_dir():
                values = dict(partition)
                if "=" in entry.name:
                    key, _, raw = entry.name.partition("=")
                    values[unquote(key)] = raw
                walk(entry, values)
            else:
                found.append((entry, partition))

    walk(path, {})
    keys = {tuple(values) for _, values in found}
    if len(keys) > 1:
        shapes = ", ".join("/".join(k) or "(none)" for k in sorted(keys))
        raise ByzerRuntimeError(f"conflicting partition folder layouts under {path}: {shapes}")
    return found


_INT = re.compile(r"[+-]?\d+")


def _partition_value_type(raw: str) -> str:
    if raw == DEFAULT_PARTITION:
        return "null"
    if _INT.fullmatch(raw):
        value = int(raw)
        return "int" if -(1 << 31) <= value < (1 << 31) else "long" if -(1 << 63) <= value < (1 << 63) else "string"
    try:
        float(raw)
        if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", raw):
            return "double"
    except ValueError:
        pass
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            datetime.date.fromisoformat(raw)
            return "date"
        except ValueError:
            pass
    return "string"


def _merge_partition_types(a: str, b: str) -> str:
    if a == b or b == "null":
        return a
    if a == "null":
        return b
    numeric = ["int", "long", "double"]
    if a in numeric and b in numeric:
        return numeric[max(numeric.index(a), numeric.index(b))]
    return "string"


_PARTITION_ARROW = {"int": pa.int32(), "long": pa.int64(), "double": pa.float64(), "date": pa.date32(),
                    "string": pa.string(), "null": pa.string()}


def partition_columns(files: list[tuple[Path, dict]]) -> list[tuple[str, pa.DataType]]:
    """Partition columns and their types as Spark's partition discovery infers them."""
    if not files or not files[0][1]:
        return []
    names = list(files[0][1])
    result = []
    for name in names:
        kind = "null"
        for _, values in files:
            kind = _merge_partition_types(kind, _partition_value_type(values[name]))
        result.append((name, _PARTITION_ARROW[kind]))
    return result


def _partition_scalar(raw: str, arrow_type: pa.DataType):
    if raw == DEFAULT_PARTITION:
        return None
    if pa.types.is_integer(arrow_type):
        return int(raw)
    if pa.types.is_floating(arrow_type):
        return float(raw)
    if pa.types.is_date(arrow_type):
        return datetime.date.fromisoformat(raw)
    return unquote(raw)


def with_partition_values(table: pa.Table, values: dict, columns: list) -> pa.Table:
    for name, arrow_type in columns:
        scalar = _partition_scalar(values[name], arrow_type)
        table = table.append_column(pa.field(name, arrow_type), pa.array([scalar] * table.num_rows, arrow_type))
    return table


def concat_tables(tables: list[pa.Table]) -> pa.Table:
    if not tables:
        return pa.table({})
    if len(tables) == 1:
        return tables[0]
    return pa.concat_tables(tables, promote_options="permissive")


def input_paths(path_text: str) -> list[str]:
    """The paths of a comma-separated list (MLSQL's file sources accept `a,b`)."""
    parts = [p.strip() for p in path_text.split(",") if p.strip()]
    if not parts:
        raise UsageError("a path is required (write load FORMAT.`path` as t)")
    return parts


def read_partitioned(path_text: str, resolve: Callable[[str], Path], read_file: Callable[[Path], object],
                     to_tables: Callable[[list], list[pa.Table]]) -> pa.Table:
    """The one reader of partitioned file sources (json, csv, parquet).

    For each path of the list: find its data files, read each once with `read_file`, hand all their
    contents to `to_tables`, which returns one table per file (so a format can infer one schema over
    every file, as Spark does), and give each file's rows that file's own `k=v` values. Tagging per
    file matters: options such as mode="DROPMALFORMED" drop rows, so row counts cannot be guessed.
    """
    tables = []
    listed = [(part, list_input_files(resolve(part))) for part in input_paths(path_text)]
    count, done = sum(len(files) for _, files in listed), 0
    for part, files in listed:
        columns = partition_columns(files)
        contents = []
        for file, _ in files:
            contents.append(read_file(file))
            done += 1
            report_files(done, count)
        per_file = to_tables(contents)
        if len(per_file) != len(files):  # a format bug would silently mislabel rows otherwise
            raise InternalError(f"{len(files)} files under {part} gave {len(per_file)} tables")
        for (_, values), table in zip(files, per_file):
            tables.append(with_partition_values(table, values, columns))
    return concat_tables(tables)


# -- writing ------------------------------------------------------------------------------------
def prepare_target(path: Path, mode: str, *, byzer_home: Path, allow_any_folder: bool = False) -> bool:
    """Apply the save mode to an existing path; False means `ignore` found it and nothing is written.
    Overwrite first checks that the path may be replaced (`overwrite_guard`)."""
    exists = path.exists() or path.is_symlink()
    if exists:
        if mode == "errorIfExists":
            raise ByzerRuntimeError(f"path {path} already exists; use overwrite/append/ignore")
        if mode == "ignore":
            return False
        if mode == "overwrite":
            check_overwrite(path, byzer_home, allow_any_folder)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        elif mode == "append" and not path.is_dir():
            raise ByzerRuntimeError(f"cannot append to {path}: it is a file, not a folder")
    path.mkdir(parents=True, exist_ok=True)
    return True


def escape_partition_value(value) -> str:
    if value is None:
        return DEFAULT_PARTITION
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = java_double(value)
    else:
        text = str(value)
    if text == "":
        return DEFAULT_PARTITION
    return "".join(f"%{ord(ch):02X}" if ch in _ESCAPED else ch for ch in text)


def check_partition_columns(table: pa.Table, columns: list[str]) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise ByzerRuntimeError(f"partitionBy column `{missing[0]}` is not in the table "
                                f"(columns: {', '.join(table.column_names)})")


def _partition_groups(table: pa.Table, columns: list[str]):
    """(relative folder, rows without the partition columns) in order of first appearance."""
    check_partition_columns(table, columns)
    keys = list(zip(*(table.column(c).to_pylist() for c in columns)))
    groups: dict[tuple, list[int]] = {}
    for row, key in enumerate(keys):
        groups.setdefault(key, []).append(row)
    data = table.drop_columns(columns)
    for key, rows in groups.items():
        folder = Path(*(f"{c}={escape_partition_value(v)}" for c, v in zip(columns, key)))
        yield folder, data.take(pa.array(rows, pa.int64()))


def write_parts(table: pa.Table, path: Path, extension: str, file_num: Optional[int],
                partition_by: list[str], write_one: Callable[[pa.Table, Path], None]) -> int:
    """Write part files (and `_SUCCESS`) as Spark does; returns the number of data files written."""
    job = uuid.uuid4()
    written = rows_written = 0
    groups = list(_partition_groups(table, partition_by)) if partition_by else [(Path(), table)]
    pieces = [(path / folder, piece) for folder, rows in groups for piece in split_table(rows, file_num or 1)]
    for target, piece in pieces:
        target.mkdir(parents=True, exist_ok=True)
        write_one(piece, target / f"part-{written:05d}-{job}-c000{extension}")
        written, rows_written = written + 1, rows_written + piece.num_rows
        report_files(written, len(pieces), rows_written, table.num_rows)
    (path / "_SUCCESS").touch()
    return written
