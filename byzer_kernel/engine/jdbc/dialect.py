"""What each database does differently, behind one interface: how to open a connection for
statements, how a read shapes each column so that it arrives as the Spark type Spark's JDBC source
gives it, and how a write names Spark's types in DDL (docs/spec.md §3.8). One subclass per database
(postgres.py, mysql.py, sqlite.py), the way Spark has one JdbcDialect per database."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pyarrow as pa

from ...lang.errors import DatabaseError, UsageError
from ...lang.secrets import MASK
from .urls import JdbcUrl

# Spark 3.3's decimal when the database gives no precision (DecimalType.SYSTEM_DEFAULT).
SYSTEM_DECIMAL = pa.decimal128(38, 18)
TIMESTAMP = pa.timestamp("us")


@dataclass
class Column:
    """One column of a read: its name, the database's type as the database names it, the Arrow
    type of the Spark type it becomes, and the SQL that reads it (over the quoted name)."""
    name: str
    db_type: str
    spark: pa.DataType
    read_sql: str
    nullable: bool = True  # False where the database says NOT NULL, as Spark's schema says


def bounded_decimal(precision: int, scale: int) -> pa.DataType:
    """Spark's DecimalType.bounded: precision and scale capped at 38."""
    return pa.decimal128(min(max(precision, 1), 38), min(max(scale, 0), 38))


# DDL of each Spark type on write: Spark's JdbcUtils.getCommonJDBCType; dialects override entries.
COMMON_WRITE_TYPES = {"int": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE PRECISION", "float": "REAL",
                      "smallint": "INTEGER", "tinyint": "BYTE", "boolean": "BIT(1)", "string": "TEXT",
                      "binary": "BLOB", "timestamp": "TIMESTAMP", "date": "DATE"}


class Dialect:
    kind = ""
    write_types: dict = COMMON_WRITE_TYPES
    transactional_ddl = True  # whether CREATE/DROP roll back with the rows
    batch_rows = 1000  # rows per INSERT where rows go one statement per batch (Spark's batchsize)

    def __init__(self, url: JdbcUrl):
        self.url = url

    # -- connections -----------------------------------------------------------------------
    def connect(self):
        """A DB-API connection for statements and writes, not in autocommit; an unreachable
        host or a refused login is one DatabaseError."""
        self.url.reach()
        try:
            return self.open()
        except Exception as error:  # each driver raises its own classes
            raise self.failure(error, "connecting") from None

    def open(self):
        """The driver's connection (connect() adds the reach check and the error)."""
        raise NotImplementedError

    def reader_uri(self) -> str:
        """connectorx's address of the database."""
        return self.url.uri()

    def read_arrow(self, query: str) -> pa.Table:
        """The rows of `query` as Arrow, through connectorx (binary protocol, in Rust; it
        releases the GIL, so partitions read in parallel threads)."""
        import connectorx

        return connectorx.read_sql(self.reader_uri(), query, return_type="arrow")

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    # -- reading ---------------------------------------------------------------------------
    def probe(self, connection, query: str) -> list[Column]:
        """The columns `query` gives, with their Spark types (Spark reads the same metadata)."""
        raise NotImplementedError

    def not_null_columns(self, connection, table: str) -> set:
        """The columns of `table` the database declares NOT NULL (Spark's nullable=false)."""
        return set()

    def marked(self, sql: str, marker: str) -> str:
        """`sql` carrying `marker` where the database's list of running queries shows it."""
        return f"/* {marker} */ {sql}"

    def cancel(self, marker: str) -> None:
        """Stop the running queries carrying `marker` (an interrupted load)."""

    # -- writing ---------------------------------------------------------------------------
    def ddl_type(self, dtype: pa.DataType, column: str) -> str:
        name = _spark_name(dtype)
        if pa.types.is_decimal(dtype):
            return self.decimal_ddl(dtype)
        if name in self.write_types:
            return self.write_types[name]
        if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
            return self.array_ddl(dtype.value_type, column)
        raise UsageError(f"column `{column}` of type {name} cannot be saved to {self.kind} "
                         "(no JDBC type for it); cast it in a select first")

    def decimal_ddl(self, dtype) -> str:
        return f"DECIMAL({dtype.precision},{dtype.scale})"

    def array_ddl(self, element: pa.DataType, column: str) -> str:
        raise UsageError(f"column `{column}` is an array: {self.kind} has no array columns; "
                         "turn it into a string (e.g. to_json) in a select first")

    def rows_changed(self, cursor) -> int:
        """Rows the cursor's last statement changed, -1 when the driver does not say."""
        return cursor.rowcount if cursor.rowcount is not None else -1

    def truncate_sql(self, table: str) -> str:
        return f"TRUNCATE TABLE {table}"

    def upsert_sql(self, table: str, columns: list[str], id_columns: list[str], source: str) -> str:
        """INSERT of `columns` from `source` updating the rows whose `id_columns` exist
        (PostgreSQL's and SQLite's ON CONFLICT; `WHERE true` keeps SQLite from reading ON CONFLICT
        as part of the SELECT's join)."""
        names = ", ".join(self.quote(c) for c in columns)
        keys = ", ".join(self.quote(c) for c in id_columns)
        updates = ", ".join(f"{self.quote(c)} = excluded.{self.quote(c)}" for c in columns if c not in id_columns)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        return f"INSERT INTO {table} ({names}) SELECT {names} FROM {source} WHERE true ON CONFLICT ({keys}) {action}"

    def insert(self, connection, table: str, data: pa.Table, columns: list[str]) -> None:
        """Insert every row of `data` into the `columns` of `table`, in the caller's transaction:
        COPY (ADBC's bulk ingest) into a temporary table, then one INSERT ... SELECT, which lets
        the database convert each value to its column's type as an INSERT would."""
        stage = self.stage(connection, data)
        names = ", ".join(self.quote(c) for c in columns)
        source = ", ".join(self.quote(c) for c in data.column_names)
        self.execute(connection, f"INSERT INTO {table} ({names}) SELECT {source} FROM {stage}")
        self.execute(connection, f"DROP TABLE {stage}")

    def upsert(self, connection, table: str, data: pa.Table, columns: list[str], id_columns: list[str]) -> None:
        stage = self.stage(connection, data)
        self.execute(connection, self.upsert_sql(table, columns, id_columns, stage))
        self.execute(connection, f"DROP TABLE {stage}")

    def ingest(self, connection, table: str, data: pa.Table) -> None:
        """COPY `data` straight into `table`, which this save created with exactly its columns."""
        schema, _, name = table.rpartition(".")
        cursor = connection.cursor()
        try:
            cursor.adbc_ingest(self.folded(name), self.writable(data), mode="append", db_schema_name=self.folded(schema) or None)
        finally:
            cursor.close()

    def folded(self, name: str) -> str:
        """An identifier as the database stores it: quotes removed, else the database's case."""
        if len(name) > 1 and name[0] == name[-1] and name[0] in "\"`":
            return name[1:-1]
        return name

    def writable(self, data: pa.Table) -> pa.Table:
        """`data` in the Arrow types the bulk ingest of this database takes."""
        return data

    def stage(self, connection, data: pa.Table) -> str:
        """A temporary table holding `data`, written by ADBC's bulk ingest."""
        import uuid

        name = f"byzer_stage_{uuid.uuid4().hex}"
        cursor = connection.cursor()
        try:
            cursor.adbc_ingest(name, self.writable(data), mode="create", temporary=True)
        finally:
            cursor.close()
        return name

    @staticmethod
    def execute(connection, sql: str) -> None:
        cursor = connection.cursor()
        try:
            cursor.execute(sql)
        finally:
            cursor.close()

    def table_exists(self, connection, table: str) -> bool:
        """Spark's JdbcUtils.tableExists: a query of the table that returns nothing succeeds."""
        cursor = connection.cursor()
        try:
            cursor.execute(f"SELECT 1 FROM {table} WHERE 1=0")
            cursor.fetchall()
            return True
        except Exception:
            connection.rollback()
            return False
        finally:
            cursor.close()

    # -- messages --------------------------------------------------------------------------
    def failure(self, error: Exception, doing: str) -> DatabaseError:
        """One DatabaseError for a driver's exception: what was done, where, the database's words."""
        # ADBC's SQLite driver ends with its own statement on a new line ("query: PRAGMA ...").
        text = " ".join(re.sub(r"\nquery: [\s\S]*$", "", str(error)).split()) or type(error).__name__
        if "ERROR:" in text:  # libpq quotes the whole statement before the server's own words
            text = text[text.index("ERROR:") + len("ERROR:"):].strip()
        text = re.sub(r"\.\s*\.\s*SQLSTATE", ". SQLSTATE", text)
        if "Cannot infer type from null" in text:
            text += " (a column of only NULLs has no type in SQLite: CAST it, e.g. CAST(NULL AS TEXT))"
        if self.url.password:
            text = text.replace(self.url.password, MASK)
        return DatabaseError(f"{doing} on {self.url.where}: {text}")


def _spark_name(dtype: pa.DataType) -> str:
    from ..types import spark_type_name
    return spark_type_name(dtype)


def to_spark(array: pa.ChunkedArray, target: pa.DataType, column: str) -> pa.ChunkedArray:
    """A column as the reader returned it, in the Arrow type of its Spark type."""
    source = array.type
    if source == target:
        return array
    if pa.types.is_timestamp(source) and source.tz is not None:  # an instant, shown in UTC
        array = array.cast(pa.timestamp(source.unit, "UTC")).cast(pa.timestamp(source.unit))
    if pa.types.is_large_list(array.type) and pa.types.is_list(target):
        array = array.cast(pa.list_(array.type.value_type))
    try:
        return array.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise DatabaseError(f"column `{column}` cannot be read as {_spark_name(target)}: "
                            f"{str(error).splitlines()[0]} (customSchema=\"{column} <type>\" reads it "
                            "as another type)") from None
