"""`run ... as DataSummary` over 1,000,000 rows x 10 columns (ints, doubles with NaN and nulls, a
decimal, strings of low and high cardinality with blanks, a timestamp, a boolean, a unique key):
the engine's time, the time of each step of the ET (one aggregate scan for all metrics but the mode,
the exact recount of near-unique columns, the per-column mode group-bys, formatting), and as anchor
a plain DuckDB `SUMMARIZE` of the same Arrow table (fewer metrics, approximate; a yardstick, no target).
Usage: python benchmarks/bench_data_summary.py [--rows N]"""
from __future__ import annotations

import argparse
import decimal
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, print_table  # noqa: E402

from byzer_kernel.engine import Session  # noqa: E402
from byzer_kernel.engine.ets.data_summary import summary  # noqa: E402
from byzer_kernel.engine.ets.data_summary_metrics import DEFAULT_METRICS, selected_metrics  # noqa: E402


def data(rows: int) -> pa.Table:
    rng = np.random.default_rng(17)
    doubles = rng.normal(100, 15, rows)
    doubles[rng.random(rows) < 0.01] = np.nan
    words = np.array(["alpha", "beta", "gamma", "", " ", "delta"], dtype=object)
    return pa.table({
        "id": np.arange(rows, dtype=np.int64),
        "age": pa.array(rng.integers(0, 100, rows), pa.int32()),
        "score": doubles,
        "income": pa.array(rng.integers(0, 10**6, rows).astype(np.float64),
                           mask=rng.random(rows) < 0.05),
        "price": pa.array([decimal.Decimal(int(x)) / 100 for x in rng.integers(0, 10**6, rows)],
                          pa.decimal128(12, 2)),
        "category": pa.array(words[rng.integers(0, len(words), rows)], pa.string()),
        "code": pa.array(rng.integers(0, 10**7, rows).astype(str), pa.string()),
        "ts": pa.array(rng.integers(0, 1_700_000_000, rows) * 1_000_000, pa.timestamp("us")),
        "flag": rng.random(rows) < 0.3,
        "small": pa.array(rng.integers(-5, 5, rows), pa.int16()),
    })


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    table = data(rows)
    session = Session()
    session.catalog.register("data", table)
    cell = "run data as DataSummary.`` as summaryTable;"
    con = duckdb.connect()
    con.register("data", table)
    summarize = lambda: con.sql("SUMMARIZE data").fetchall()  # noqa: E731

    assert session.execute(cell).table.num_rows == table.num_columns
    engine = best_of(lambda: session.execute(cell), 3)
    anchor = best_of(summarize, 3)
    print_table(f"DataSummary over {rows:,} rows x {table.num_columns} columns (default metrics)", [
        ("Byzer run DataSummary", engine, "DuckDB SUMMARIZE (fewer metrics)", anchor, "record"),
    ])
    for title, metrics in [("default metrics", DEFAULT_METRICS),
                           ("+ %25, %75, skewness, categoryCount", DEFAULT_METRICS + ",%25,%75,skewness,categoryCount")]:
        timings: dict = {}
        summary(table, selected_metrics(metrics), 2, timings=timings)
        total = sum(timings.values())
        print(f"\nwhere the time goes ({title}): {total:.2f} s")
        for step, seconds in sorted(timings.items(), key=lambda item: -item[1]):
            print(f"  {step:<42} {seconds:6.2f} s  {seconds / total:5.0%}")


if __name__ == "__main__":
    main()
