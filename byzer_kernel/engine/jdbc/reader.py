"""`load jdbc.`db.table`` and `load jdbc.`db` where directQuery="..."` (docs/spec.md §3.8).

The database's own metadata gives each column's Spark type (dialect.probe, as Spark's JDBC source
reads ResultSetMetaData); connectorx (ADBC for SQLite) then reads the rows straight into Arrow, one query per
partition in parallel threads, each column shaped in SQL so that it arrives losslessly (decimals as
text, times as timestamps). An interrupt cancels the queries in the database and leaves the
session as it was.
"""
from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa

from ...lang.errors import ByzerError, DatabaseError, SchemaError, UsageError
from ..formats.options import option
from .connections import resolve
from .dialect import SYSTEM_DECIMAL, Column, to_spark
from .dialects import dialect_for
from .partitions import partition_predicates

# The Arrow schema metadata key listing each partition's WHERE clause and row count.
PARTITIONS_KEY = b"byzer.jdbc.partitions"


def load_jdbc(session, path: str, options: dict) -> pa.Table:
    target = resolve(session, path, options)
    dialect = dialect_for(target.url)
    # Checked only: connectorx streams in batches of its own. Byzer itself sets Integer.MIN_VALUE
    # for MySQL (Connector/J's row streaming), so any whole number is accepted.
    fetch_size = option(target.options, "fetchsize")
    if fetch_size is not None and not str(fetch_size).strip().lstrip("-").isdigit():
        raise UsageError(f"option `fetchsize` must be a whole number, got \"{fetch_size}\"")
    direct = option(target.options, "directQuery") or option(target.options, "query")
    base = str(direct).strip().rstrip(";") if direct else f"SELECT * FROM {target.table}"
    doing = "reading the query" if direct else f"reading table {target.table}"
    marker = f"byzer-load-{uuid.uuid4().hex}"
    columns = _described(dialect, base, None if direct else target.table, marker, doing)
    columns = _custom_schema(columns, option(target.options, "customSchema"))
    predicates = partition_predicates(target.options, columns, dialect.quote)
    select = ", ".join(f"{c.read_sql} AS {dialect.quote(c.name)}" for c in columns)
    queries = [dialect.marked(f"SELECT {select} FROM ({base}) byzer_source"
                              + (f" WHERE {where}" if where else ""), marker) for where in predicates]
    pieces = _read_all(dialect, queries, marker, doing)
    table = pa.concat_tables([_shaped(piece, columns) for piece in pieces])
    sizes = [{"where": where, "rows": piece.num_rows} for where, piece in zip(predicates, pieces)]
    return table.replace_schema_metadata({PARTITIONS_KEY: json.dumps(sizes).encode()})


def _described(dialect, base: str, table, marker: str, doing: str) -> list[Column]:
    """The columns of `base` (NOT NULL ones of `table` non-nullable); an interrupt cancels the
    description in the database too (MariaDB runs a derived table's query to describe it)."""
    connection = dialect.connect()
    try:
        columns = dialect.probe(connection, dialect.marked(base, marker))
        required = dialect.not_null_columns(connection, table) if table else set()
        for column in columns:
            column.nullable = column.name not in required
        return columns
    except KeyboardInterrupt:
        dialect.cancel(marker)
        raise
    except ByzerError:
        raise
    except Exception as error:
        raise dialect.failure(error, doing) from None
    finally:
        try:
            connection.close()
        except Exception:  # the driver closed it itself when the interrupt cut a read
            pass


def _read_all(dialect, queries: list[str], marker: str, doing: str) -> list[pa.Table]:
    """Every query at once, one thread each; an interrupt cancels them in the database."""
    pool = ThreadPoolExecutor(max_workers=len(queries), thread_name_prefix="byzer-jdbc-read")
    futures = [pool.submit(dialect.read_arrow, query) for query in queries]
    try:
        return [future.result() for future in futures]
    except KeyboardInterrupt:
        for future in futures:
            future.cancel()
        dialect.cancel(marker)
        raise
    except Exception as error:  # connectorx raises RuntimeError and its own classes
        raise dialect.failure(error, doing) from None
    finally:
        pool.shutdown(wait=False)


def _shaped(piece: pa.Table, columns: list[Column]) -> pa.Table:
    arrays = []
    for index, column in enumerate(columns):
        array = piece.column(index)
        if piece.num_rows == 0:  # no value to read a type from: the column's Spark type, empty
            arrays.append(pa.chunked_array([], column.spark or _plain(array.type)))
            continue
        if column.spark is None:  # an SQLite expression: numbers as the driver's NUMERIC, the decimal
            # of each value's text (0.2, not the double's binary expansion)
            if pa.types.is_floating(array.type):
                array = array.cast(pa.string())
            numeric = pa.types.is_integer(array.type) or pa.types.is_string(array.type) and \
                pa.types.is_floating(piece.column(index).type)
            arrays.append(to_spark(array, SYSTEM_DECIMAL if numeric else _plain(array.type), column.name))
            continue
        arrays.append(to_spark(array, column.spark, column.name))
    schema = pa.schema([pa.field(_column_name(c.name), a.type, nullable=c.nullable) for c, a in zip(columns, arrays)])
    return pa.Table.from_arrays(arrays, schema=schema)


def _plain(dtype: pa.DataType) -> pa.DataType:
    if pa.types.is_large_string(dtype):
        return pa.string()
    if pa.types.is_large_binary(dtype):
        return pa.binary()
    return dtype


def _column_name(name: str) -> str:
    """Byzer's MLSQLJDBC drops a `table.` prefix from a column name."""
    return name.split(".", 1)[1] if "." in name else name


def _custom_schema(columns: list[Column], text) -> list[Column]:
    """Spark's `customSchema` ("id DECIMAL(38, 0), name STRING"): those columns' types replaced."""
    if text is None or not str(text).strip():
        return columns
    from ...lang.schema import parse_schema

    try:
        wanted = parse_schema(str(text))
    except SchemaError as error:
        raise UsageError(f"customSchema {text!r}: {error}") from None
    by_name = {c.name.lower(): c for c in columns}
    for field in wanted:
        if field.name.lower() not in by_name:
            raise UsageError(f"customSchema: column `{field.name}` is not in the result "
                             f"({', '.join(c.name for c in columns)})")
        by_name[field.name.lower()].spark = field.type
    return columns


__all__ = ["load_jdbc", "PARTITIONS_KEY", "DatabaseError"]
