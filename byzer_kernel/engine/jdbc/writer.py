"""`save [mode] t as jdbc.`db.table`` (docs/spec.md §3.8): Spark's JDBC writer with Byzer's `idCol`.

- errorIfExists fails on an existing table, ignore leaves it, overwrite drops and re-creates it
  (or with `truncate="true"` empties it and keeps its definition, where Spark's dialect allows),
  append inserts; a missing table is created with Spark's type of each column
  (`createTableColumnTypes` and `createTableOptions` as in Spark);
- `idCol="a,b"` upserts as Byzer's MLSQLJDBC: a new table gets that primary key, rows whose key
  exists are updated (`ON CONFLICT ... DO UPDATE`, `ON DUPLICATE KEY UPDATE`), others inserted;
- one transaction: a failed save leaves the table as it was and says so. MySQL commits DDL by
  itself, so there a replaced table is built under a new name and swapped in by one RENAME.
"""
from __future__ import annotations

import re
import uuid

import pyarrow as pa

from ...lang.errors import ByzerError, ByzerRuntimeError, UsageError
from ..formats.options import boolean_option, option, whole_number_option
from .connections import resolve
from .dialects import dialect_for

_MODES = {"overwrite", "append", "ignore", "errorifexists"}
# Spark's dialects whose TRUNCATE does not cascade (isCascadingTruncateTable == Some(false)); the
# others drop and re-create even with truncate="true".
_TRUNCATING = {"postgresql", "mysql"}


def save_jdbc(session, table: pa.Table, path: str, mode: str, options: dict, partition_by=()) -> pa.Table:
    if mode.lower() not in _MODES:
        raise UsageError(f"jdbc: save mode {mode} is not one of overwrite, append, ignore, errorIfExists")
    if partition_by or option(options, "partitionByCol"):
        raise UsageError("jdbc: partitionBy does not apply to a database table")
    target = resolve(session, path, options)
    dialect = dialect_for(target.url)
    name = target.table
    id_columns = _columns_option(target.options, "idCol", table)
    dialect.batch_rows = whole_number_option(target.options, "batchsize", minimum=1, default=1000)
    truncate = boolean_option(target.options, "truncate") and dialect.kind in _TRUNCATING and not id_columns
    column_types = _column_types(dialect, table, option(target.options, "createTableColumnTypes"))
    save = _Save(dialect, name, table, id_columns, column_types,
                 str(option(target.options, "createTableOptions", "") or ""))
    status = save.run(mode.lower(), truncate)
    return pa.table({"path": [f"{path}"], "format": ["jdbc"], "mode": [mode], "status": [status],
                     "rows": pa.array([0 if status.startswith("skipped") else table.num_rows], pa.int64()),
                     "files": pa.array([0], pa.int64())})


class _Save:
    def __init__(self, dialect, name, data, id_columns, column_types, table_options):
        self.dialect, self.name, self.data, self.id_columns = dialect, name, data, id_columns
        self.column_types, self.table_options = column_types, table_options

    def run(self, mode: str, truncate: bool) -> str:
        dialect = self.dialect
        connection = dialect.connect()
        try:
            exists = dialect.table_exists(connection, self.name)
            if exists and mode == "errorifexists":
                raise ByzerRuntimeError(f"Table or view '{self.name}' already exists. SaveMode: ErrorIfExists. "
                                        "(save overwrite or save append to change it)")
            if exists and mode == "ignore":
                return "skipped: table exists"
            if not exists:
                return self._guarded(connection, lambda: self._create_and_fill(connection, self.name), created=True)
            if mode == "overwrite" and truncate:
                return self._guarded(connection, lambda: self._refill(connection))
            if mode == "overwrite":
                return self._guarded(connection, lambda: self._replace(connection))
            return self._guarded(connection, lambda: self._append(connection))
        finally:
            connection.close()

    # -- the four ways of writing ----------------------------------------------------------
    def _create_and_fill(self, connection, name: str) -> str:
        # A column the data declares non-nullable is NOT NULL, as Spark's schemaString makes it.
        columns = ", ".join(f"{self.dialect.quote(f.name)} {self.column_types[f.name]}"
                            f"{'' if f.nullable else ' NOT NULL'}" for f in self.data.schema)
        key = ""
        if self.id_columns:
            key = f", PRIMARY KEY ({', '.join(self.dialect.quote(c) for c in self.id_columns)})"
        self.dialect.execute(connection, f"CREATE TABLE {name} ({columns}{key}) {self.table_options}".rstrip())
        self._insert(connection, name, self.data.column_names, fresh=True)
        return "written"

    def _refill(self, connection) -> str:
        columns = self._table_columns(connection)  # its probe ends a transaction: before the truncate
        self.dialect.execute(connection, self.dialect.truncate_sql(self.name))
        self._insert(connection, self.name, columns, fresh=False)
        return "written"

    def _replace(self, connection) -> str:
        if self.dialect.transactional_ddl:
            self.dialect.execute(connection, f"DROP TABLE {self.name}")
            return self._create_and_fill(connection, self.name)
        # Build the new table beside the old one, then swap them in one RENAME.
        suffix = uuid.uuid4().hex[:12]
        fresh, old = _renamed(self.name, f"byzer_new_{suffix}"), _renamed(self.name, f"byzer_old_{suffix}")
        try:
            self._create_and_fill(connection, fresh)
            connection.commit()
        except BaseException:
            connection.rollback()
            self.dialect.execute(connection, f"DROP TABLE IF EXISTS {fresh}")
            raise
        self.dialect.execute(connection, f"RENAME TABLE {self.name} TO {old}, {fresh} TO {self.name}")
        self.dialect.execute(connection, f"DROP TABLE {old}")
        return "written"

    def _append(self, connection) -> str:
        columns = self._table_columns(connection)
        if self.id_columns:
            self.dialect.upsert(connection, self.name, self.data, columns,
                                [columns[self.data.column_names.index(c)] for c in self.id_columns])
            return "upserted"
        self._insert(connection, self.name, columns, fresh=False)
        return "written"

    def _insert(self, connection, name: str, columns: list[str], fresh: bool) -> None:
        if fresh and self.dialect.transactional_ddl:
            self.dialect.ingest(connection, name, self.data)
        else:
            self.dialect.insert(connection, name, self.data, columns)

    def _table_columns(self, connection) -> list[str]:
        """The table's column for each column of the data, matched by name in any case as Spark
        does (JdbcUtils.getInsertStatement)."""
        found = [c.name for c in self.dialect.probe(connection, f"SELECT * FROM {self.name}")]
        by_lower = {c.lower(): c for c in found}
        missing = [c for c in self.data.column_names if c.lower() not in by_lower]
        if missing:
            raise UsageError(f"Column \"{missing[0]}\" not found in table {self.name} "
                             f"(its columns: {', '.join(found)})")
        return [by_lower[c.lower()] for c in self.data.column_names]

    def _guarded(self, connection, write, created: bool = False) -> str:
        """`write` in one transaction; on failure the table is as it was, and the message says so."""
        try:
            status = write()
            connection.commit()
            return status
        except BaseException as error:
            connection.rollback()
            if created and not self.dialect.transactional_ddl:
                self.dialect.execute(connection, f"DROP TABLE IF EXISTS {self.name}")
            if isinstance(error, ByzerError):
                raise
            if not isinstance(error, Exception):
                raise
            outcome = "it was not created" if created else "it is as it was"
            failure = self.dialect.failure(error, f"saving {self.data.num_rows} rows to table {self.name}")
            failure.message += f" (no row was written; {outcome})"
            raise failure from None


def _renamed(table: str, suffix: str) -> str:
    if table.endswith("`"):
        return f"{table[:-1]}_{suffix}`"
    return f"{table}_{suffix}"


def _columns_option(options: dict, key: str, data: pa.Table) -> list[str]:
    names = [c.strip() for c in str(option(options, key, "") or "").split(",") if c.strip()]
    missing = [c for c in names if c not in data.column_names]
    if missing:
        raise UsageError(f"jdbc: {key} {', '.join(missing)} not in the table's columns ({', '.join(data.column_names)})")
    return names


def _column_types(dialect, data: pa.Table, custom) -> dict:
    """The DDL type of each column: Spark's mapping, or `createTableColumnTypes` where given."""
    types = {field.name: dialect.ddl_type(field.type, field.name) for field in data.schema}
    if custom is None or not str(custom).strip():
        return types
    for part in re.split(r",(?![^()]*\))", str(custom)):
        name, _, ddl = part.strip().partition(" ")
        name = name.strip("`\"")
        match = [c for c in types if c.lower() == name.lower()]
        if not match or not ddl.strip():
            raise UsageError(f"createTableColumnTypes: `{part.strip()}` names no column of the table "
                             f"({', '.join(types)}) with a type")
        types[match[0]] = ddl.strip()
    return types
