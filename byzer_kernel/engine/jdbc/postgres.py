"""PostgreSQL: statements and writes through ADBC's PostgreSQL driver (bulk COPY), column types as
Spark 3.3's PostgresDialect reads and writes them (docs/spec.md §3.8)."""
from __future__ import annotations

import uuid

import pyarrow as pa

from .dialect import COMMON_WRITE_TYPES, SYSTEM_DECIMAL, TIMESTAMP, Column, Dialect, bounded_decimal
from .urls import CONNECT_TIMEOUT_SECONDS

# PostgreSQL type name -> Arrow type of the Spark type Spark reads it as.
_READ = {
    "bool": pa.bool_(), "int2": pa.int16(), "int4": pa.int32(), "int8": pa.int64(), "oid": pa.int64(),
    "float4": pa.float32(), "float8": pa.float64(), "bytea": pa.binary(), "date": pa.date32(),
    "timestamp": TIMESTAMP, "timestamptz": TIMESTAMP, "text": pa.string(), "varchar": pa.string(),
    "bpchar": pa.string(), "name": pa.string(), "char": pa.string(),
}
_ARRAY_ELEMENTS = {"bool", "int2", "int4", "int8", "float4", "float8", "text", "varchar", "bpchar"}
_PROBE = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname, a.atttypmod, e.typname
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type e ON e.oid = t.typelem
WHERE a.attrelid = '{view}'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
"""


def _numeric(typmod: int, quoted: str):
    """numeric(p,s) as decimal(p,s), read as its exact text; unbounded as Spark's
    decimal(38,18), rounded half up in the database as Spark rounds it."""
    if typmod < 0:
        return SYSTEM_DECIMAL, f"round({quoted}, 18)::text"
    precision, scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
    return bounded_decimal(precision, scale), f"{quoted}::text"


class PostgresDialect(Dialect):
    kind = "postgresql"
    write_types = {**COMMON_WRITE_TYPES, "string": "TEXT", "binary": "BYTEA", "boolean": "BOOLEAN",
                   "float": "FLOAT4", "double": "FLOAT8", "smallint": "SMALLINT", "tinyint": "SMALLINT"}

    def open(self):
        from adbc_driver_postgresql import dbapi

        # Values of timestamptz columns are written and compared in UTC, the session's time zone.
        return dbapi.connect(f"{self.url.uri()}?connect_timeout={CONNECT_TIMEOUT_SECONDS}"
                             "&options=-c%20TimeZone%3DUTC")

    def probe(self, connection, query: str) -> list[Column]:
        """From the catalog entry of a temporary view over the query (type names with their
        modifiers, e.g. numeric(10,2), bit(4)); where no view can be made (a read-only
        transaction, two columns of one name) from the statement's described result."""
        view = f"byzer_probe_{uuid.uuid4().hex}"
        cursor = connection.cursor()
        try:
            cursor.execute(f"CREATE TEMP VIEW {view} AS {query}")
            cursor.execute(_PROBE.format(view=view))
            rows = cursor.fetchall()
        except Exception:
            connection.rollback()
            rows = self._described(cursor, query)
        finally:
            cursor.close()
            connection.rollback()  # the view goes with the transaction
        return [self._column(*row) for row in rows]

    @staticmethod
    def _described(cursor, query: str) -> list[tuple]:
        """(name, type, typname, typmod, element) of each column, from ADBC's description of the
        result (the driver puts the type name and modifier in each field's metadata)."""
        rows = []
        for field in cursor.adbc_execute_schema(query):
            metadata = field.metadata or {}
            typname = metadata.get(b"POSTGRESQL:type", b"text").decode()
            typmod = int(metadata.get(b"POSTGRESQL:typmod", b"-1").decode())
            element = typname[1:] if typname.startswith("_") else None
            rows.append((field.name, typname, typname, typmod, element))
        return rows

    def _column(self, name, formatted, typname, typmod, element) -> Column:
        quoted = self.quote(name)
        if typname == "numeric":
            spark, read = _numeric(typmod, quoted)
            return Column(name, formatted, spark, read)
        if typname == "oid":  # pgjdbc calls it an unsigned BIGINT
            return Column(name, formatted, pa.decimal128(20, 0), f"{quoted}::int8")
        if typname == "bit":  # bit(1) is a boolean; longer ones are the bytes of their text
            if typmod == 1:
                return Column(name, formatted, pa.bool_(), f"({quoted} = B'1')")
            return Column(name, formatted, pa.binary(), f"{quoted}::text")
        if typname in ("time", "timetz"):  # a timestamp on 1970-01-01, whole seconds (pgjdbc's Time)
            return Column(name, formatted, TIMESTAMP, f"date_trunc('second', DATE '1970-01-01' + {quoted})")
        if element and typname.startswith("_"):
            if element == "numeric":
                spark, _ = _numeric(typmod, quoted)
                return Column(name, formatted, pa.list_(spark), f"{quoted}::text[]")
            if element in _ARRAY_ELEMENTS:
                return Column(name, formatted, pa.list_(_READ[element]), quoted)
            return Column(name, formatted, pa.list_(pa.string()), f"{quoted}::text[]")
        if typname in _READ:
            return Column(name, formatted, _READ[typname], quoted)
        # Spark reads Types.OTHER as a string: the value as the server sends it (its output
        # function, which format('%s') calls; a ::text cast differs, e.g. inet's netmask).
        return Column(name, formatted, pa.string(),
                      f"CASE WHEN {quoted} IS NULL THEN NULL ELSE format('%s', {quoted}) END")

    def not_null_columns(self, connection, table: str) -> set:
        cursor = connection.cursor()
        try:
            cursor.execute("SELECT attname FROM pg_attribute WHERE attrelid = "
                           f"'{table.replace(chr(39), chr(39) * 2)}'::regclass AND attnum > 0 AND attnotnull")
            return {row[0] for row in cursor.fetchall()}
        finally:
            cursor.close()
            connection.rollback()

    def cancel(self, marker: str) -> None:
        connection = self.connect()
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
                           f"WHERE query LIKE '%{marker}%' AND pid <> pg_backend_pid()")
            cursor.fetchall()
            cursor.close()
        finally:
            connection.close()

    def decimal_ddl(self, dtype) -> str:
        return f"NUMERIC({dtype.precision},{dtype.scale})"

    def array_ddl(self, element: pa.DataType, column: str) -> str:
        return self.ddl_type(element, column) + "[]"

    def folded(self, name: str) -> str:
        quoted = super().folded(name)
        return quoted if quoted != name else name.lower()  # PostgreSQL folds unquoted names down

    def truncate_sql(self, table: str) -> str:
        return f"TRUNCATE TABLE ONLY {table}"  # Spark's PostgresDialect, cascadeTruncate off
