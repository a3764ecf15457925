"""Spark's data types as sqlglot DataTypes: the numeric family tests, decimal precision rules
(DecimalType.adjustPrecisionScale), literal types, Spark's widening (TypeCoercion's
findTightestCommonType / findWiderTypeForTwo) and Spark's names of types (simpleString)."""
from __future__ import annotations

import decimal
from typing import Optional

from sqlglot import exp

from .casts import FRACTIONAL, INTEGRAL_BITS, SPARK_TYPE, TEXT, TIMESTAMPS, spark_type
from .interval_kinds import data_type as interval_type
from .interval_kinds import kind_of_type, widest

T = exp.DataType.Type
MAX_PRECISION = 38
_INTEGRAL_DIGITS = {T.TINYINT: 3, T.SMALLINT: 5, T.INT: 10, T.BIGINT: 20}
_NUMERIC_RANK = {T.TINYINT: 0, T.SMALLINT: 1, T.INT: 2, T.BIGINT: 3, T.FLOAT: 5, T.DOUBLE: 6}
NULL_TYPE = exp.DataType(this=T.NULL)
BOOLEAN = spark_type("boolean")
STRING = spark_type("string")
DOUBLE = spark_type("double")
BIGINT = spark_type("bigint")


def kind(data_type: Optional[exp.DataType]):
    return data_type.this if data_type is not None else None


def is_integral(t) -> bool:
    return kind(t) in INTEGRAL_BITS


def is_decimal(t) -> bool:
    return kind(t) == T.DECIMAL


def is_text(t) -> bool:
    return kind(t) in TEXT


def is_fractional(t) -> bool:
    return kind(t) in FRACTIONAL


def is_numeric(t) -> bool:
    return kind(t) in _NUMERIC_RANK or is_decimal(t)


def decimal_of(precision: int, scale: int) -> exp.DataType:
    return exp.DataType.build(f"decimal({precision}, {scale})")


def precision_scale(t: exp.DataType) -> tuple[int, int]:
    """A decimal's (precision, scale); an integral type as the decimal Spark widens it to."""
    if t.this in _INTEGRAL_DIGITS:
        return _INTEGRAL_DIGITS[t.this], 0
    params = [int(p.this.this) for p in t.expressions]
    return tuple((params + [10, 0][len(params):])[:2]) if params else (10, 0)


def clamped_decimal(precision: int, scale: int) -> exp.DataType:
    """DecimalType.bounded: at most 38 digits (the scale kept; the widening of two decimals)."""
    return decimal_of(min(precision, MAX_PRECISION), scale)


def bounded_decimal(precision: int, scale: int) -> exp.DataType:
    """DecimalType.adjustPrecisionScale (spark.sql.decimalOperations.allowPrecisionLoss)."""
    if precision <= MAX_PRECISION:
        return decimal_of(precision, scale)
    integral = precision - scale
    return decimal_of(MAX_PRECISION, max(MAX_PRECISION - integral, min(scale, 6)))


def literal_type(text: str) -> exp.DataType:
    """A numeric literal: int, bigint, else a decimal of its digits; with an exponent a double."""
    if "e" in text.lower():
        return DOUBLE
    if "." not in text:
        value = int(text)
        if -2**31 <= value < 2**31:
            return spark_type("int")
        if -2**63 <= value < 2**63:
            return BIGINT
    sign, digits, exponent = decimal.Decimal(text).as_tuple()
    scale = max(-exponent, 0)
    return decimal_of(max(len(digits), scale), scale)


def decimal_sum(t: exp.DataType) -> exp.DataType:
    """Sum of a decimal: ten more integral digits (Spark's Sum / TrySum)."""
    precision, scale = precision_scale(t)
    return decimal_of(min(precision + 10, MAX_PRECISION), scale)


def decimal_average(t: exp.DataType) -> exp.DataType:
    """Average of a decimal: four more digits of scale (Spark's Average / TryAverage)."""
    precision, scale = precision_scale(t)
    return bounded_decimal(precision + 4, scale + 4)


def own_digits(node: exp.Expression) -> Optional[exp.DataType]:
    """An integer literal meeting a decimal in arithmetic counts with its own digits only
    (DecimalPrecision: 2 % 1.8 is a decimal(2,1)); None for anything else."""
    literal = node.this if isinstance(node, exp.Neg) else node
    if isinstance(literal, exp.Literal) and literal.is_number and "." not in literal.this \
            and "e" not in literal.this.lower():
        return decimal_of(max(len(literal.this.lstrip("-")), 1), 0)
    return None


def decimal_result(operator: str, left: tuple, right: tuple) -> exp.DataType:
    """DecimalPrecision: the decimal type of `left <operator> right`, operands as (precision,
    scale); `operator` one of + - * / % (pmod is a %)."""
    (p1, s1), (p2, s2) = left, right
    if operator in ("+", "-"):
        scale = max(s1, s2)
        return bounded_decimal(max(p1 - s1, p2 - s2) + scale + 1, scale)
    if operator == "*":
        return bounded_decimal(p1 + p2 + 1, s1 + s2)
    if operator == "/":
        scale = max(6, s1 + p2 + 1)
        return bounded_decimal(p1 - s1 + s2 + scale, scale)
    scale = max(s1, s2)
    return bounded_decimal(min(p1 - s1, p2 - s2) + scale, scale)


def tightest(a, b) -> Optional[exp.DataType]:
    """findTightestCommonType: no precision lost (int and bigint, any type and NULL)."""
    if a is None or b is None:
        return None
    if a == b:
        return a
    if a.this == T.NULL:
        return b
    if b.this == T.NULL:
        return a
    if a.this in _NUMERIC_RANK and b.this in _NUMERIC_RANK:
        return a if _NUMERIC_RANK[a.this] >= _NUMERIC_RANK[b.this] else b
    if {a.this, b.this} <= TIMESTAMPS | {T.DATE}:  # a date with a timestamp is a timestamp
        return a if a.this in TIMESTAMPS else b
    if a.this == b.this == T.INTERVAL:  # intervals of one family: the one spanning both
        kinds = kind_of_type(a), kind_of_type(b)
        spanning = widest(kinds) if None not in kinds else None
        return interval_type(spanning) if spanning else None
    return None


def wider(a, b, strings=True) -> Optional[exp.DataType]:
    """findWiderTypeForTwo: decimals widen to hold both, a decimal with a double is a double, and
    (with `strings`) a string with any atomic type but binary and boolean is a string."""
    found = tightest(a, b)
    if found is not None or a is None or b is None:
        return found
    if is_numeric(a) and is_numeric(b):
        if kind(a) in FRACTIONAL or kind(b) in FRACTIONAL:
            return DOUBLE
        (p1, s1), (p2, s2) = precision_scale(a), precision_scale(b)
        scale = max(s1, s2)
        return clamped_decimal(max(p1 - s1, p2 - s2) + scale, scale)  # DecimalPrecision.widerDecimalType
    if strings and (is_text(a) or is_text(b)):
        other = b if is_text(a) else a
        if kind(other) not in (T.BINARY, T.BOOLEAN, T.ARRAY, T.MAP, T.STRUCT):
            return STRING
    return None


def wider_all(types, strings=True) -> Optional[exp.DataType]:
    result = NULL_TYPE
    for t in types:
        result = wider(result, t, strings)
        if result is None:
            return None
    return result


def simple_string(t: exp.DataType) -> str:
    """Spark's DataType.simpleString: `int`, `decimal(2,1)`, `array<int>`, `struct<a:int>`."""
    if t.this == T.NULL:
        return "void"
    if t.this == T.ARRAY:
        return f"array<{simple_string(t.expressions[0])}>"
    if t.this == T.MAP:
        return f"map<{simple_string(t.expressions[0])},{simple_string(t.expressions[1])}>"
    if t.this == T.STRUCT:
        fields = ",".join(f"{f.name}:{simple_string(f.args['kind'])}" for f in t.expressions)
        return f"struct<{fields}>"
    if t.this == T.DECIMAL:
        return "decimal(%d,%d)" % precision_scale(t)
    if t.this in TIMESTAMPS:
        return "timestamp_ntz" if t.this == T.TIMESTAMPNTZ else "timestamp"
    return _SIMPLE_NAMES.get(t.this) or t.sql(dialect="spark").lower()


_SIMPLE_NAMES = {T.TEXT: "string", T.VARCHAR: "string", T.INT: "int", T.BINARY: "binary",
                 T.TINYINT: "tinyint", T.SMALLINT: "smallint", T.BIGINT: "bigint"}


def expression_type(node: exp.Expression) -> Optional[exp.DataType]:
    """Spark's type of a rewritten (DuckDB-side) expression, as a builder sees its arguments: the
    type the coercion phase and casts.py recorded, else what the expression itself shows
    (literals, casts, integral or fractional arithmetic); None when it cannot be told."""
    recorded = node.meta.get(SPARK_TYPE)
    if isinstance(recorded, exp.DataType) and recorded.this != T.UNKNOWN:
        return _bare_decimal(recorded)
    if isinstance(node, exp.Paren):
        return expression_type(node.this)
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return _bare_decimal(node.to)
    if isinstance(node, exp.Literal):
        return STRING if node.is_string else literal_type(node.this)
    if isinstance(node, exp.Neg):
        if isinstance(node.this, exp.Literal) and node.this.is_number:
            return literal_type("-" + node.this.this)
        return expression_type(node.this)
    if isinstance(node, exp.Boolean):
        return BOOLEAN
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul)):
        left, right = expression_type(node.this), expression_type(node.expression)
        if is_integral(left) and is_integral(right):
            return wider(left, right)
        if is_fractional(left) or is_fractional(right):
            return DOUBLE if left is not None and right is not None else None
    return None


def _bare_decimal(data_type: exp.DataType) -> exp.DataType:
    """DECIMAL without precision is Spark's decimal(10,0)."""
    if data_type.this == T.DECIMAL and not data_type.expressions:
        return decimal_of(10, 0)
    return data_type
