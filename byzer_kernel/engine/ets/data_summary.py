"""`DataSummary` (byzer-extension: tech.mlsql.plugins.mllib.ets.fe.SQLDataSummaryV2, registered under this
name by MLSQLMllib): one row per input column, every cell a string: columnName, ordinalPosition and the
selected metrics in Byzer's fixed order (data_summary_metrics.ALL_METRICS).

All metrics but the mode come from one DuckDB aggregate over the table (one scan); each column's mode
is a group-by of its own, skipped when the distinct count already says every value is unique. As in
Byzer, a table of at most `approxThreshold` rows is summarised exactly; above it the quantiles and
distinct counts may be approximate (`relativeError`, `approxCountDistinct`)."""
from __future__ import annotations

import pyarrow as pa

from ...lang.errors import ByzerRuntimeError, UsageError
from . import builtin_et
from .base import ET, Param
from .example_data import PEOPLE
from . import data_summary_metrics as m


@builtin_et
class DataSummary(ET):
    name = "DataSummary"
    doc = ("Summarises a table: one row per column with its type, length, max/min, mean, standard "
           "deviation and error, null/blank/unique ratios, non-null count, quartiles, mode, category "
           "count, skewness and whether it could be a primary key.")
    alg_type = "feature engineer"
    code_example = PEOPLE + """
load jsonStr.`abc` as table1;
select age, income from table1 as table2;
run table2 as DataSummary.`` as summaryTable;"""
    params = (
        Param("metrics", "the metrics to show, comma-separated, from: " + ", ".join(m.ALL_METRICS),
              default=m.DEFAULT_METRICS),
        Param("roundAt", "decimal places of the numeric metrics (the *Ratio ones get two more)", default="2"),
        Param("relativeError", "relative error of the quantiles above approxThreshold rows (0: exact)",
              default="0.01"),
        Param("approxCountDistinct", "count distinct values approximately above approxThreshold rows",
              default="true", values=("true", "false")),
        Param("approxThreshold", "at most this many rows are summarised exactly (-1: never forced exact)",
              default="100000"),
        Param("threshold", "an approximate unique ratio at least this high is counted again exactly",
              default="0.9"),
        Param("approxSwitch", "named by Byzer's documentation; SQLDataSummaryV2 does not read it "
              "(approximation follows approxThreshold)", default="false", values=("true", "false")),
    )

    def run(self, session, request, options, events) -> pa.Table:
        table = session.table(request.input_table)
        return summary(table, m.selected_metrics(options["metrics"]), _integer(options, "roundAt"),
                       _number(options, "relativeError"), options["approxCountDistinct"] == "true",
                       _integer(options, "approxThreshold"), _number(options, "threshold"))

    train = predict = run


def summary(table: pa.Table, metrics: list[str], round_at: int, relative_error: float = 0.01,
            approx_distinct: bool = True, approx_threshold: int = 100000, threshold: float = 0.9,
            timings: dict | None = None) -> pa.Table:
    """The summary table; `timings` (if given) receives seconds per step (the benchmark's breakdown)."""
    import time

    import duckdb

    for name in table.column_names:
        if "." in name or "`" in name:
            raise ByzerRuntimeError(f"DataSummary: the column name `{name}` contains special symbols, "
                                    "like . or `, please rename it first")
    if table.num_columns == 0 or table.num_rows == 0:
        return pa.table({})  # Byzer answers an empty DataFrame
    if approx_threshold != -1 and table.num_rows <= approx_threshold:
        relative_error, approx_distinct = 0.0, False  # a small table is summarised exactly
    timings = {} if timings is None else timings
    con = duckdb.connect()
    con.register("t", table)
    columns = [(field.name, field.type) for field in table.schema]

    start = time.perf_counter()
    aggregates = Aggregates(columns, metrics, relative_error, approx_distinct)
    values = dict(zip(aggregates.names, con.execute(aggregates.sql()).fetchone()))
    timings["one aggregate scan"] = time.perf_counter() - start

    start = time.perf_counter()
    distinct = {}
    if {"uniqueValueRatio", "categoryCount", "primaryKeyCandidate", "mode"} & set(metrics):
        distinct = _distinct_counts(con, columns, values, approx_distinct, threshold)
    timings["exact recount of near-unique columns"] = time.perf_counter() - start

    start = time.perf_counter()
    modes = {name: _mode(con, name, dtype, values, distinct, approx_distinct)
             for name, dtype in columns} if "mode" in metrics else {}
    timings["mode (group-by per column)"] = time.perf_counter() - start

    start = time.perf_counter()
    rows = []
    for position, (name, dtype) in enumerate(columns, 1):
        cells = _cells(name, dtype, values, distinct, modes, table.num_rows, metrics)
        rows.append([name, str(position)] + [m.formatted(metric, m.spark_text(cells.get(metric)), round_at)
                                             for metric in metrics])
    header = ["columnName", "ordinalPosition", *metrics]
    out = pa.table({h: pa.array([row[i] for row in rows], pa.string()) for i, h in enumerate(header)})
    timings["formatting"] = time.perf_counter() - start
    return out


class Aggregates:
    """The one-scan aggregate query: per column, only what the selected metrics need."""

    def __init__(self, columns, metrics, relative_error: float, approx_distinct: bool):
        self.exprs: list[str] = []
        self.names: list[tuple[str, str]] = []  # (column, aggregate) of each select item
        want = set(metrics)
        for name, dtype in columns:
            c, valid = m.quoted(name), m.valid_condition(m.quoted(name), dtype)
            numeric, text = m.is_numeric(dtype), m.is_string(dtype)
            self.add(name, "valid", f"count(*) FILTER (WHERE {valid})")
            if "nullValueRatio" in want:
                self.add(name, "nulls", f"count(*) FILTER (WHERE {m.null_condition(c, dtype)})")
            if "blankValueRatio" in want and text:
                self.add(name, "blanks", f"count(*) FILTER (WHERE trim({c}) = '')")
            if want & {"max", "min"} and not pa.types.is_null(dtype):
                self.add(name, "max", f"max({c}) FILTER (WHERE {valid})")
                self.add(name, "min", f"min({c}) FILTER (WHERE {valid})")
            if want & {"maximumLength", "minimumLength", "dataLength"} and text:
                self.add(name, "maxLength", f"max(length({c}))")
                self.add(name, "minLength", f"min(length({c}))")
            if numeric and want & {"mean", "standardDeviation", "standardError", "skewness"}:
                x = f"CAST({c} AS DOUBLE)"
                self.add(name, "mean", f"avg({x}) FILTER (WHERE {valid})")
                self.add(name, "stddev", f"stddev_samp({x}) FILTER (WHERE {valid})")
                self.add(name, "varPop", f"var_pop({x}) FILTER (WHERE {valid})")
                self.add(name, "skewness", f"skewness({x}) FILTER (WHERE {valid})")
            points = [p for key, p in m.PERCENTILES.items() if key in want]
            if numeric and points:
                quantile = "quantile_cont" if relative_error <= 0 else "approx_quantile"
                self.add(name, "quantiles", f"{quantile}(CAST({c} AS DOUBLE), {points}) FILTER (WHERE {valid})")
            if want & {"uniqueValueRatio", "categoryCount", "primaryKeyCandidate", "mode"}:
                count = "approx_count_distinct" if approx_distinct else "count"
                inner = c if approx_distinct else f"DISTINCT {c}"
                self.add(name, "distinct", f"{count}({inner}) FILTER (WHERE {valid})")

    def add(self, column: str, aggregate: str, expr: str) -> None:
        self.names.append((column, aggregate))
        self.exprs.append(expr)

    def sql(self) -> str:
        return "SELECT " + ", ".join(self.exprs) + " FROM t"


def _distinct_counts(con, columns, values, approx: bool, threshold: float) -> dict:
    """Distinct non-blank values per column. An approximate count whose ratio reaches `threshold`
    is counted again exactly (what Byzer's recalculation means to do: a key column must not miss
    or pass 1.0 by the estimate's error)."""
    counts = {name: values[(name, "distinct")] for name, _ in columns}
    if approx:
        again = [(name, dtype) for name, dtype in columns
                 if values[(name, "valid")] and counts[name] / values[(name, "valid")] >= threshold]
        if again:
            exprs = [f"count(DISTINCT {m.quoted(n)}) FILTER (WHERE {m.valid_condition(m.quoted(n), d)})"
                     for n, d in again]
            exact = con.execute("SELECT " + ", ".join(exprs) + " FROM t").fetchone()
            counts.update(zip([n for n, _ in again], exact))
    return counts


def _mode(con, name, dtype, values, distinct, approx: bool):
    """getModeValue: the most frequent non-null (non-NaN) value; "" when the top two counts tie.
    Blank strings count here (unlike the distinct count), so the shortcut needs there to be none."""
    valid = values[(name, "valid")]
    blanks = values.get((name, "blanks"), 0) if m.is_string(dtype) else 0
    if m.is_string(dtype) and (name, "blanks") not in values:
        blanks = None  # unknown: no shortcut
    if not approx and blanks == 0 and distinct.get(name) == valid:
        return None if valid >= 2 else _only_value(con, name, dtype)
    c = m.quoted(name)
    keep = f"NOT isnan({c})" if pa.types.is_floating(dtype) else "TRUE"
    top = con.execute(f"SELECT {c}, count(*) AS n FROM t WHERE {c} IS NOT NULL AND {keep} "
                      f"GROUP BY {c} ORDER BY n DESC LIMIT 2").fetchall()
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return None
    return top[0][0]


def _only_value(con, name, dtype):
    c = m.quoted(name)
    row = con.execute(f"SELECT {c} FROM t WHERE {m.valid_condition(c, dtype)} LIMIT 1").fetchone()
    return row[0] if row else None


def _cells(name, dtype, values, distinct, modes, total: int, metrics) -> dict:
    """Each metric's value of one column before formatting (None prints as "")."""
    get = lambda key: values.get((name, key))  # noqa: E731
    valid, numeric, text = get("valid"), m.is_numeric(dtype), m.is_string(dtype)
    length = m.fixed_length(dtype)
    cells = {"dataType": m.type_name(dtype), "totalCount": total, "nonNullCount": valid,
             "dataLength": get("maxLength") if length is None else length,
             "max": get("max"), "min": get("min"),
             "maximumLength": get("maxLength") if text else None,
             "minimumLength": get("minLength") if text else None,
             "nullValueRatio": get("nulls") / total if get("nulls") is not None else None,
             "blankValueRatio": (get("blanks") or 0) / total, "mode": modes.get(name)}
    if numeric:
        stddev = get("stddev")
        cells.update(mean=get("mean"), standardDeviation=stddev,
                     standardError=None if stddev is None else stddev / valid ** 0.5,
                     skewness=_population_skewness(get("skewness"), get("varPop"), valid))
        quantiles = get("quantiles")
        if quantiles is not None:
            chosen = [key for key in m.PERCENTILES if key in metrics]
            cells.update(zip(chosen, quantiles))
    if name in distinct:
        count = distinct[name] or 0
        ratio = count / valid if valid else 0.0
        cells.update(uniqueValueRatio=ratio, primaryKeyCandidate=1 if ratio >= 1 else 0,
                     categoryCount=0 if numeric else count)
    return cells


def _population_skewness(adjusted, var_pop, n: int):
    """Spark's skewness is the population one, sqrt(n)·m3/m2^1.5; DuckDB's is the sample-adjusted
    G1 = g1·sqrt(n(n-1))/(n-2), defined from 3 values. Two distinct values are symmetric (0); no
    spread is null, as Spark 3 answers."""
    if not n or var_pop is None or var_pop == 0:
        return None
    if n == 2:
        return 0.0
    return None if adjusted is None else adjusted * (n - 2) / (n * (n - 1)) ** 0.5


def _integer(options: dict, name: str) -> int:
    try:
        return int(options[name])
    except ValueError:
        raise UsageError(f"DataSummary parameter `{name}` is a whole number, not `{options[name]}`") from None


def _number(options: dict, name: str) -> float:
    try:
        return float(options[name])
    except ValueError:
        raise UsageError(f"DataSummary parameter `{name}` is a number, not `{options[name]}`") from None
