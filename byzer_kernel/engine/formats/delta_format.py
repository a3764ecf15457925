"""`load delta.`db.table`` and `save ... as delta.`db.table`` (docs/spec.md §3.4) on the `deltalake`
package (delta-rs), as byzer-lang's MLSQLDelta with its data lake on (DataLake.identifyToPath):

- `db.table` is the folder WAREHOUSE/db/table, `table` alone is default.table; WAREHOUSE is
  BYZER_HOME/_delta (Byzer's `streaming.datalake.path`);
- a path with `/` needs `mode="path"` and resolves as any load/save path, as Byzer refuses it otherwise;
- save modes overwrite, append, ignore, errorIfExists; `idCols="a,b"` upserts (MERGE on those columns:
  matched rows updated, others inserted) as UpsertTableInDelta does; `partitionBy`/`partitionByCol`;
- load options `startingVersion`/`endingVersion` union the versions [start, end) with a
  `__delta_version__` column; `versionAsOf` reads one version.
A delta log that cannot be read is one ByzerRuntimeError naming the table and its folder.
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from ...lang.errors import ByzerRuntimeError, UsageError

WAREHOUSE_FOLDER = "_delta"
_MODES = {"overwrite": "overwrite", "append": "append", "ignore": "ignore", "errorifexists": "error"}


def warehouse(session) -> Path:
    return Path(session.home) / WAREHOUSE_FOLDER


def table_folder(session, name: str, options: dict) -> Path:
    """DataLake.identifyToPath, or the resolved path with mode="path"."""
    mode = options.get("mode")
    if mode is not None and str(mode).lower() != "path":
        raise UsageError(f"delta: cannot resolve mode=\"{mode}\"; write mode=\"path\" to use a folder path")
    if mode is not None:
        return session.resolve_path(name)
    if "/" in name:
        raise UsageError(f"delta: `{name}` is a path; use the table form db.table "
                         f"(e.g. delta.`public.test`) or add where mode=\"path\"")
    parts = name.split(".")
    if len(parts) == 1:
        parts = ["default", parts[0]]
    if len(parts) != 2 or not all(parts):
        raise UsageError(f"datalake table format error: `{name}` (write db.table or table)")
    return warehouse(session).joinpath(*parts)


def is_delta_table(folder: Path) -> bool:
    return (folder / "_delta_log").is_dir()


def open_table(name: str, folder: Path, version=None):
    """The DeltaTable, or one ByzerRuntimeError for a missing table or a log delta-rs cannot read."""
    from deltalake import DeltaTable

    if not is_delta_table(folder):
        raise ByzerRuntimeError(f"delta table `{name}` does not exist (no _delta_log in {folder})")
    try:
        return DeltaTable(str(folder), version=version)
    except Exception as error:  # delta-rs raises several classes (DeltaError, OSError, ValueError)
        raise ByzerRuntimeError(f"delta table `{name}` at {folder}: the delta log cannot be read: "
                                f"{str(error).splitlines()[0] if str(error) else type(error).__name__}")


def _version_option(options: dict, key: str):
    value = options.get(key)
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise UsageError(f"option `{key}` must be a table version (a whole number), got \"{value}\"")


def _read(name: str, folder: Path, version=None) -> pa.Table:
    table = open_table(name, folder, version)
    try:
        return table.to_pyarrow_table()
    except Exception as error:
        raise ByzerRuntimeError(f"delta table `{name}` at {folder}: cannot read its files: {error}")


def load_delta(session, path: str, options: dict) -> pa.Table:
    folder = table_folder(session, path, options)
    start, end = _version_option(options, "startingVersion"), _version_option(options, "endingVersion")
    if (start is None) != (end is None):
        raise UsageError("delta: both startingVersion and endingVersion are required")
    if start is None:
        return _read(path, folder, _version_option(options, "versionAsOf"))
    if end <= start:
        raise UsageError(f"delta: endingVersion ({end}) must be greater than startingVersion ({start})")
    pieces = []
    for version in range(start, end):
        piece = _read(path, folder, version)
        pieces.append(piece.append_column("__delta_version__", pa.array([version] * piece.num_rows, pa.int64())))
    return pa.concat_tables(pieces, promote_options="default")


def _upsert(name: str, folder: Path, table: pa.Table, id_columns: list) -> None:
    missing = [c for c in id_columns if c not in table.column_names]
    if missing:
        raise UsageError(f"delta: idCols {', '.join(missing)} not in the table's columns "
                         f"({', '.join(table.column_names)})")
    target = open_table(name, folder)
    predicate = " AND ".join(f'target."{c}" = source."{c}"' for c in id_columns)
    (target.merge(table, predicate=predicate, source_alias="source", target_alias="target")
     .when_matched_update_all().when_not_matched_insert_all().execute())


def save_delta(session, table: pa.Table, path: str, mode: str, options: dict, partition_by=()) -> pa.Table:
    from deltalake import write_deltalake

    folder = table_folder(session, path, options)
    if mode.lower() not in _MODES:
        raise UsageError(f"delta: save mode {mode} is not one of overwrite, append, ignore, errorIfExists")
    partitions = list(partition_by) or [c.strip() for c in str(options.get("partitionByCol", "")).split(",")
                                        if c.strip()]
    missing = [c for c in partitions if c not in table.column_names]
    if missing:
        raise UsageError(f"delta: partition column {', '.join(missing)} not in the table")
    id_columns = [c.strip() for c in str(options.get("idCols", "")).split(",") if c.strip()]
    exists = is_delta_table(folder)
    status, files_before = "written", set()
    if exists:  # a corrupt log fails here, before anything is written
        files_before = set(open_table(path, folder).file_uris())
    if exists and mode.lower() == "errorifexists":
        raise ByzerRuntimeError(f"delta table `{path}` already exists ({folder}); "
                                "save overwrite or save append to change it")
    if exists and mode.lower() == "ignore":
        status = "skipped: table exists"
    elif exists and id_columns and mode.lower() != "overwrite":
        _upsert(path, folder, table, id_columns)
        status = "upserted"
    else:
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_deltalake(str(folder), table, mode="overwrite" if mode.lower() == "overwrite" else "append",
                            partition_by=partitions or None,
                            schema_mode="overwrite" if mode.lower() == "overwrite" else None)
        except Exception as error:
            raise ByzerRuntimeError(f"delta: cannot write `{path}` at {folder}: {error}")
    # `files`: the data files this save added to the table (a merge rewrites the files it touches).
    added = 0 if status.startswith("skipped") else len(set(open_table(path, folder).file_uris()) - files_before)
    return pa.table({"path": [str(folder)], "format": ["delta"], "mode": [mode], "status": [status],
                     "rows": pa.array([0 if status.startswith("skipped") else table.num_rows], pa.int64()),
                     "files": pa.array([added], pa.int64())})
