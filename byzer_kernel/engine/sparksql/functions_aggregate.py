"""Spark's aggregate functions on DuckDB (see registry.py for how a function is declared).

Every builder returns plain DuckDB aggregate calls (possibly inside an expression), so that the
same call also works under OVER (functions_window.py moves the window onto the aggregates).
sum/avg/count keep sqlglot's nodes: their Spark result types come from coercion.py.
"""
from __future__ import annotations

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .casts import SPARK_TYPE, spark_cast
from .functions_aggregate_sketches import weighted_percentile_sql  # also registers the sketches
from .functions_datetime_intervals import tagged
from .functions_interval_arith import interval_mean, interval_operand, interval_total
from .registry import duck, macro, spark_function, spark_node
from .spark_types import DOUBLE, NULL_TYPE, T, decimal_average, decimal_sum, is_decimal, is_text, kind


# -- boolean aggregates --------------------------------------------------------------------------------
@spark_function("some", "bool_or", result="boolean")
def bool_or(value):
    return duck("bool_or(_0)", value)


@spark_function("every", "bool_and", result="boolean")
def bool_and(value):
    return duck("bool_and(_0)", value)


@spark_node(exp.Any)
def any_aggregate(node):
    """Spark 3.3 has no `x = ANY (subquery)`: `any(col)` is the aggregate, a synonym of bool_or."""
    inner = node.this.this if isinstance(node.this, exp.Paren) else node.this
    if isinstance(inner, (exp.Subquery, exp.Select)):
        return node
    return exp.cast(duck("bool_or(_0)", inner), "BOOLEAN")


# -- first / last ----------------------------------------------------------------------------------------
def _ignores_nulls(flag, function: str) -> bool:
    if flag is None:
        return False
    if isinstance(flag, exp.Boolean):
        return bool(flag.this)
    raise ByzerRuntimeError(f"function `{function}`: the second argument (ignoreNulls) must be "
                            "true or false")


@spark_function("first", "first_value")
def first(value, ignore_nulls=None):
    if _ignores_nulls(ignore_nulls, "first"):
        return duck("any_value(_0)", value)  # DuckDB's first non-NULL value, in a window too
    return duck("first(_0)", value)


@spark_function("last", "last_value")
def last(value, ignore_nulls=None):
    if _ignores_nulls(ignore_nulls, "last"):  # no FILTER: DuckDB has none for window functions
        return duck("list_filter(list(_0), lambda v: v IS NOT NULL)[-1]", value)
    return duck("last(_0)", value)


# -- collections -------------------------------------------------------------------------------------------
@spark_function("collect_list")
def collect_list(value):
    """The non-NULL values, [] for none."""
    return duck("list_filter(coalesce(list(_0), []), lambda v: v IS NOT NULL)", value)


@spark_function("collect_set")
def collect_set(value):
    """The distinct non-NULL values (Spark's order comes from a hash set; sorted here, which is
    deterministic and agrees with Spark for small integers)."""
    return duck("coalesce(list_sort(list_distinct(list(_0))), [])", value)


# -- moments -------------------------------------------------------------------------------------------------
@spark_function("std", result="double")
def std(value):
    return duck("stddev_samp(_0)", value)


@spark_function("kurtosis", result="double")
def kurtosis(value):
    """Spark's population excess kurtosis n*m4/m2^2 - 3 (NULL when m2 = 0)."""
    return duck("CASE WHEN var_pop(_0) = 0 THEN NULL ELSE kurtosis_pop(_0) END",
                exp.cast(value, "DOUBLE"))


@spark_function("skewness", result="double")
def skewness(value):
    """Spark's population skewness sqrt(n)*m3/m2^1.5; DuckDB's is the sample-adjusted G1."""
    return duck("CASE WHEN var_pop(_0) = 0 THEN NULL WHEN count(_0) = 2 THEN 0.0 "
                "ELSE skewness(_0) * (count(_0) - 2) / sqrt(count(_0) * (count(_0) - 1)) END",
                exp.cast(value, "DOUBLE"))


@spark_function("corr", result="double")
def corr(y, x):
    """NULL, not NaN, when a variance is zero (Spark 3.3 without the legacy statistical flag)."""
    return duck("CASE WHEN isnan(corr(_0, _1)) THEN NULL ELSE corr(_0, _1) END",
                exp.cast(y, "DOUBLE"), exp.cast(x, "DOUBLE"))


@spark_function("regr_count", result="bigint")
def regr_count(y, x):
    return duck("regr_count(_0, _1)", y, x)


# -- percentiles ------------------------------------------------------------------------------------------------
# Spark's QuantileSummaries answer on inputs it has not compressed (fewer rows than the accuracy):
# the value at rank ceil(q * n), the minimum for q <= 1/accuracy, the maximum for q >= 1 - 1/accuracy.
macro("CREATE MACRO spark_rank_value(sorted, q, relative_error) AS CASE WHEN len(sorted) = 0 THEN NULL "
      "WHEN q <= relative_error THEN sorted[1] WHEN q >= 1 - relative_error THEN sorted[-1] "
      "ELSE sorted[greatest(1, CAST(ceil(q * len(sorted)) AS BIGINT))] END")
macro("CREATE MACRO spark_approx_percentile(sorted, q DOUBLE, relative_error DOUBLE) AS "
      "spark_rank_value(sorted, q, relative_error), "
      "(sorted, q DOUBLE[], relative_error DOUBLE) AS "
      "CASE WHEN len(sorted) > 0 THEN list_transform(q, lambda p: spark_rank_value(sorted, p, relative_error)) END")

_DEFAULT_ACCURACY = 10000


@spark_function("percentile_approx", "approx_percentile")
def percentile_approx(value, percentage, accuracy=None):
    accuracy = accuracy if accuracy is not None else exp.Literal.number(_DEFAULT_ACCURACY)
    found = duck("spark_approx_percentile(list(_0 ORDER BY _0) FILTER (WHERE _0 IS NOT NULL), _1, "
                 "1.0 / CAST(_2 AS DOUBLE))", value, percentage, accuracy)
    kind = interval_operand(value)  # of intervals: values of their kind, which DuckDB's type loses
    if kind is not None:
        return tagged(found, f"array<{kind}>" if _is_array(percentage) else kind)
    return found


@spark_function("percentile")
def percentile(value, percentage, frequency=None):
    """Exact, interpolated between ranks (Spark's Percentile); a double, or an array of them."""
    if frequency is not None and not (isinstance(frequency, exp.Literal) and frequency.this == "1"):
        return weighted_percentile_sql(value, percentage, frequency, _is_array(percentage))
    return duck("quantile_cont(CAST(_0 AS DOUBLE), _1)", value, percentage)


def _is_array(node) -> bool:
    """Whether a percentage argument is an array (Spark accepts a number or an array literal)."""
    return isinstance(node, (exp.Array, exp.List)) or bool(node.find(exp.Array, exp.List))


# -- try_sum / try_avg ------------------------------------------------------------------------------------------
# try_sum: a typed macro overload picks the integral form (NULL on a bigint overflow, as Spark) or
# the floating one; decimals sum as decimal(p + 10, s), NULL past 38 digits. try_avg of integers
# cannot overflow (Spark sums them as doubles); of decimals it is a decimal(p + 4, s + 4).
_BIGINT_SUM_FITS = "sum(x) BETWEEN -9223372036854775808 AND 9223372036854775807"
macro(f"CREATE MACRO spark_try_sum(x BIGINT) AS CASE WHEN {_BIGINT_SUM_FITS} THEN CAST(sum(x) AS BIGINT) END, "
      "(x DOUBLE) AS sum(x)")


@spark_function("try_sum")
def try_sum(value):
    of_intervals = interval_total(value)
    if of_intervals is not None:
        return of_intervals
    source = _argument_type(value)
    if is_decimal(source):
        return exp.TryCast(this=duck("sum(_0)", value), to=decimal_sum(source))
    return duck("spark_try_sum(_0)", _as_number(value, source))


@spark_function("try_avg")
def try_avg(value):
    of_intervals = interval_mean(value)
    if of_intervals is not None:
        return of_intervals
    source = _argument_type(value)
    if is_decimal(source):
        return exp.TryCast(this=duck("avg(_0)", value), to=decimal_average(source))
    return duck("avg(_0)", _as_number(value, source))


def _argument_type(value) -> exp.DataType:
    """The argument's Spark type, as the coercion phase recorded it (NULL's for a NULL literal)."""
    return NULL_TYPE if isinstance(value, exp.Null) else value.meta.get(SPARK_TYPE)


def _as_number(value, source):
    """Spark's implicit cast of a string or an untyped NULL argument (a NULL literal, a column of
    NULLs) to a double."""
    if is_text(source) or kind(source) == T.NULL:
        return spark_cast(value, source, DOUBLE)
    return value
