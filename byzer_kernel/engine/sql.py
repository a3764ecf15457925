"""Spark SQL over the Arrow catalog: translated by sparksql/, run on DuckDB, zero-copy (docs/design.md §4.2)."""
from __future__ import annotations

import contextlib
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Optional, Sequence

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..lang.errors import ByzerRuntimeError
from . import case_columns, sparksql
from .catalog import Catalog, normalize_table_name
from .script_udf import ScriptFunctions
from .sparksql.engine_errors import spark_message
from .types import spark_interval_column, spark_type_name


class SqlEngine:
    def __init__(self, catalog: Catalog, functions: Optional[ScriptFunctions] = None):
        self.catalog = catalog
        self.functions = functions or ScriptFunctions()  # the session's `register ScriptUDF` functions
        self._functions_installed: dict = {}  # DuckDB name -> the ScriptFunction this connection has
        self._con = duckdb.connect()
        self._con.execute("SET TimeZone = 'UTC'")  # Spark's session time zone here, whatever the machine's
        # DuckDB measures a query's progress for query_progress(); its own bar stays off. In a
        # Jupyter kernel DuckDB refuses the setting when ipywidgets is missing: queries then run
        # without a percentage rather than not at all.
        try:
            self._con.execute("SET enable_progress_bar_print = false; SET enable_progress_bar = true")
        except duckdb.Error:
            pass
        self._installed: set = set()  # the sparksql macros and UDFs this connection has
        self._registered: dict[str, int] = {}  # duckdb view name -> id() of the Arrow table behind it
        self._lock = threading.Lock()
        self._schemas: dict = {}  # Arrow schema -> its columns' Spark types
        self._worker: Optional[ThreadPoolExecutor] = None  # the thread DuckDB's queries run on (_run)

    def query(self, spark_sql: str) -> pa.Table:
        translation = self.translate(spark_sql)
        with self._lock, self._failures_told(spark_sql, translation.tables):
            self._prepare(translation)
            try:
                relation, table = self._run(translation.duck_sql)
            except (duckdb.OutOfRangeException, duckdb.ConversionException):
                if translation.wrapping_sql is None:
                    raise
                sparksql.prepare(self._con, translation.wrapping_sql, self._installed)
                relation, table = self._run(translation.wrapping_sql)  # Spark's integers wrap around
            if relation is None:  # a statement without a result
                return pa.table({})
            hugeint = [str(t) == "HUGEINT" for t in relation.types]
        return as_spark_result(case_columns.with_public_names(table), hugeint, translation.spark_types)

    def _run(self, duck_sql: str):
        """(relation, Arrow table) of one statement, run on the engine's DuckDB thread while this
        one waits in Python: a Ctrl-C reaches this thread at once and interrupts the query. (On
        the calling thread, DuckDB often notices a Ctrl-C only when the query has ended.)"""
        def work():
            relation = self._con.sql(duck_sql)
            return relation, (_to_arrow(relation) if relation is not None else None)

        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="byzer-duckdb")
        future = self._worker.submit(work)
        try:
            return future.result()
        except KeyboardInterrupt:
            while True:  # the connection is free again only when DuckDB has stopped
                self._con.interrupt()
                try:
                    future.exception()
                    break
                except KeyboardInterrupt:  # another Ctrl-C while waiting: keep waiting
                    continue
            raise

    def query_progress(self) -> Optional[float]:
        """DuckDB's own percentage of the query running now, or None; asked from another thread
        (engine/progress.py) while `query` holds the lock."""
        if not self._lock.locked():
            return None
        value = self._con.query_progress()
        return value if value >= 0 else None

    def explain(self, spark_sql: str) -> tuple[str, str]:
        """(the DuckDB SQL the query becomes, DuckDB's physical plan of it), for `!profiler explain`."""
        translation = self.translate(spark_sql)
        with self._lock, self._failures_told(spark_sql, translation.tables):
            self._prepare(translation)
            rows = self._con.sql("EXPLAIN " + translation.duck_sql).fetchall()
        return translation.duck_sql, "\n".join(plan for _, plan in rows)

    def _prepare(self, translation: sparksql.Translation) -> None:
        sparksql.prepare(self._con, translation.duck_sql, self._installed)
        self.install_functions()
        for name in translation.tables:
            self._register(name)

    @contextlib.contextmanager
    def _failures_told(self, spark_sql: str, tables: Sequence[str]):
        """DuckDB's errors as the user's: a missing table, a registered function's own failure,
        an ambiguous column, or DuckDB's complaint in Spark's terms."""
        try:
            yield
        except duckdb.InterruptException:
            raise KeyboardInterrupt from None
        except RuntimeError as error:
            # DuckDB answers a Ctrl-C (the kernel's interrupt) in the middle of a query this way.
            if str(error) == "Query interrupted":
                raise KeyboardInterrupt from None
            raise
        except duckdb.CatalogException as error:
            missing = re.search(r"Table with name (\S+) does not exist", str(error))
            if missing:
                raise self.catalog.not_found(missing.group(1)) from error
            raise ByzerRuntimeError(self._message(error, spark_sql)) from error
        except duckdb.Error as error:
            failure = self.functions.take_failure()  # a registered function's code failed
            if failure is not None:
                raise failure from None
            ambiguous = case_columns.ambiguity(str(error), {n: self.catalog.get(n) for n in tables
                                                            if self.catalog.get(n) is not None})
            raise ByzerRuntimeError(ambiguous or self._message(error, spark_sql)) from error

    def _message(self, error: Exception, spark_sql: str) -> str:
        """DuckDB's error in Spark's words, suggesting the session's columns and functions."""
        def columns(name):
            table = self.catalog.get(name)
            return table.column_names if table is not None else None

        return _duckdb_message(error, spark_sql, columns, self.functions.names())

    def translate(self, spark_sql: str) -> sparksql.Translation:
        """The query in DuckDB's terms, over the catalog's tables and the session's functions."""
        return sparksql.translate(spark_sql, self._table_schema, self.functions.specs())

    def install_functions(self) -> None:
        """Put the session's registered functions on this engine's connection (under the lock)."""
        self.functions.install(self._con, self._functions_installed)

    def _table_schema(self, name: str):
        """A catalog table's columns as (name, Spark type) pairs (Spark's implicit casts depend
        on them), remembered per Arrow schema."""
        table = self.catalog.get(name)
        if table is None:
            return None
        schema = table.schema
        columns = self._schemas.get(schema)
        if columns is None:
            columns = tuple((field.name, spark_type_name(field.type)) for field in schema)
            self._schemas[schema] = columns
        return columns

    def _register(self, name: str) -> None:
        table = self.catalog.get(name)
        key = normalize_table_name(name)
        if table is None:
            return  # DuckDB reports the missing table in its own words, with the position
        if self._registered.get(key) != id(table):
            self._con.register(key, case_columns.registrable(table))  # {"b":1,"B":2} keeps both
            self._registered[key] = id(table)


def _to_arrow(relation) -> pa.Table:
    to_table = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return to_table()


def as_spark_result(table: pa.Table, hugeint: Sequence[bool] = (), declared: Sequence = ()) -> pa.Table:
    """Give results the types Spark would: DuckDB sums integers into HUGEINT where Spark gives
    bigint (`hugeint[i]` says column i is one: in Arrow it looks just like a real decimal(38,0),
    e.g. `cast(x as decimal(38,0))`, which must stay a decimal), and may hand out large/view strings.
    `declared[i]` is the Spark type the translation knows column i to have (an interval kind)."""
    columns, changed = [], False
    for index, (field, column) in enumerate(zip(table.schema, table.columns)):
        spark_type = declared[index] if index < len(declared) else None
        typed = spark_interval_column(column, spark_type) if spark_type else None
        if typed is not None:
            columns.append(typed)
            changed = True
            continue
        target = _spark_type(field.type, column, index < len(hugeint) and hugeint[index])
        if target is not None:
            column, changed = column.cast(target), True
            field = field.with_type(target)
        columns.append(column)
    if not changed:
        return table
    return pa.table(columns, names=table.column_names)


def _spark_type(dtype: pa.DataType, column, is_hugeint: bool) -> pa.DataType | None:
    if pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype):
        return pa.string()
    if is_hugeint and pa.types.is_decimal(dtype):
        bounds = pc.min_max(column)
        lo, hi = bounds["min"].as_py(), bounds["max"].as_py()
        if lo is None or (-(2**63) <= lo and hi < 2**63):
            return pa.int64()
    return None


def _duckdb_message(error: Exception, spark_sql: str, table_columns=None, functions=()) -> str:
    """Spark's words where the error has them (engine_errors.py), else DuckDB's first lines
    without its suggestions, which name DuckDB's functions rather than Spark's."""
    text = str(error).strip()
    spark = spark_message(text, spark_sql, table_columns, functions)
    if spark:
        return spark
    text = re.sub(r"^\w+ Error: ", "", text)
    return re.split(r"\n\s*(?:Did you mean|Candidate functions|Candidate bindings)", text)[0].strip()


