"""A group-by `select` over 10,000,000 rows through the engine vs the same query in DuckDB directly
on the same Arrow table. Target: at most 1.2x. Usage: python benchmarks/bench_select.py [--rows N]"""
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
    rows = parser.parse_args().rows
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
    print_table(f"select group-by over {rows:,} rows", [
        ("Byzer select (sqlglot + DuckDB)", engine, "DuckDB directly, same Arrow table", anchor, "<= 1.2x"),
    ])


if __name__ == "__main__":
    main()
