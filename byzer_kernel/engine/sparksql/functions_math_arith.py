"""Spark's arithmetic functions on DuckDB: `%`/`mod`, `pmod`, `div`, `try_add` and its kin,
`abs`, `positive`/`negative`, `greatest`/`least`, `nanvl`, `factorial`, `width_bucket`.

Non-ANSI Spark answers NULL where DuckDB raises: a zero divisor, an overflowing try_ function.
Result types follow Spark's rules when the arguments' types show in the query
(spark_types.expression_type); otherwise DuckDB's types, with the same values.
"""
from __future__ import annotations

from typing import Optional

from sqlglot import exp

from .casts import spark_cast
from .functions_interval_arith import (interval_abs, interval_int_divide, interval_negative, interval_operand,
                                      try_interval_scale, try_interval_sum, width_bucket_operands)
from .naming import pretty
from .registry import duck, macro, spark_function, spark_name, spark_node
from .spark_types import (T, decimal_result, expression_type, is_decimal, is_integral, is_numeric, own_digits,
                          precision_scale, spark_type, wider)

macro("""CREATE MACRO spark_pmod(a, n) AS CASE
    WHEN a % NULLIF(n, 0) < 0 THEN (a % NULLIF(n, 0) + n) % n ELSE a % NULLIF(n, 0) END""")
macro("""CREATE MACRO spark_width_bucket(v, lo, hi, n) AS CASE
    WHEN n <= 0 OR n = 9223372036854775807 OR isnan(v) OR lo = hi
        OR isnan(lo) OR isinf(lo) OR isnan(hi) OR isinf(hi) THEN NULL
    WHEN lo < hi THEN CASE WHEN v < lo THEN 0 WHEN v >= hi THEN n + 1
        ELSE CAST(trunc(n * (v - lo) / (hi - lo)) AS BIGINT) + 1 END
    ELSE CASE WHEN v > lo THEN 0 WHEN v <= hi THEN n + 1
        ELSE CAST(trunc(n * (lo - v) / (lo - hi)) AS BIGINT) + 1 END END""")


def _as(node: exp.Expression, data_type: Optional[exp.DataType]) -> exp.Expression:
    return exp.Cast(this=node, to=data_type.copy()) if data_type is not None else node


def _operand_type(node: exp.Expression, other: Optional[exp.DataType]) -> Optional[exp.DataType]:
    """An operand's type in binary arithmetic: a string is a double, and an integer literal meeting
    a decimal counts with its own digits only (Spark: 2 % 1.8 is a decimal(2,1))."""
    data_type = expression_type(node)
    if data_type is not None and data_type.this == T.TEXT:
        return spark_type("double")
    if is_integral(data_type) and is_decimal(other):
        return own_digits(node) or data_type
    return data_type


def _operand_types(a, b):
    left, right = expression_type(a), expression_type(b)
    return _operand_type(a, right), _operand_type(b, left)


def _numeric_wider(left, right) -> Optional[exp.DataType]:
    """Spark's wider type of two numeric types; None for other types (left to DuckDB)."""
    return wider(left, right) if is_numeric(left) and is_numeric(right) else None


def arithmetic_type(operator: str, a, b) -> Optional[exp.DataType]:
    """Spark's result type of `a <operator> b` (None when an operand's type is unknown)."""
    left, right = _operand_types(a, b)
    if left is None or right is None:
        return None
    if is_decimal(left) and is_decimal(right) or (is_decimal(left) and is_integral(right)) \
            or (is_integral(left) and is_decimal(right)):
        return decimal_result(operator, precision_scale(left), precision_scale(right))
    return _numeric_wider(left, right)


def _remainder(a, b, template: str):
    data_type = arithmetic_type("%", a, b)
    if data_type is not None and not is_decimal(data_type):
        a, b = _as(a, data_type), _as(b, data_type)
    return _as(duck(template, a, b), data_type)


@spark_function("mod")
def mod(a, b):
    return _remainder(a, b, "_0 % NULLIF(_1, 0)")


@spark_node(exp.Mod)
def mod_operator(node):
    return mod(node.this, node.expression)


@spark_name("mod")
def _mod_name(node):
    """`mod(a, b)`, but `(a % b)` where a decimal is involved: Spark's decimal rule rebuilds the
    expression and drops the name it was called by."""
    a, b = node.expressions[:2]
    if any(is_decimal(expression_type(x)) for x in (a, b)):
        return f"({pretty(a)} % {pretty(b)})"
    return f"{node.name.lower()}({pretty(a)}, {pretty(b)})"


@spark_function("pmod")
def pmod(a, b):
    return _remainder(a, b, "spark_pmod(_0, _1)")


@spark_node(exp.IntDiv)
def integral_divide(node):
    """`a div b`: the quotient truncated towards zero, a bigint; NULL for a zero divisor."""
    a, b = node.this, node.expression
    of_intervals = interval_int_divide(a, b)
    if of_intervals is not None:
        return of_intervals
    for operand in (a, b):
        if expression_type(operand) is not None and expression_type(operand).this == T.TEXT:
            operand.replace(exp.TryCast(this=operand.copy(), to=spark_type("bigint")))
    return duck("CAST(trunc(_0 // NULLIF(_1, 0)) AS BIGINT)", node.this, node.expression)


def _try_arithmetic(operator: str, a, b):
    """try_add & co.: the operation in Spark's result type, NULL where it overflows."""
    of_intervals = (try_interval_scale(operator, a, b) if operator == "*"
                    else try_interval_sum(operator, a, b))
    if of_intervals is not None:
        return of_intervals
    if operator == "+" and interval_operand(a) is not None:
        a, b = b, a  # try_add(interval, date): the date plus the interval
    left = expression_type(a)
    if left is not None and left.this in (T.DATE, T.TIMESTAMP):
        data_type = left
    else:
        data_type = arithmetic_type(operator, a, b)
        if data_type is not None and not is_decimal(data_type):
            a, b = _as(a, data_type), _as(b, data_type)
    operation = duck(f"_0 {operator} _1", a, b)
    if data_type is None:
        return exp.func("TRY", operation)
    # the cast inside TRY: overflowing Spark's type (not only DuckDB's wider one) is NULL too
    return _as(exp.func("TRY", _as(operation, data_type)), data_type)


@spark_function("try_add")
def try_add(a, b):
    return _try_arithmetic("+", a, b)


@spark_function("try_subtract")
def try_subtract(a, b):
    return _try_arithmetic("-", a, b)


@spark_function("try_multiply")
def try_multiply(a, b):
    return _try_arithmetic("*", a, b)


@spark_function("try_divide")
def try_divide(a, b):
    """Integers and doubles divide as doubles, decimals as decimals; NULL for a zero divisor."""
    of_intervals = try_interval_scale("/", a, b)
    if of_intervals is not None:
        return of_intervals
    data_type = arithmetic_type("/", a, b)
    if data_type is None or not is_decimal(data_type):
        double = spark_type("double")
        return duck("TRY(_0 / NULLIF(_1, 0))", _as(a, double), _as(b, double))
    return _as(duck("TRY(_0 / NULLIF(_1, 0))", a, b), data_type)


def _numeric(x):
    """Unary arithmetic casts a string or an untyped NULL (a literal, a column of NULLs) to a
    double, as Spark does."""
    data_type = expression_type(x)
    if isinstance(x, exp.Null) or (data_type is not None and data_type.this in (T.TEXT, T.NULL)):
        return _as(x, spark_type("double")), spark_type("double")
    return x, data_type


@spark_function("abs")
def absolute(x):
    """The integral minimum stays itself, as in Java (DuckDB would raise on the overflow)."""
    if interval_operand(x) is not None:
        return interval_abs(x, interval_operand(x))
    x, data_type = _numeric(x)
    if is_integral(data_type):
        return _as(duck("CASE WHEN _0 = _1 THEN _0 ELSE abs(_0) END", x, _as(_minimum(data_type), data_type)),
                   data_type)
    return _as(duck("abs(_0)", x), data_type)


def _minimum(data_type: exp.DataType) -> exp.Expression:
    bits = {T.TINYINT: 8, T.SMALLINT: 16, T.INT: 32, T.BIGINT: 64}[data_type.this]
    return exp.Literal.number(-(2 ** (bits - 1)))


@spark_function("positive")
def positive(x):
    return _numeric(x)[0]


@spark_name("positive")
def _positive_name(node):
    return f"(+ {pretty(node.expressions[0])})"


@spark_function("negative")
def negative(x):
    """The integral minimum stays itself, as in Java."""
    kind = interval_operand(x)
    if kind is not None:
        return interval_negative(x, kind)
    x, data_type = _numeric(x)
    if is_integral(data_type):
        return _as(duck("CASE WHEN _0 = _1 THEN _0 ELSE -_0 END", x, _as(_minimum(data_type), data_type)),
                   data_type)
    return _as(duck("-_0", x), data_type)


def _extremum(function: str, args):
    types = [expression_type(a) for a in args if not isinstance(a, exp.Null)]
    data_type = types[0] if types and all(t is not None for t in types) else None
    for other in types[1:]:
        if data_type is None:
            break
        data_type = (data_type if data_type.this == other.this == T.TEXT
                     else _numeric_wider(data_type, other))
    if data_type is not None:
        args = [_as(a, data_type) for a in args]
    return exp.Anonymous(this=function, expressions=list(args))


@spark_function("greatest")
def greatest(first, second, *rest):
    return _extremum("greatest", [first, second, *rest])


@spark_function("least")
def least(first, second, *rest):
    return _extremum("least", [first, second, *rest])


@spark_function("nanvl")
def nanvl(a, b):
    """A float only when both are floats, else a double."""
    floats = all(expression_type(x) is not None and expression_type(x).this == T.FLOAT for x in (a, b))
    data_type = spark_type("float" if floats else "double")
    return duck("CASE WHEN isnan(_0) THEN _1 ELSE _0 END", _as(a, data_type), _as(b, data_type))


@spark_function("factorial", inputs=["int"], result="bigint")
def factorial(n):
    return duck("CASE WHEN _0 BETWEEN 0 AND 20 THEN CAST(factorial(_0) AS BIGINT) END", n)


@spark_function("width_bucket", result="bigint")
def width_bucket(value, low, high, buckets):
    """Over doubles, or over intervals of one family (their counts of months or microseconds)."""
    bounds = width_bucket_operands(value, low, high) or [_spark_cast(x, "double") for x in (value, low, high)]
    return duck("spark_width_bucket(_0, _1, _2, _3)", *bounds, _spark_cast(buckets, "bigint"))


def _spark_cast(x, to: str):
    """Spark's implicit cast of an argument (the builder's own, where the argument may also be an
    interval: the registry's `inputs` would cast that too)."""
    return spark_cast(x, expression_type(x), spark_type(to))
