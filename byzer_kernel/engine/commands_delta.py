"""`!delta` (docs/spec.md §3.4), the forms of byzer-lang's DeltaCommandWrapper on delta-rs:

- `!delta show tables;` -> table, database, operator (WowTableIdentifier) for each WAREHOUSE/db/table;
- `!delta history db.table;` -> one row per commit, newest first (Byzer keeps the last 1000);
- `!delta info db.table;` -> the table's version, files, size and partition columns;
- `!delta compact db.table VERSION NUM_FILES [in background];` -> name, value rows addNewFiles and
  removeFiles as DeltaCompactionCommand answers; delta-rs's optimize compacts the whole table (the
  version and files-per-folder arguments are checked, not used), and runs in the foreground;
- `!delta help;` -> the usage text.
"""
from __future__ import annotations

import json

import pyarrow as pa

from ..lang.errors import UsageError
from .formats.delta_format import is_delta_table, open_table, table_folder, warehouse

_USAGE = """
!delta compact [tablePath] [compactVersion] [compactNumFilePerDir] [in background];

`in background` is optional, and the other parameters is required.

!delta history [tablePath];
!delta show tables;
"""


def _show_tables(session) -> pa.Table:
    rows = []
    root = warehouse(session)
    for database in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        for table in sorted(p for p in database.iterdir() if p.is_dir()):
            if is_delta_table(table):
                rows.append((table.name, database.name))
    return pa.table({"table": pa.array([r[0] for r in rows], pa.string()),
                     "database": pa.array([r[1] for r in rows], pa.string()),
                     "operator": pa.array([None] * len(rows), pa.string())})


def _text_map(values: dict) -> list:
    """A commit's parameters or metrics as Spark's map<string,string> (non-strings as JSON)."""
    return [(str(k), v if isinstance(v, str) else json.dumps(v)) for k, v in (values or {}).items()]


def _history(name: str, folder) -> pa.Table:
    commits = open_table(name, folder).history(1000)
    text_map = pa.map_(pa.string(), pa.string())
    return pa.table({
        "version": pa.array([c.get("version") for c in commits], pa.int64()),
        "timestamp": pa.array([c.get("timestamp") for c in commits], pa.timestamp("ms")).cast(pa.timestamp("us")),
        "operation": pa.array([c.get("operation") for c in commits], pa.string()),
        "operationParameters": pa.array([_text_map(c.get("operationParameters")) for c in commits], text_map),
        "readVersion": pa.array([c.get("readVersion") for c in commits], pa.int64()),
        "isBlindAppend": pa.array([c.get("isBlindAppend") for c in commits], pa.bool_()),
        "operationMetrics": pa.array([_text_map(c.get("operationMetrics")) for c in commits], text_map),
        "engineInfo": pa.array([c.get("engineInfo") or c.get("clientVersion") for c in commits], pa.string()),
    })


def _info(name: str, folder) -> pa.Table:
    table = open_table(name, folder)
    files = table.get_add_actions(flatten=True)
    sizes = pa.table(files).column("size_bytes").to_pylist() if files is not None else []
    metadata = table.metadata()
    return pa.table({"tableName": [name], "path": [str(folder)], "version": pa.array([table.version()], pa.int64()),
                     "numFiles": pa.array([len(sizes)], pa.int64()), "sizeInBytes": pa.array([sum(sizes)], pa.int64()),
                     "partitionColumns": pa.array([list(metadata.partition_columns)], pa.list_(pa.string()))})


def _whole(label: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"!delta compact: {label} must be a whole number, got \"{text}\"")


def _compact(name: str, folder, args: list) -> pa.Table:
    if len(args) < 3:
        raise UsageError("!delta compact needs a table, a version and a file count: "
                         "!delta compact db.table 10 1;")
    _whole("compactVersion", args[1])
    if _whole("compactNumFilePerDir", args[2]) < 1:
        raise UsageError("!delta compact: compactNumFilePerDir must be at least 1")
    metrics = open_table(name, folder).optimize.compact()
    return pa.table({"name": ["addNewFiles", "removeFiles"],
                     "value": pa.array([metrics.get("numFilesAdded", 0), metrics.get("numFilesRemoved", 0)],
                                       pa.int32())})


def delta_command(session, statement, args, events):
    words = [a.strip().strip("`") for a in args if a.strip()]
    if words[:2] == ["show", "tables"]:
        return "output", _show_tables(session)
    if words[:1] == ["help"] or not words:
        return "output", pa.table({"value": [_USAGE]})
    action = words[0]
    if action in ("history", "info", "compact") and len(words) >= 2:
        name = words[1]
        folder = table_folder(session, name, {"mode": "path"} if "/" in name else {})
        if action == "history":
            return "output", _history(name, folder)
        if action == "info":
            return "output", _info(name, folder)
        return "output", _compact(name, folder, words[1:])
    raise UsageError("please use `!delta help;` to get the usage "
                     "(!delta show tables | history db.table | info db.table | compact db.table VERSION NUM_FILES)")
