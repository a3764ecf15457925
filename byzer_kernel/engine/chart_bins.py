"""Histogram bins counted by DuckDB (through the session's Spark SQL), for `!plot ... kind="hist"`
and `!visualize` histograms: only the bins reach the plotting library, whatever the row count.

Bins are equal-width between the column's minimum and maximum, as numpy.histogram makes them: the
last bin includes the maximum. Without a bin count, Sturges' rule (log2(n) + 1 bins, at most
MAX_DEFAULT_BINS) picks one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import pyarrow as pa

from ..lang.errors import UsageError

MAX_DEFAULT_BINS = 100
MAX_BINS = 10_000


@dataclass
class Bins:
    table: pa.Table  # bin_start, bin_end, [color], count: one row per bin (and series), in order
    start: float
    end: float
    width: float
    count: int  # number of bins
    values: int  # non-null values counted


def quoted(name: str) -> str:
    """A column or table name for Spark SQL, whatever characters it holds."""
    return "`" + name.replace("`", "``") + "`"


def double_literal(value: float) -> str:
    return repr(float(value)) + "D"


def histogram_bins(session, table_name: str, x: str, color: Optional[str] = None,
                   bins: Optional[int] = None, what: str = "!plot") -> Bins:
    """Count the values of numeric column `x` of `table_name` in equal-width bins (per value of
    `color` when given)."""
    source, column = quoted(table_name), f"cast({quoted(x)} as double)"
    stats = session.sql(f"select min({column}) as lo, max({column}) as hi, count({quoted(x)}) as n "
                        f"from {source}").to_pylist()[0]
    low, high, values = stats["lo"], stats["hi"], stats["n"]
    if not values:
        raise UsageError(f"{what}: column `{x}` has no values to count (every row is null)")
    if not (math.isfinite(low) and math.isfinite(high)):
        raise UsageError(f"{what}: column `{x}` holds NaN or infinite values, which have no bin: "
                         "filter them out with a select first")
    if bins is None:
        bins = min(MAX_DEFAULT_BINS, math.ceil(math.log2(values)) + 1)
    series = f", {quoted(color)}" if color else ""
    if low == high:  # one value: one bin of width 1 around it, as numpy does
        low, high, bins = low - 0.5, high + 0.5, 1
    # floor((x - low) * bins / (high - low)) as numpy.histogram computes it; the maximum falls in
    # bin `bins` and is counted in the last one below. (Spark's width_bucket, as the embedded
    # engine emulates it, takes half as long again on 10M rows.)
    bucket = f"floor(({column} - {double_literal(low)}) * {double_literal(bins / (high - low))})"
    counted = session.sql(f"select {bucket} as bin{series}, count(1) as `count` from {source} "
                          f"where {quoted(x)} is not null group by 1{', 2' if color else ''}")
    width = (high - low) / bins
    return Bins(_bin_table(counted, bins, low, width, color), low, high, width, bins, values)


def _bin_table(counted: pa.Table, bins: int, low: float, width: float, color: Optional[str]) -> pa.Table:
    """Rows in bin order; without series every bin is listed, empty ones with a count of 0."""
    counts: dict = {}
    for row in counted.to_pylist():
        key = (min(int(row["bin"]), bins - 1), row[color] if color else None)
        counts[key] = counts.get(key, 0) + row["count"]
    if color:
        found = [(b, c, n) for (b, c), n in sorted(counts.items(),
                                                   key=lambda item: (item[0][0], item[0][1] is not None, item[0][1]))]
    else:
        found = [(b, None, counts.get((b, None), 0)) for b in range(bins)]
    columns = {
        "bin_start": pa.array([low + b * width for b, _, _ in found], pa.float64()),
        "bin_end": pa.array([low + (b + 1) * width for b, _, _ in found], pa.float64()),
    }
    if color:
        columns[color] = pa.array([c for _, c, _ in found], counted.schema.field(color).type)
    columns["count"] = pa.array([n for _, _, n in found], pa.int64())
    return pa.table(columns)
