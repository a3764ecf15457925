"""SQLite: statements and writes through ADBC's SQLite driver; column types from the declared
types, as the sqlite-jdbc driver reports them to Spark (no Spark dialect: JdbcUtils' mapping),
docs/spec.md §3.8."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

import pyarrow as pa

from .dialect import SYSTEM_DECIMAL, TIMESTAMP, Column, Dialect, bounded_decimal

# Declared type (upper case, without its size) -> Arrow type of Spark's type, as sqlite-jdbc
# reports the declared names to JDBC.
_DECLARED = [
    (("BOOLEAN",), pa.bool_()),
    (("BIGINT", "INT8", "UNSIGNED BIG INT"), pa.int64()),
    (("TINYINT", "SMALLINT", "INT2", "MEDIUMINT", "INTEGER", "INT"), pa.int32()),
    (("DOUBLE", "DOUBLE PRECISION", "REAL", "FLOAT"), pa.float64()),
    (("DATETIME", "TIMESTAMP"), TIMESTAMP),
    (("DATE",), pa.date32()),
]


class SQLiteDialect(Dialect):
    kind = "sqlite"

    def path(self) -> Path:
        return Path(self.url.database).expanduser().resolve()

    def connect(self):
        from adbc_driver_sqlite import dbapi

        return dbapi.connect(str(self.path()))

    def reader_uri(self) -> str:
        return f"sqlite://{self.path()}"

    def probe(self, connection, query: str) -> list[Column]:
        view = f"byzer_probe_{uuid.uuid4().hex}"
        cursor = connection.cursor()
        try:
            cursor.execute(f"CREATE TEMP VIEW {view} AS {query}")
            cursor.execute(f"PRAGMA temp.table_info({view})")
            rows = cursor.fetchall()
        finally:
            cursor.close()
            connection.rollback()
        return [self._column(row[1], row[2] or "") for row in rows]

    def _column(self, name: str, declared: str) -> Column:
        quoted = self.quote(name)
        base = re.sub(r"\s*\(.*\)\s*$", "", declared.strip().upper())
        size = re.findall(r"\d+", declared)
        for names, target in _DECLARED:
            if base in names:
                return Column(name, declared, target, quoted)
        if base == "BIT":  # Spark writes booleans as BIT(1): 0 or 1
            return Column(name, declared, pa.bool_(), f"CAST({quoted} AS INTEGER)")
        if base in ("DECIMAL", "NUMERIC"):
            target = bounded_decimal(int(size[0]), int(size[1]) if len(size) > 1 else 0) if size else SYSTEM_DECIMAL
            return Column(name, declared, target, f"CAST({quoted} AS TEXT)")
        if base in ("", "BLOB"):  # an expression or an untyped column (a view calls it BLOB):
            # its type is whatever its values are, binary for blobs
            return Column(name, declared, None, quoted)
        return Column(name, declared, pa.string(), f"CAST({quoted} AS TEXT)")

    def writable(self, data: pa.Table) -> pa.Table:
        """Decimals as their text, which a NUMERIC column stores as a number (ADBC's SQLite
        driver has no decimal binding); dates and timestamps go as ISO text, SQLite's convention."""
        for index, field in enumerate(data.schema):
            if pa.types.is_decimal(field.type):
                data = data.set_column(index, field.name, data.column(index).cast(pa.string()))
        return data

    def truncate_sql(self, table: str) -> str:
        return f"DELETE FROM {table}"

    def upsert_sql(self, table: str, columns: list[str], id_columns: list[str], source: str) -> str:
        names = ", ".join(self.quote(c) for c in columns)
        keys = ", ".join(self.quote(c) for c in id_columns)
        updates = ", ".join(f"{self.quote(c)} = excluded.{self.quote(c)}" for c in columns if c not in id_columns)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        # `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
        return f"INSERT INTO {table} ({names}) SELECT {names} FROM {source} WHERE true ON CONFLICT ({keys}) {action}"
