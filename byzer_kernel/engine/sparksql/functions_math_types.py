"""Spark's numeric types of DuckDB-side expressions, where the expression itself tells them.

Spark picks a numeric function's result type from its arguments' types (`round` of a decimal(6,5)
to 2 places is a decimal(4,2), `ceil` of a double a bigint). The builders see DuckDB expressions:
literals, casts (every registered function with a declared result is wrapped in one) and
arithmetic over them have a type we can tell; a column's type is unknown here (None), and the
builders then fall back to an expression whose value is right and whose type DuckDB picks.
"""
from __future__ import annotations

import decimal
from typing import Optional

from sqlglot import exp

T = exp.DataType.Type
INTEGRAL = (T.TINYINT, T.SMALLINT, T.INT, T.BIGINT)
_INTEGRAL_DIGITS = {T.TINYINT: 3, T.SMALLINT: 5, T.INT: 10, T.BIGINT: 20}
FRACTIONAL = (T.FLOAT, T.DOUBLE)
MAX_PRECISION = 38
SPARK_DATA_TYPE = "spark_data_type"  # node meta: the Spark type of a rewritten expression (casts.py)


def dtype(text: str) -> exp.DataType:
    return exp.DataType.build(text, dialect="spark")


def decimal_type(precision: int, scale: int) -> exp.DataType:
    return dtype(f"decimal({min(precision, MAX_PRECISION)},{scale})")


def precision_scale(data_type: exp.DataType) -> tuple[int, int]:
    """(precision, scale) of a decimal type; integral types as the decimals Spark widens them to."""
    if data_type.this in _INTEGRAL_DIGITS:
        return _INTEGRAL_DIGITS[data_type.this], 0
    params = [int(p.this.this) for p in data_type.expressions]
    return (params + [10, 0][len(params):])[:2] if params else (10, 0)


def is_integral(data_type: Optional[exp.DataType]) -> bool:
    return data_type is not None and data_type.this in INTEGRAL


def is_decimal(data_type: Optional[exp.DataType]) -> bool:
    return data_type is not None and data_type.this == T.DECIMAL


def is_fractional(data_type: Optional[exp.DataType]) -> bool:
    return data_type is not None and data_type.this in FRACTIONAL


def spark_type(node: exp.Expression) -> Optional[exp.DataType]:
    """Spark's type of a (DuckDB-side) expression, or None when it cannot be told from the text."""
    recorded = node.meta.get(SPARK_DATA_TYPE)  # set by casts.py and the pipeline where known
    if isinstance(recorded, exp.DataType) and recorded.this != T.UNKNOWN:
        return _bare_decimal(recorded)
    if isinstance(node, exp.Paren):
        return spark_type(node.this)
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return _bare_decimal(node.to)
    if isinstance(node, exp.Literal):
        return dtype("string") if node.is_string else literal_type(node.this)
    if isinstance(node, exp.Neg):
        if isinstance(node.this, exp.Literal) and node.this.is_number:
            return literal_type("-" + node.this.this)
        return spark_type(node.this)
    if isinstance(node, exp.Boolean):
        return dtype("boolean")
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul)):
        left, right = spark_type(node.this), spark_type(node.expression)
        if is_integral(left) and is_integral(right):
            return wider(left, right)
        if is_fractional(left) or is_fractional(right):
            return dtype("double") if left is not None and right is not None else None
    return None


def _bare_decimal(data_type: exp.DataType) -> exp.DataType:
    if data_type.this == T.DECIMAL and not data_type.expressions:
        return decimal_type(10, 0)
    return data_type


def literal_type(text: str) -> exp.DataType:
    """Spark's type of a numeric literal: int, else bigint, else decimal; `1.5` a decimal(2,1),
    `1e3` a double."""
    if "e" in text.lower():
        return dtype("double")
    if "." not in text:
        value = int(text)
        if -2**31 <= value < 2**31:
            return dtype("int")
        if -2**63 <= value < 2**63:
            return dtype("bigint")
    number = decimal.Decimal(text)
    digits = len(number.as_tuple().digits)
    scale = max(-number.as_tuple().exponent, 0)
    return decimal_type(max(digits, scale), scale)


_RANK = {T.TINYINT: 0, T.SMALLINT: 1, T.INT: 2, T.BIGINT: 3, T.FLOAT: 5, T.DOUBLE: 6}


def wider(left: Optional[exp.DataType], right: Optional[exp.DataType]) -> Optional[exp.DataType]:
    """Spark's common type of two numeric types (decimal with an integral type widens the integral
    one to a decimal; anything with a float or double is a double), None when either is unknown."""
    if left is None or right is None:
        return None
    if is_decimal(left) or is_decimal(right):
        if is_fractional(left) or is_fractional(right):
            return dtype("double")
        (p1, s1), (p2, s2) = precision_scale(left), precision_scale(right)
        scale = max(s1, s2)
        return decimal_type(max(p1 - s1, p2 - s2) + scale, scale)
    if left.this in _RANK and right.this in _RANK:
        return left if _RANK[left.this] >= _RANK[right.this] else right
    return None
