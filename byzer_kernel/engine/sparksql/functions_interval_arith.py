"""Spark's ANSI intervals through arithmetic and aggregates on DuckDB: `abs`, `sign`, `div`,
`width_bucket`, `try_add` and its kin, `sum`/`avg`/`try_sum`/`try_avg`.

Spark computes on an interval's count, an int of months (year-month) or a long of microseconds
(day-time), so these builders do too (`amount`), in DuckDB's HUGEINT where a bigint could
overflow, and make an interval of the result (`interval_from`): NULL (try_ functions) or an error
(the others) where it leaves Spark's range. Multiplying and dividing round half away from zero,
as Spark's HALF_UP: exactly for integers and decimals (on the decimal's unscaled digits), from
the double for floats.

The math and aggregate builders call these where an argument is an interval (`interval_operand`)
and keep their own path otherwise.
"""
from __future__ import annotations

from typing import Optional

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .casts import TEXT, spark_cast
from .functions_datetime_intervals import interval_kind, tagged
from .interval_kinds import CALENDAR, DAY_TIME, YEAR_MONTH, family, widest
from .registry import duck, macro, spark_node
from .spark_types import (T, expression_type, is_decimal, is_fractional, is_integral, precision_scale,
                          spark_type)

_RANGE = {YEAR_MONTH: (-2**31, 2**31 - 1), DAY_TIME: (-2**63, 2**63 - 1)}  # Java's int, long
_MAKE = {YEAR_MONTH: "to_months(CAST(_0 AS INTEGER))", DAY_TIME: "to_microseconds(CAST(_0 AS BIGINT))"}
_AMOUNT = {YEAR_MONTH: "(datepart('year', _0) * 12 + datepart('month', _0))", DAY_TIME: "epoch_us(_0)"}

# a / b rounded half away from zero (Guava's LongMath.divide with HALF_UP), NULL for b = 0
macro("""CREATE MACRO spark_divide_half_up(a, b) AS CASE WHEN b <> 0 THEN
    a // b + CASE WHEN 2 * abs(a % b) >= abs(b) THEN sign(a) * sign(b) ELSE 0 END END""")


def interval_operand(node: exp.Expression) -> Optional[str]:
    """The kind of an ANSI interval argument (year-month or day-time), else None."""
    kind = interval_kind(node)
    return kind if kind is not None and kind != CALENDAR else None


def amount(node: exp.Expression, kind: str) -> exp.Expression:
    """The interval's months or microseconds, a BIGINT."""
    return duck(_AMOUNT[family(kind)], node)


def interval_from(kind: str, count: exp.Expression, overflow: str = "null") -> exp.Expression:
    """An interval of `kind` holding `count` months or microseconds; where that leaves Spark's range,
    NULL (`overflow="null"`) or an error naming `overflow`."""
    low, high = _RANGE[family(kind)]
    otherwise = "NULL" if overflow == "null" else f"error('{overflow}: interval overflow')"
    checked = duck(f"CASE WHEN _0 BETWEEN {low} AND {high} THEN {_MAKE[family(kind)]} "
                   f"ELSE {otherwise} END", count)
    return tagged(checked, kind)


def _null_interval(kind: str) -> exp.Expression:
    return interval_from(kind, exp.cast(exp.Null(), "BIGINT"))


def _huge(node: exp.Expression) -> exp.Expression:
    return exp.cast(node, "HUGEINT")


# -- unary and comparisons of counts ----------------------------------------------------------
def interval_abs(x: exp.Expression, kind: str) -> exp.Expression:
    """Spark raises on abs of the smallest interval (its negation overflows)."""
    return interval_from(kind, duck("abs(_0)", _huge(amount(x, kind))), overflow="abs")


def interval_negative(x: exp.Expression, kind: str) -> exp.Expression:
    return interval_from(kind, duck("-_0", _huge(amount(x, kind))), overflow="negative")


def interval_sign(x: exp.Expression, kind: str) -> exp.Expression:
    return duck("CAST(sign(_0) AS DOUBLE)", amount(x, kind))


def interval_int_divide(a: exp.Expression, b: exp.Expression) -> Optional[exp.Expression]:
    """`a div b` of two intervals of one family: the quotient of their counts, truncated (NULL for a
    zero divisor); None when neither is an interval."""
    kinds = interval_operand(a), interval_operand(b)
    if kinds == (None, None):
        return None
    _same_family("div", [a, b], kinds)
    return duck("CAST(_0 // NULLIF(_1, 0) AS BIGINT)", amount(a, kinds[0]), amount(b, kinds[1]))


def width_bucket_operands(value, low, high) -> Optional[list]:
    """width_bucket over intervals buckets their counts, as doubles; None when none is an interval."""
    operands = [value, low, high]
    kinds = [interval_operand(x) for x in operands]
    if not any(kinds):
        return None
    _same_family("width_bucket", operands, kinds)
    return [exp.cast(amount(x, kind), "DOUBLE") for x, kind in zip(operands, kinds)]


def _same_family(function: str, operands, kinds) -> None:
    """Spark rejects intervals of different families, and an interval with anything else (an
    untyped NULL aside)."""
    found = [kind for kind, x in zip(kinds, operands) if kind is not None or not isinstance(x, exp.Null)]
    if None in found or len({family(kind) for kind in found}) != 1:
        named = ", ".join(kind or "another type" for kind in kinds)
        raise ByzerRuntimeError(f"{function}: the arguments must be intervals of one kind, not {named}")


# -- try_add / try_subtract / try_multiply / try_divide ---------------------------------------------
def try_interval_sum(operator: str, a: exp.Expression, b: exp.Expression) -> Optional[exp.Expression]:
    """`try_add`/`try_subtract` of two intervals of one family: the kind spanning both, NULL on
    overflow; None when neither is an interval (or one is added to a date, for the caller)."""
    kinds = interval_operand(a), interval_operand(b)
    if kinds == (None, None):
        return None
    if None in kinds:
        other = b if kinds[0] else a
        if isinstance(other, exp.Null):
            return _null_interval(kinds[0] or kinds[1])
        return None
    kind = widest(kinds)
    if kind is None:
        raise ByzerRuntimeError(f"try_{'add' if operator == '+' else 'subtract'}: cannot combine an "
                                f"{kinds[0]} with an {kinds[1]}")
    return interval_from(kind, duck(f"_0 {operator} _1", _huge(amount(a, kinds[0])), amount(b, kinds[1])))


def try_interval_scale(operator: str, a: exp.Expression, b: exp.Expression) -> Optional[exp.Expression]:
    """`try_multiply(interval, number)` (either order) and `try_divide(interval, number)`: a
    YEAR TO MONTH or DAY TO SECOND interval, NULL on overflow or for a zero divisor; None when no
    argument is an interval."""
    kinds = interval_operand(a), interval_operand(b)
    if kinds == (None, None):
        return None
    if operator == "*" and kinds[0] is None:
        a, b, kinds = b, a, (kinds[1], kinds[0])
    if kinds[0] is None or kinds[1] is not None:
        function = "try_multiply" if operator == "*" else "try_divide"
        raise ByzerRuntimeError(f"{function}: an interval {'and' if operator == '*' else 'by'} a number "
                                f"is expected")
    kind = YEAR_MONTH if family(kinds[0]) == YEAR_MONTH else DAY_TIME
    if isinstance(b, exp.Null):
        return _null_interval(kind)
    return interval_from(kind, _scaled(operator, amount(a, kinds[0]), b))


def _scaled(operator: str, count: exp.Expression, factor: exp.Expression) -> exp.Expression:
    """`count * factor` or `count / factor`, rounded half away from zero, as a HUGEINT (NULL where
    it does not fit, or for a zero divisor)."""
    factor_type = expression_type(factor)
    if is_integral(factor_type):
        if operator == "*":
            return exp.func("TRY", duck("_0 * _1", _huge(count), factor))
        return duck("spark_divide_half_up(_0, _1)", count, factor)
    if is_decimal(factor_type):
        scale = precision_scale(factor_type)[1]
        unscaled = exp.func("TRY", _huge(duck(f"_0 * {10 ** scale}", factor)))
        if operator == "*":
            return exp.func("TRY", duck(f"spark_divide_half_up(_0 * _1, {10 ** scale})", _huge(count), unscaled))
        return exp.func("TRY", duck(f"spark_divide_half_up(_0 * {10 ** scale}, _1)", _huge(count), unscaled))
    double = _as_double(factor, factor_type)
    template = "_0 * _1" if operator == "*" else "_0 / NULLIF(_1, 0)"
    return duck("TRY_CAST(round(_0) AS HUGEINT)", duck(template, exp.cast(count, "DOUBLE"), double))


def _as_double(factor: exp.Expression, factor_type) -> exp.Expression:
    """A float stays itself; a string or a value of unknown type is read as Spark casts to double."""
    if is_fractional(factor_type):
        return factor
    if factor_type is not None and factor_type.this not in TEXT | {T.NULL}:
        raise ByzerRuntimeError(f"an interval cannot be multiplied or divided by a {factor_type.sql('spark')}")
    return spark_cast(factor, factor_type, spark_type("double"))


# -- aggregates ----------------------------------------------------------------------------------
def interval_total(value: exp.Expression, overflow: str = "null") -> Optional[exp.Expression]:
    """sum / try_sum of intervals: of the argument's kind (None when it is no interval)."""
    kind = interval_operand(value)
    if kind is None:
        return None
    return interval_from(kind, duck("sum(_0)", amount(value, kind)), overflow)


def interval_mean(value: exp.Expression, overflow: str = "null") -> Optional[exp.Expression]:
    """avg / try_avg of intervals: Spark sums in the interval type (so an overflowing sum fails)
    and divides by the count, rounding half away from zero; a YEAR TO MONTH or DAY TO SECOND."""
    kind = interval_operand(value)
    if kind is None:
        return None
    full = YEAR_MONTH if family(kind) == YEAR_MONTH else DAY_TIME
    low, high = _RANGE[full]
    otherwise = "NULL" if overflow == "null" else f"error('{overflow}: interval overflow')"
    count = amount(value, kind)
    total = duck(f"CASE WHEN sum(_0) BETWEEN {low} AND {high} THEN sum(_0) ELSE {otherwise} END", count)
    return interval_from(full, duck("spark_divide_half_up(_0, count(_1))", total, count))


@spark_node(exp.Sum)
def interval_sum(node):
    """sum of intervals (DuckDB has no sum of INTERVAL); other sums stay DuckDB's."""
    return interval_total(node.this, overflow="sum")


@spark_node(exp.Avg)
def interval_avg(node):
    return interval_mean(node.this, overflow="avg")
