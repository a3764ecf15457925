"""`!profiler sql|explain|conf` (Byzer's ProfilerCommand; docs/spec.md §10.5).

`sql` runs plain Spark SQL through the same layer as `select` (session.sql); `explain` shows the
DuckDB SQL the query becomes and DuckDB's physical plan of it, which is what runs here.
"""
from __future__ import annotations

import duckdb
import pyarrow as pa

from ..lang.errors import ByzerRuntimeError, TableNotFoundError, UsageError
from . import sparksql
from .sql import SqlEngine, _duckdb_message

USAGE = "usage: !profiler sql '''SQL''';  !profiler explain '''SQL''' or TABLE;  !profiler conf [named OUTPUT]"


def profiler_command(session, statement, args, events):
    if not args:
        raise UsageError(USAGE)
    action, rest = args[0], args[1:]
    if action == "sql" and len(rest) == 1:
        return "profiler", session.sql(rest[0])
    if action == "explain" and len(rest) in (1, 2):  # Byzer's second argument (`extended`) changes nothing here
        target = rest[0].strip()
        query = f"select * from `{target.strip('`')}`" if target.strip("`") in session.catalog else target
        duck_sql, plan = ExplainingEngine(session.catalog).explain(query)
        return "profiler", pa.table({"name": ["doc", "duckdb_sql"], "info": [plan, duck_sql]})
    if action == "conf" and (not rest or (len(rest) == 2 and rest[0] == "named")):
        table = pa.table({"name": pa.array(list(session.spark_conf), pa.string()),
                          "value": pa.array(list(session.spark_conf.values()), pa.string())})
        if rest:
            session.catalog.register(rest[1], table)
            return rest[1], table
        return "profiler", table
    raise UsageError(USAGE)


class ExplainingEngine(SqlEngine):
    """A SqlEngine over the session's catalog that plans instead of running. Its own connection:
    explaining is rare, and building one (~0.1 s) leaves the session's engine as it was."""

    def explain(self, spark_sql: str) -> tuple[str, str]:
        """(the DuckDB SQL of the query, DuckDB's physical plan)."""
        translation = sparksql.translate(spark_sql, self._table_schema)
        with self._lock:
            for name in translation.tables:
                self._register(name)
            try:
                rows = self._con.sql("EXPLAIN " + translation.duck_sql).fetchall()
            except duckdb.CatalogException as error:
                missing = next((name for name in translation.tables if name not in self.catalog), None)
                if missing is None:
                    raise ByzerRuntimeError(_duckdb_message(error, spark_sql)) from error
                known = ", ".join(self.catalog.names()) or "none"
                raise TableNotFoundError(f"table `{missing}` does not exist (known tables: {known})") from error
            except duckdb.Error as error:
                raise ByzerRuntimeError(_duckdb_message(error, spark_sql)) from error
        return translation.duck_sql, "\n".join(plan for _, plan in rows)
