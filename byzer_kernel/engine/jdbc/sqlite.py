"""SQLite: statements and writes through ADBC's SQLite driver; column types from the declared
types, as the sqlite-jdbc driver reports them to Spark (no Spark dialect: JdbcUtils' mapping),
docs/spec.md §3.8."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

import pyarrow as pa

from .dialect import SYSTEM_DECIMAL, TIMESTAMP, Column, Dialect, bounded_decimal

# Declared type (upper case, without its size) -> Arrow type of the Spark type Spark reads it as
# through the sqlite-jdbc driver (its JDBC type for the name, then Spark's JdbcUtils).
_DECLARED = [
    (("BOOLEAN", "BIT"), pa.bool_()),
    (("INT",), pa.int64()),  # the driver reports INT as a BIGINT-sized INTEGER
    (("BIGINT", "INT8", "UNSIGNED BIG INT"), pa.decimal128(20, 0)),  # reported unsigned
    (("TINYINT", "SMALLINT", "INT2", "MEDIUMINT", "INTEGER"), pa.int32()),
    (("DOUBLE", "DOUBLE PRECISION", "REAL"), pa.float64()),
    (("FLOAT",), pa.float32()),
    (("DATE", "DATETIME"), pa.date32()),  # the driver reports DATETIME as DATE
    (("TIMESTAMP",), TIMESTAMP),
]
# Dates and timestamps as Spark writes them (milliseconds since 1970) or as ISO text.
_DATE_READ = ("(CASE WHEN typeof({c}) IN ('integer', 'real') THEN date({c} / 1000, 'unixepoch') "
              "ELSE date({c}) END)")
_TIMESTAMP_READ = ("(CASE WHEN typeof({c}) IN ('integer', 'real') "
                   "THEN strftime('%Y-%m-%d %H:%M:%f', {c} / 1000.0, 'unixepoch') ELSE {c} END)")


class SQLiteDialect(Dialect):
    kind = "sqlite"

    def path(self) -> Path:
        return Path(self.url.database).expanduser().resolve()

    def open(self):
        from adbc_driver_sqlite import dbapi

        return dbapi.connect(str(self.path()))

    def read_arrow(self, query: str) -> pa.Table:
        """Through ADBC's SQLite driver, which types a column of only NULLs (connectorx refuses
        it); a local file gains nothing from connectorx's parallel network reads."""
        connection = self.connect()
        try:
            cursor = connection.cursor()
            cursor.execute(query)
            return cursor.fetch_arrow_table()
        finally:
            connection.close()

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
                read = (_DATE_READ if target == pa.date32() else _TIMESTAMP_READ if target == TIMESTAMP
                        else "CAST({c} AS INTEGER)" if target == pa.bool_() else "{c}")
                return Column(name, declared, target, read.format(c=quoted))
        if base in ("DECIMAL", "NUMERIC"):
            target = bounded_decimal(int(size[0]), int(size[1]) if len(size) > 1 else 0) if size else SYSTEM_DECIMAL
            return Column(name, declared, target, f"CAST({quoted} AS TEXT)")
        if base in ("", "BLOB"):  # an expression or an untyped column (a view calls it BLOB): decided
            # by its values, decimal(38,18) for numbers as the driver's NUMERIC (reader.py)
            return Column(name, declared, None, quoted)
        return Column(name, declared, pa.string(), f"CAST({quoted} AS TEXT)")

    def writable(self, data: pa.Table) -> pa.Table:
        """Values as Spark's JDBC writer leaves them in SQLite: decimals as their text, which a
        DECIMAL column stores as a number (ADBC's SQLite driver binds no decimals), dates and
        timestamps as milliseconds since 1970 (what sqlite-jdbc stores for them)."""
        import pyarrow.compute as pc

        for index, field in enumerate(data.schema):
            column = data.column(index)
            if pa.types.is_decimal(field.type):
                column = column.cast(pa.string())
            elif pa.types.is_date(field.type):
                column = pc.multiply(column.cast(pa.int32()).cast(pa.int64()), 86_400_000)
            elif pa.types.is_timestamp(field.type):
                column = pc.divide(column.cast(pa.timestamp("us")).cast(pa.int64()), 1000)
            else:
                continue
            data = data.set_column(index, field.name, column)
        return data

    def not_null_columns(self, connection, table: str) -> set:
        schema, _, name = table.rpartition(".")
        cursor = connection.cursor()
        try:
            cursor.execute(f"PRAGMA {schema + '.' if schema else ''}table_info({name})")
            return {row[1] for row in cursor.fetchall() if row[3]}
        finally:
            cursor.close()
            connection.rollback()

    def ingest(self, connection, table: str, data: pa.Table) -> None:
        if "." in table:  # ADBC's SQLite driver ingests into no named schema: stage and INSERT
            return self.insert(connection, table, data, data.column_names)
        return super().ingest(connection, table, data)

    def rows_changed(self, cursor) -> int:
        """ADBC's SQLite driver gives no count: SQLite's own changes() does."""
        if cursor.description:
            return -1
        cursor.execute("SELECT changes()")
        return int(cursor.fetchall()[0][0])

    def truncate_sql(self, table: str) -> str:
        return f"DELETE FROM {table}"
