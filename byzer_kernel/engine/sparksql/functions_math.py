"""Spark's rounding functions on DuckDB (see registry.py for how a function is declared): `round`
(HALF_UP), `bround` (HALF_EVEN), `ceil`/`floor` with and without a scale, and their result types,
which Spark derives from the argument's type (spark_types.expression_type)."""
from __future__ import annotations

from typing import Optional

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .literals import under_casts
from .naming import pretty
from .registry import duck, macro, spark_function, spark_name
from .spark_types import (clamped_decimal, expression_type, is_decimal, is_fractional, is_integral,
                          precision_scale, spark_type)

# A double rounds as Spark rounds it: through its shortest decimal form (Java's Double.toString),
# so round(1.005D, 2) is 1.01. Only values within a hair of a tie take that (slower) way; the
# rest round in binary, which gives the same answer away from ties.
for _name, _duck in (("spark_round_double", "round"), ("spark_bround_double", "round_even")):
    macro(f"""CREATE MACRO {_name}(x, d) AS CASE
        WHEN isnan(x) OR isinf(x) THEN x
        WHEN abs(abs(x * pow(10, d)) - floor(abs(x * pow(10, d))) - 0.5) < 1e-6
            THEN coalesce(CAST({_duck}(TRY_CAST(CAST(x AS VARCHAR) AS DECIMAL(38, 18)), d) AS DOUBLE),
                          {_duck}(x, d))
        ELSE {_duck}(x, d) END""")

# Spark turns a double into a bigint Java's way: saturating at the ends, NaN as 0.
macro("""CREATE MACRO spark_double_to_bigint(x) AS CASE
    WHEN x >= 9.223372036854775807e18 THEN 9223372036854775807
    WHEN x <= -9.223372036854775808e18 THEN -9223372036854775808
    WHEN isnan(x) THEN 0 ELSE CAST(x AS BIGINT) END""")
# ceil/floor of a column whose type the query does not show: a bigint for integral and
# fractional arguments (DuckDB picks the DOUBLE overload for decimals too).
macro("""CREATE MACRO spark_ceil(x BIGINT) AS CAST(x AS BIGINT),
    (x DOUBLE) AS spark_double_to_bigint(ceil(x)), (x) AS ceil(x)""")
macro("""CREATE MACRO spark_floor(x BIGINT) AS CAST(x AS BIGINT),
    (x DOUBLE) AS spark_double_to_bigint(floor(x)), (x) AS floor(x)""")


def constant_int(node: exp.Expression, function: str, what: str = "scale") -> Optional[int]:
    """A constant integer argument (Spark requires the scale to be foldable); None for NULL."""
    node = under_casts(node, also=(exp.Paren,))
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Neg):
        value = constant_int(node.this, function, what)
        return None if value is None else -value
    if isinstance(node, exp.Literal) and node.is_number and node.this.lstrip("-").isdigit():
        return int(node.this)
    raise ByzerRuntimeError(f"the '{what}' parameter of function '{function}' needs to be an int literal")


def _as(node: exp.Expression, data_type: exp.DataType) -> exp.Expression:
    return exp.Cast(this=node, to=data_type.copy())


def _rounded_type(data_type: exp.DataType, scale: int) -> exp.DataType:
    """Spark's decimal after rounding to `scale` places: one more integral digit (9.9 -> 10)."""
    precision, old_scale = precision_scale(data_type)
    integral = precision - old_scale + 1
    if scale < 0:
        return clamped_decimal(max(integral, -scale + 1), 0)
    new_scale = min(old_scale, scale)
    return clamped_decimal(integral + new_scale, new_scale)


def _round(x, d, function: str, duck_function: str, double_macro: str):
    scale = 0 if d is None else constant_int(d, function)
    if isinstance(x, exp.Null):  # a NULL argument is cast to double, Spark's implicit cast
        x = _as(x, spark_type("double"))
    data_type = expression_type(x)
    if data_type is not None and data_type.this == exp.DataType.Type.TEXT:
        x, data_type = _as(x, spark_type("double")), spark_type("double")
    if scale is None:  # round(x, NULL): NULL, of the type a scale of 0 gives
        data_type = _rounded_type(data_type, 0) if is_decimal(data_type) else data_type
        return _as(exp.Null(), data_type) if data_type is not None else exp.Null()
    places = exp.Literal.number(scale)
    if is_fractional(data_type):
        return _as(duck(f"{double_macro}(_0, _1)", x, places), data_type)
    if is_integral(data_type):
        return x if scale >= 0 else _as(duck(f"{duck_function}(_0, _1)", x, places), data_type)
    if is_decimal(data_type):
        return _as(duck(f"{duck_function}(_0, _1)", x, places), _rounded_type(data_type, scale))
    return duck(f"{duck_function}(_0, _1)", x, places)  # a column: DuckDB's type


@spark_function("round")
def round_half_up(x, d=None):
    return _round(x, d, "round", "round", "spark_round_double")


@spark_function("bround")
def round_half_even(x, d=None):
    return _round(x, d, "bround", "round_even", "spark_bround_double")


@spark_name("round", "bround")
def _round_name(node):
    x, *rest = node.expressions
    return f"{node.name.lower()}({pretty(x)}, {pretty(rest[0]) if rest else 0})"


def _ceil_or_floor(x, d, function: str, up: bool):
    if d is None:
        return _integral_part(x, up)
    scale = constant_int(d, function)
    data_type = expression_type(x)
    as_decimal = _DECIMAL_OF.get(data_type.this if data_type is not None else None)
    if as_decimal is not None:
        x, data_type = exp.TryCast(this=x, to=as_decimal), as_decimal
    if scale is None:
        return _as(exp.Null(), _rounded_type(data_type, 0)) if data_type is not None else exp.Null()
    # round to the scale, then step one unit up (ceil) or down (floor) if that went the wrong way
    unit = exp.Literal.number(f"{10 ** -scale:.{max(scale, 0)}f}" if scale > 0 else 10 ** -scale)
    step = ("CASE WHEN round(_0, _1) < _0 THEN round(_0, _1) + _2 ELSE round(_0, _1) END" if up else
            "CASE WHEN round(_0, _1) > _0 THEN round(_0, _1) - _2 ELSE round(_0, _1) END")
    value = duck(step, x, exp.Literal.number(scale), unit)
    return _as(value, _rounded_type(data_type, scale)) if data_type is not None else value


_DECIMAL_OF = {T: spark_type(text) for T, text in (
    (exp.DataType.Type.TINYINT, "decimal(3,0)"), (exp.DataType.Type.SMALLINT, "decimal(5,0)"),
    (exp.DataType.Type.INT, "decimal(10,0)"), (exp.DataType.Type.BIGINT, "decimal(20,0)"),
    (exp.DataType.Type.FLOAT, "decimal(14,7)"), (exp.DataType.Type.DOUBLE, "decimal(30,15)"),
    (exp.DataType.Type.TEXT, "decimal(38,18)"))}


def _integral_part(x, up: bool):
    """ceil/floor(x): a bigint, except of a decimal(p,s), which gives a decimal(p-s+1,0)."""
    function = "ceil" if up else "floor"
    data_type = expression_type(x)
    if is_decimal(data_type):
        precision, scale = precision_scale(data_type)
        return _as(duck(f"{function}(_0)", x), clamped_decimal(precision - scale + 1, 0))
    if is_integral(data_type):
        return _as(x, spark_type("bigint"))
    if data_type is not None:  # float, double, string
        return duck(f"spark_double_to_bigint({function}(TRY_CAST(_0 AS DOUBLE)))", x)
    return duck(f"spark_{function}(_0)", x)


@spark_function("ceil", "ceiling")
def ceil(x, d=None):
    return _ceil_or_floor(x, d, "ceil", up=True)


@spark_function("floor")
def floor(x, d=None):
    return _ceil_or_floor(x, d, "floor", up=False)


@spark_name("ceil", "floor", "ceiling")
def _ceil_name(node):
    """Spark's one-argument `ceil`/`floor` are CEIL/FLOOR; `ceiling` and the forms with a scale
    keep the name as written."""
    name = node.name.lower()
    if len(node.expressions) == 1 and name != "ceiling":
        name = name.upper()
    return f"{name}({', '.join(pretty(a) for a in node.expressions)})"


# The family's other modules (imported last: they use this module's helpers).
from . import functions_math_arith, functions_math_scalar  # noqa: F401,E402
