"""`!profiler sql|explain|conf` (Byzer's ProfilerCommand; docs/spec.md §10.5).

`sql` runs plain Spark SQL through the same layer as `select` (session.sql); `explain` shows the
DuckDB SQL the query becomes and DuckDB's physical plan of it, which is what runs here, or under
the Spark engine Spark's own plan (its `EXPLAIN`; with Byzer's second argument, `EXPLAIN EXTENDED`).
"""
from __future__ import annotations

import pyarrow as pa

from ..lang.errors import UsageError

USAGE = "usage: !profiler sql '''SQL''';  !profiler explain '''SQL''' or TABLE;  !profiler conf [named OUTPUT]"


def profiler_command(session, statement, args, events):
    if not args:
        raise UsageError(USAGE)
    action, rest = args[0], args[1:]
    if action == "sql" and len(rest) == 1:
        return "profiler", session.sql(rest[0])
    if action == "explain" and len(rest) in (1, 2):  # Byzer's second argument (`extended`): Spark's logical plans too
        target = rest[0].strip()
        query = f"select * from `{target.strip('`')}`" if target.strip("`") in session.catalog else target
        if session.spark.chosen:
            plan = spark_plan(session, query, extended=len(rest) == 2)
            return "profiler", pa.table({"name": ["doc"], "info": [plan]})
        duck_sql, plan = session.explain(query)
        return "profiler", pa.table({"name": ["doc", "duckdb_sql"], "info": [plan, duck_sql]})
    if action == "conf" and (not rest or (len(rest) == 2 and rest[0] == "named")):
        table = pa.table({"name": pa.array(list(session.spark_conf), pa.string()),
                          "value": pa.array(list(session.spark_conf.values()), pa.string())})
        if rest:
            session.catalog.register(rest[1], table)
            return rest[1], table
        return "profiler", table
    raise UsageError(USAGE)


def spark_plan(session, query: str, extended: bool) -> str:
    """Spark's plan of the query, as its EXPLAIN gives it (the physical plan; extended: the parsed,
    analyzed and optimized logical plans too)."""
    explained = session.spark.query(f"EXPLAIN {'EXTENDED ' if extended else ''}{query}").to_arrow()
    return explained.column(0)[0].as_py()
