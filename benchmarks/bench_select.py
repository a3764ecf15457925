"""`select` through the engine vs the same query written for DuckDB by hand, on the same Arrow table:
  * a group-by over 10,000,000 rows (target: at most 1.2x);
  * translated Spark functions over 1,000,000 rows: a Java date pattern, an implicit cast and
    `split` with a limit (target: at most 1.3x).
Usage: python benchmarks/bench_select.py [--rows N] [--function-rows N]"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, print_table  # noqa: E402

from byzer_kernel.engine import Session  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--function-rows", type=int, default=1_000_000)
    arguments = parser.parse_args()
    rows = arguments.rows
    rng = np.random.default_rng(7)
    table = pa.table({"Busn_A": rng.integers(0, 200, rows), "Busn_B": rng.integers(0, 200, rows),
                      "g": rng.integers(0, 1000, rows)})
    session = Session()
    session.catalog.register("data", table)
    cell = "select g, sum(Busn_A) as a, avg(Busn_B) as b, count(*) as n from data group by g as out;"
    direct_sql = "select g, sum(Busn_A) as a, avg(Busn_B) as b, count(*) as n from data group by g"
    con = duckdb.connect()
    con.register("data", table)

    def direct():
        relation = con.sql(direct_sql)
        return (getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table)()

    assert session.execute(cell).table.num_rows == direct().num_rows
    engine = best_of(lambda: session.execute(cell), 5)
    anchor = best_of(direct, 5)
    functions = translated_functions(arguments.function_rows)
    print_table(f"select over {rows:,} rows (group-by) and {arguments.function_rows:,} (functions)", [
        ("Byzer select: group-by", engine, "DuckDB directly, same Arrow table", anchor, "<= 1.2x"),
        ("Byzer select: Spark functions", functions[0], "hand-written DuckDB SQL", functions[1], "<= 1.3x"),
    ])


# Spark SQL a Byzer script would write, and what a DuckDB user would write by hand for the same result.
SPARK_FUNCTIONS = ("select date_format(ts, 'yyyy-MM-dd HH:mm:ss.SSS') as d, n = '' as empty, "
                   "split(s, ',', 2) as parts from data as out;")
DUCKDB_FUNCTIONS = ("select strftime(ts, '%Y-%m-%d %H:%M:%S.') || lpad(CAST(millisecond(ts) % 1000 AS VARCHAR), 3, '0') as d, "
                    "n = TRY_CAST('' AS BIGINT) as empty, "
                    "CASE WHEN strpos(s, ',') = 0 THEN [s] "
                    "ELSE [s[:strpos(s, ',') - 1], s[strpos(s, ',') + 1:]] END as parts from data")


def translated_functions(rows: int) -> tuple[float, float]:
    rng = np.random.default_rng(11)
    seconds = rng.integers(0, 2_000_000_000, rows) * 1_000_000 + rng.integers(0, 1_000_000, rows)
    words = np.array(["a,b,c", "x", "left,right", "1,2,3,4"])
    table = pa.table({"ts": pa.array(seconds, pa.timestamp("us")), "n": rng.integers(0, 100, rows),
                      "s": pa.array(words[rng.integers(0, len(words), rows)])})
    session = Session()
    session.catalog.register("data", table)
    con = duckdb.connect()
    con.register("data", table)

    def direct():
        relation = con.sql(DUCKDB_FUNCTIONS)
        return (getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table)()

    ours, theirs = session.execute(SPARK_FUNCTIONS).table, direct()
    assert ours.column("d").to_pylist()[:100] == theirs.column("d").to_pylist()[:100]
    assert ours.column("parts").to_pylist()[:100] == theirs.column("parts").to_pylist()[:100]
    return best_of(lambda: session.execute(SPARK_FUNCTIONS), 5), best_of(direct, 5)


if __name__ == "__main__":
    main()
