"""MySQL and MariaDB: statements and writes through PyMySQL, column types as Spark 3.3's MySQLDialect
reads and writes them (docs/spec.md §3.8). MySQL's DDL commits by itself, so a save that replaces a
table builds the new one under another name and swaps the two in one RENAME (writer.py)."""
from __future__ import annotations

import pyarrow as pa

from ...lang.errors import UsageError
from .dialect import COMMON_WRITE_TYPES, TIMESTAMP, Column, Dialect, bounded_decimal
from .urls import CONNECT_TIMEOUT_SECONDS

_INTEGERS = {"TINY": pa.int32(), "SHORT": pa.int32(), "INT24": pa.int32(), "LONG": pa.int32(),
             "LONGLONG": pa.int64()}
_TEXT = {"VARCHAR", "VAR_STRING", "STRING", "TINY_BLOB", "MEDIUM_BLOB", "LONG_BLOB", "BLOB", "JSON",
         "ENUM", "SET"}
_BINARY_CHARSET = 63


class MySQLDialect(Dialect):
    kind = "mysql"
    transactional_ddl = False
    write_types = {**COMMON_WRITE_TYPES, "float": "FLOAT"}

    def open(self):
        import pymysql

        from .pymysql_private import without_read_timeout

        return without_read_timeout(pymysql.connect(
            host=self.url.host, port=self.url.port, user=self.url.user, password=self.url.password,
            database=self.url.database or None, charset="utf8mb4", connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=CONNECT_TIMEOUT_SECONDS, autocommit=False, init_command="SET time_zone = '+00:00'"))

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def probe(self, connection, query: str) -> list[Column]:
        from .pymysql_private import describe_fields

        cursor = connection.cursor()
        try:
            cursor.execute(f"SELECT * FROM ({query}) AS byzer_probe WHERE 1=0")  # Spark's schema query
            fields = describe_fields(cursor)
            connection.rollback()
        finally:
            cursor.close()
        return [self._column(field) for field in fields]

    def not_null_columns(self, connection, table: str) -> set:
        """MySQL says NOT NULL in each result field's flags, tables and expressions alike."""
        from .pymysql_private import NOT_NULL, describe_fields

        cursor = connection.cursor()
        try:
            cursor.execute(f"SELECT * FROM {table} LIMIT 0")
            return {f.name for f in describe_fields(cursor) if f.flags & NOT_NULL}
        finally:
            cursor.close()
            connection.rollback()

    def _column(self, field) -> Column:
        from .pymysql_private import UNSIGNED, field_codes

        name, code, flags, length, scale = field.name, field_codes[field.type_code], field.flags, \
            field.length, field.scale
        quoted, unsigned = self.quote(name), bool(flags & UNSIGNED)
        described = f"{code.lower()}{' unsigned' if unsigned else ''}({length})"
        if code in ("DECIMAL", "NEWDECIMAL"):
            precision = length - (0 if unsigned else 1) - (1 if scale > 0 else 0)
            return Column(name, described, bounded_decimal(precision, scale), f"CAST({quoted} AS CHAR)")
        if code == "TINY" and length == 1 and self.url.param("tinyInt1isBit", "true").lower() != "false":
            return Column(name, described, pa.bool_(), quoted)
        if code == "LONGLONG" and unsigned:
            return Column(name, described, pa.decimal128(20, 0), f"CAST({quoted} AS CHAR)")
        if code in ("LONG", "INT24") and unsigned:
            return Column(name, described, pa.int64(), quoted)
        if code in _INTEGERS:
            return Column(name, described, _INTEGERS[code], quoted)
        if code == "BIT":
            target = pa.bool_() if length == 1 else pa.int64()
            return Column(name, described, target, f"CAST({quoted} AS UNSIGNED)")
        if code == "FLOAT":  # Connector/J calls it REAL, which Spark reads as a double: the double
            # of the value's text (-3.40282e38), not of its 32 bits
            return Column(name, described, pa.float64(), f"CAST({quoted} AS CHAR)")
        if code == "DOUBLE":
            return Column(name, described, pa.float64(), quoted)
        if code in ("DATE", "NEWDATE"):
            return Column(name, described, pa.date32(), self._zero_date(quoted))
        if code == "YEAR":  # Connector/J's yearIsDateType: January 1st of the year, or the number
            if self.url.param("yearIsDateType", "true").lower() == "false":
                return Column(name, described, pa.int32(), quoted)
            return Column(name, described, pa.date32(), f"MAKEDATE({quoted}, 1)")
        if code == "DATETIME":
            return Column(name, described, TIMESTAMP, self._zero_date(quoted))
        if code == "TIMESTAMP":  # shown in the session time zone; Spark's values are instants
            return Column(name, described, TIMESTAMP,
                          f"CONVERT_TZ({self._zero_date(quoted)}, @@session.time_zone, '+00:00')")
        if code == "TIME":
            return Column(name, described, TIMESTAMP, f"TIMESTAMP('1970-01-01', {quoted})")
        if code in _TEXT and field.charsetnr != _BINARY_CHARSET:
            return Column(name, described, pa.string(), f"CAST({quoted} AS CHAR)")
        if code == "NULL":  # a NULL literal has no type: the driver reports binary
            return Column(name, described, pa.binary(), quoted)
        return Column(name, described, pa.binary(), quoted)

    def _zero_date(self, quoted: str) -> str:
        """The driver's zeroDateTimeBehavior for '0000-00-00': NULL (what Spark gets through the
        MariaDB driver, and Connector/J's convertToNull), 0001-01-01 with `round`, and the
        database's own error with `exception`."""
        behaviour = self.url.param("zeroDateTimeBehavior").lower().replace("_", "")
        if behaviour == "exception":
            return quoted
        if behaviour == "round":
            return f"(CASE WHEN {quoted} = 0 THEN '0001-01-01' ELSE {quoted} END)"
        return f"(CASE WHEN {quoted} = 0 THEN NULL ELSE {quoted} END)"

    def cancel(self, marker: str) -> None:
        connection = self.connect()
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT id FROM information_schema.processlist "
                           "WHERE info LIKE %s AND id <> CONNECTION_ID()", (f"%{marker}%",))
            for (query_id,) in cursor.fetchall():
                cursor.execute(f"KILL QUERY {int(query_id)}")
            cursor.close()
        finally:
            connection.close()

    def ddl_type(self, dtype: pa.DataType, column: str) -> str:
        if pa.types.is_int8(dtype):  # Spark writes BYTE, which MySQL refuses
            raise UsageError(f"column `{column}` of type tinyint cannot be saved to mysql (Spark's type for "
                             "it, BYTE, is not a MySQL type); cast it to int in a select first")
        return super().ddl_type(dtype, column)

    def truncate_sql(self, table: str) -> str:
        return f"DELETE FROM {table}"  # TRUNCATE would commit by itself; DELETE rolls back

    def upsert_sql(self, table: str, columns: list[str], id_columns: list[str], source: str = "") -> str:
        """Byzer's MysqlUpsertBuilder: one row of values, `ON DUPLICATE KEY UPDATE` the others."""
        names = ", ".join(self.quote(c) for c in columns)
        updates = ", ".join(f"{self.quote(c)} = VALUES({self.quote(c)})" for c in columns if c not in id_columns)
        if not updates:  # only keys: keep the row that is there
            updates = f"{self.quote(columns[0])} = {self.quote(columns[0])}"
        return (f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))}) "
                f"ON DUPLICATE KEY UPDATE {updates}")

    def insert_sql(self, table: str, columns: list[str]) -> str:
        names = ", ".join(self.quote(c) for c in columns)
        return f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"

    def insert(self, connection, table: str, data: pa.Table, columns: list[str]) -> None:
        self._execute_rows(connection, self.insert_sql(table, columns), data)

    def upsert(self, connection, table: str, data: pa.Table, columns: list[str], id_columns: list[str]) -> None:
        self._execute_rows(connection, self.upsert_sql(table, columns, id_columns), data)

    def _execute_rows(self, connection, sql: str, data: pa.Table) -> None:
        """PyMySQL sends each batch of `batch_rows` rows as one multi-row INSERT."""
        cursor = connection.cursor()
        try:
            for batch in data.to_batches(max_chunksize=self.batch_rows):
                cursor.executemany(sql, list(zip(*(column.to_pylist() for column in batch.columns))))
        finally:
            cursor.close()
