"""Spark's functions of doubles (trigonometry, logarithms, powers) and of bits and bases (`bin`,
`hex`, `unhex`, `conv`, shifts, `bit_count`, `bit_get`) on DuckDB.

Spark names most one-argument math functions in capitals (`ACOS(1)`); aliases keep the name as
written (`sign(40)`, `pow(2, 3)`). Logarithms of non-positive numbers are NULL, not -inf or NaN.
"""
from __future__ import annotations

import pyarrow as pa

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .casts import spark_cast
from .functions_interval_arith import interval_operand, interval_sign
from .functions_math import constant_int
from .naming import pretty
from .registry import duck, macro, spark_function, spark_name, udf
from .spark_types import T, expression_type, is_decimal, is_fractional, spark_type


def _capitals(*names: str):
    """Spark's column name for these functions is their name in capitals."""
    @spark_name(*names)
    def name(node):
        return f"{node.name.upper()}({', '.join(pretty(a) for a in node.expressions)})"
    return name


def _double_function(names, template: str) -> None:
    def build(x):
        return duck(template, x)
    spark_function(*names, inputs=["double"], result="double")(build)


# Where Spark's definition differs from DuckDB's function of the same name, the template says why.
_UNARY = {
    "acos": "acos(_0)", "asin": "asin(_0)", "atan": "atan(_0)", "cos": "cos(_0)", "sin": "sin(_0)",
    "tan": "tan(_0)", "cosh": "cosh(_0)", "sinh": "sinh(_0)", "tanh": "tanh(_0)",
    "acosh": "acosh(_0)", "asinh": "asinh(_0)", "atanh": "atanh(_0)", "cbrt": "cbrt(_0)",
    "exp": "exp(_0)", "degrees": "degrees(_0)", "radians": "radians(_0)", "sqrt": "sqrt(_0)",
    "cot": "1 / tan(_0)", "sec": "1 / cos(_0)", "csc": "1 / sin(_0)",
    "rint": "round_even(_0, 0)",
    # -0.0 and NaN are their own sign, as in Java's Math.signum
    "signum": "CASE WHEN _0 > 0 THEN 1.0 WHEN _0 < 0 THEN -1.0 ELSE _0 END",
    "log10": "CASE WHEN _0 > 0 THEN log10(_0) END", "log2": "CASE WHEN _0 > 0 THEN log2(_0) END",
    "ln": "CASE WHEN _0 > 0 THEN ln(_0) END",
    # near zero, exp(x) - 1 and ln(1 + x) lose the digits; the series keeps them
    "expm1": "CASE WHEN abs(_0) < 1e-5 THEN _0 + _0 * _0 / 2 + _0 * _0 * _0 / 6 ELSE exp(_0) - 1 END",
    "log1p": "CASE WHEN _0 <= -1 THEN NULL WHEN abs(_0) < 1e-4 "
             "THEN _0 - _0 * _0 / 2 + _0 * _0 * _0 / 3 - _0 * _0 * _0 * _0 / 4 ELSE ln(1 + _0) END",
}
for _name, _template in _UNARY.items():
    if _name != "signum":
        _double_function([_name], _template)


@spark_function("sign", "signum", result="double")
def signum(x):
    """Of a double, or of an interval (the sign of its count of months or microseconds)."""
    kind = interval_operand(x)
    if kind is not None:
        return interval_sign(x, kind)
    return duck(_UNARY["signum"], spark_cast(x, expression_type(x), spark_type("double")))


_capitals(*(set(_UNARY) - {"rint", "ln"}))


def _binary_double(names, template: str) -> None:
    def build(x, y):
        return duck(template, x, y)
    spark_function(*names, inputs=["double"], result="double")(build)


_binary_double(["atan2"], "atan2(_0, _1)")
_binary_double(["pow", "power"], "pow(_0, _1)")
_binary_double(["hypot"], "sqrt(_0 * _0 + _1 * _1)")
_capitals("atan2", "power", "hypot")


@spark_function("log", inputs=["double"], result="double")
def logarithm(base, x=None):
    """log(x) is the natural logarithm; NULL where the base or the number is not positive."""
    if x is None:
        return duck("CASE WHEN _0 > 0 THEN ln(_0) END", base)
    return duck("CASE WHEN _0 > 0 AND _1 > 0 THEN ln(_1) / ln(_0) END", base, x)


@spark_name("log")
def _log_name(node):
    args = node.expressions
    return f"LOG({'E()' if len(args) == 1 else pretty(args[0])}, {pretty(args[-1])})"


@spark_function("e", result="double")
def euler():
    return duck("exp(1)")


@spark_function("pi", result="double")
def pi():
    return duck("pi()")


_capitals("e", "pi")


@spark_function("randn", result="double")
def randn(seed=None):
    """A standard normal sample (Box-Muller over DuckDB's uniform random()); DuckDB cannot seed
    one expression, so a seed gives no repeatable sequence here."""
    return duck("sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())")


def _as_bigint(x):
    """Spark's cast of a number to a bigint truncates (DuckDB's rounds)."""
    data_type = expression_type(x)
    if is_decimal(data_type) or is_fractional(data_type):
        return duck("TRY_CAST(trunc(_0) AS BIGINT)", x)
    return exp.TryCast(this=x, to=spark_type("bigint"))


@spark_function("bin", result="string")
def binary_digits(x):
    return duck("bin(_0)", _as_bigint(x))


@spark_function("hex", result="string")
def hexadecimal(x):
    """Of a number its two's complement, of a string or binary its bytes."""
    data_type = expression_type(x)
    if data_type is not None and data_type.this not in (T.TEXT, T.VARCHAR, T.BINARY, T.VARBINARY):
        x = _as_bigint(x)
    return duck("hex(_0)", x)


@spark_function("unhex", inputs=["string"], result="binary")
def unhexadecimal(text):
    """NULL for a string that is not hexadecimal (DuckDB raises); an odd length reads as if
    it had a leading 0."""
    return duck("CASE WHEN regexp_full_match(_0, '[0-9a-fA-F]*') THEN unhex(_0) END", text)


def _convert(numbers: pa.Array, from_bases: pa.Array, to_bases: pa.Array) -> pa.Array:
    return pa.array([_convert_one(n, f, t) for n, f, t in
                     zip(numbers.to_pylist(), from_bases.to_pylist(), to_bases.to_pylist())],
                    pa.string())


_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _convert_one(number, from_base, to_base):
    """Spark's NumberConverter: read the longest valid prefix as an unsigned 64-bit number
    (saturating), negative when it starts with '-'; write it unsigned, or signed for a negative
    target base."""
    if number is None or from_base is None or to_base is None:
        return None
    if not 2 <= from_base <= 36 or not 2 <= abs(to_base) <= 36:
        return None
    text = number.strip()
    if not text:
        return None
    negative = text.startswith("-")
    value = 0
    for char in text[1:] if negative else text:
        digit = _DIGITS.find(char.upper())
        if digit < 0 or digit >= from_base:
            break
        value = min(value * from_base + digit, 2 ** 64 - 1)
    if negative:
        value = (-value) % 2 ** 64
    signed = to_base < 0 and value >= 2 ** 63
    if signed:
        value = 2 ** 64 - value
    digits = ""
    while True:
        value, digit = divmod(value, abs(to_base))
        digits = _DIGITS[digit] + digits
        if value == 0:
            break
    return "-" + digits if signed else digits


udf("spark_conv", _convert, ["VARCHAR", "INTEGER", "INTEGER"], "VARCHAR", type="arrow",
    null_handling="special", side_effects=False)


@spark_function("conv", inputs=["string", "int", "int"], result="string")
def conv(number, from_base, to_base):
    return duck("spark_conv(_0, _1, _2)", number, from_base, to_base)


# Java's shifts: the distance modulo the width, bits shifted out are lost (DuckDB raises on
# overflow and on negative numbers), and >>> fills with zeros.
macro("CREATE MACRO spark_int32(x) AS CAST(CASE WHEN (x & 4294967295) >= 2147483648 "
      "THEN (x & 4294967295) - 4294967296 ELSE x & 4294967295 END AS INTEGER)")
macro("""CREATE MACRO spark_shiftleft(a INTEGER, n) AS spark_int32((CAST(a AS BIGINT) & 4294967295) << (n & 31)),
    (a BIGINT, n) AS CASE WHEN (n & 63) = 0 THEN a ELSE
        ((a & ((CAST(1 AS BIGINT) << (63 - (n & 63))) - 1)) << (n & 63))
        + CASE WHEN ((a >> (63 - (n & 63))) & 1) = 1 THEN -9223372036854775808 ELSE 0 END END""")
macro("""CREATE MACRO spark_shiftright(a INTEGER, n) AS a >> (n & 31),
    (a BIGINT, n) AS a >> (n & 63)""")
macro("""CREATE MACRO spark_shiftrightunsigned(a INTEGER, n) AS
        spark_int32((CAST(a AS BIGINT) & 4294967295) >> (n & 31)),
    (a BIGINT, n) AS CASE WHEN (n & 63) = 0 THEN a
        ELSE (a >> (n & 63)) & (9223372036854775807 >> ((n & 63) - 1)) END""")


def _shift(function: str):
    def build(a, n):
        """An int unless the number is a bigint (smaller integers and strings become ints)."""
        data_type = expression_type(a)
        if data_type is not None and data_type.this != T.BIGINT:
            a = exp.TryCast(this=a, to=spark_type("int"))
        return duck(f"{function}(_0, CAST(_1 AS INTEGER))", a, n)
    return build


for _name in ("shiftleft", "shiftright", "shiftrightunsigned"):
    spark_function(_name)(_shift(f"spark_{_name}"))


@spark_function("bit_count", result="int")
def bit_count(x):
    """The bits of the number as a bigint (bit_count of a tinyint -1 is 64), or of a boolean."""
    if expression_type(x) is not None and expression_type(x).this == T.BOOLEAN:
        return exp.Cast(this=x, to=spark_type("int"))
    return duck("bit_count(CAST(_0 AS BIGINT))", x)


_WIDTH = {T.TINYINT: 8, T.SMALLINT: 16, T.INT: 32, T.BIGINT: 64}


@spark_function("bit_get", "getbit", result="tinyint")
def bit_get(x, position):
    data_type = expression_type(x)
    width = _WIDTH.get(data_type.this, 64) if data_type is not None else 64
    if not isinstance(position, exp.Null) and isinstance(position, (exp.Literal, exp.Neg)):
        constant = constant_int(position, "bit_get", "pos")
        if constant < 0:
            raise ByzerRuntimeError(f"Invalid bit position: {constant} is less than zero (bit_get)")
        if constant >= width:
            raise ByzerRuntimeError(f"Invalid bit position: {constant} exceeds the bit upper limit "
                                    f"(bit_get of a {width}-bit number)")
    message = exp.Literal.string(f"Invalid bit position for bit_get (0 to {width - 1})")
    return duck("CASE WHEN _1 < 0 OR _1 >= _2 THEN error(_3) ELSE (_0 >> _1) & 1 END",
                x, position, exp.Literal.number(width), message)
