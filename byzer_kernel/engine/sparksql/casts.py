"""Spark 3.3's CAST (non-ANSI) on DuckDB: bad input is NULL, never an error; strings parse as
Spark's parsers do (`'7.9'` is the int 7, `'yes'` is true); fractions truncate towards zero where
DuckDB rounds; integers wrap where DuckDB reports an overflow; doubles, arrays, maps and structs
print as Spark prints them (`1.0E10`, `[1, null]`, `{k -> 1}`, `{1, x}`).

`spark_cast(expression, from_type, to_type)` builds the DuckDB expression from the Spark types
(sqlglot DataTypes); the coercion phase records the source type of every CAST the query holds or
Spark's analyzer adds (`FROM_TYPE` in the node's meta), and the CAST node rewrite below reads it.
An unknown source type keeps DuckDB's TRY_CAST.
"""
from __future__ import annotations

from typing import Optional

from sqlglot import exp

from .registry import duck, macro, spark_node

T = exp.DataType.Type
FROM_TYPE = "spark_from_type"  # meta key: the Spark type of a CAST's operand
SPARK_TYPE = "spark_data_type"  # meta key: the Spark type (a DataType) of an expression

INTEGRAL_BITS = {T.TINYINT: 8, T.SMALLINT: 16, T.INT: 32, T.BIGINT: 64}
FRACTIONAL = {T.FLOAT, T.DOUBLE}
TEXT = {T.VARCHAR, T.TEXT, T.CHAR, T.NVARCHAR, T.NCHAR}
TIMESTAMPS = {T.TIMESTAMP, T.TIMESTAMPTZ, T.TIMESTAMPLTZ, T.TIMESTAMPNTZ}
_TRIM = "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)"

# Spark's UTF8String.toInt/toLong: optional sign, digits, an optional fraction that is dropped
# ('-.5' is 0); anything else does not match and stays unreadable ('#' is no digit).
macro(r"""CREATE OR REPLACE MACRO spark_integral_text(s) AS
    regexp_replace('#' || s, '^#\s*([+-]?)(?:(\d+)(?:\.\d*)?|\.\d+)\s*$', '\10\2')""")
# Two's complement wrap of an integer (of a wider type) to `bits` bits, as Java's narrowing does.
macro("""CREATE OR REPLACE MACRO spark_wrap(x, bits) AS
    ((CAST(x AS HUGEINT) + (CAST(1 AS HUGEINT) << (bits - 1)))
      & ((CAST(1 AS HUGEINT) << bits) - 1)) - (CAST(1 AS HUGEINT) << (bits - 1))""")
# The same for arithmetic already done in a wider type: BIGINT for the 8/16/32-bit types, HUGEINT
# for bigint (cheaper than HUGEINT throughout).
macro("""CREATE OR REPLACE MACRO spark_wrap_big(x, bits) AS
    ((x + (CAST(1 AS BIGINT) << (bits - 1))) & ((CAST(1 AS BIGINT) << bits) - 1))
      - (CAST(1 AS BIGINT) << (bits - 1))""")
macro("""CREATE OR REPLACE MACRO spark_wrap_huge(x, bits) AS
    ((x + (CAST(1 AS HUGEINT) << (bits - 1))) & ((CAST(1 AS HUGEINT) << bits) - 1))
      - (CAST(1 AS HUGEINT) << (bits - 1))""")
macro(f"""CREATE OR REPLACE MACRO spark_boolean_text(s) AS
    CASE WHEN lower(trim(s, {_TRIM})) IN ('t', 'true', 'y', 'yes', '1') THEN true
         WHEN lower(trim(s, {_TRIM})) IN ('f', 'false', 'n', 'no', '0') THEN false END""")
# Spark's stringToDate: yyyy[-m[-d]] and anything after a space or 'T'.
macro(r"""CREATE OR REPLACE MACRO spark_date_parts(p) AS
    TRY_CAST(p.y || '-' || coalesce(nullif(p.m, ''), '1') || '-' || coalesce(nullif(p.d, ''), '1') AS DATE)""")
macro(r"""CREATE OR REPLACE MACRO spark_text_date(s) AS
    coalesce(TRY_CAST(s AS DATE), spark_date_parts(regexp_extract(trim(s),
        '^([+-]?\d{4,6})(?:-(\d{1,2}))?(?:-(\d{1,2}))?(?:[ T].*)?$', ['y', 'm', 'd'])))""")
# Java's Double.toString and Float.toString: the shortest digits, as DuckDB prints them, plain
# between 10^-3 and 10^7 (where DuckDB's text is Java's) and d.dddE<n> elsewhere. DuckDB prints
# abs(x) there as `1.5e+16` / `1e-05` (>= 10^16, < 10^-4), `12345678.9` or `0.000123`; few
# functions, for DuckDB runs each once per chunk however few rows take this branch.
macro("""CREATE OR REPLACE MACRO spark_float_layout(negative, digits, exponent) AS
    concat(CASE WHEN negative THEN '-' END, digits[1], '.', coalesce(nullif(digits[2:], ''), '0'),
           'E', exponent)""")
macro("""CREATE OR REPLACE MACRO spark_float_scientific(negative, t) AS
    spark_float_layout(negative, trim(replace(split_part(t, 'e', 1), '.', ''), '0'),
        CASE WHEN contains(t, 'e') THEN CAST(split_part(t, 'e', 2) AS INTEGER)
             WHEN t < '1' THEN -4 ELSE strpos(t, '.') - 2 END)""")
macro("""CREATE OR REPLACE MACRO spark_float_text(x) AS
    CASE WHEN abs(x) >= 0.001 AND abs(x) < 10000000 OR x = 0 THEN CAST(x AS VARCHAR)  -- alike
         WHEN isnan(x) THEN 'NaN'
         WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END
         ELSE spark_float_scientific(x < 0, CAST(abs(x) AS VARCHAR)) END""")


class IntegralArithmetic(exp.Expression):
    """Integer +, - or * in two forms: `this`, DuckDB's own operation, which fails on an overflow,
    and `wrapped`, which wraps around as Java's does at the cost of a few operations per row. The
    query runs with the first and, only where DuckDB reports an overflow, again with the second
    (`arithmetic_forms`); overflows are rare, and a TRY per operation costs ~1.6x."""
    arg_types = {"this": True, "wrapped": True}


def arithmetic_forms(tree: exp.Expression) -> tuple:
    """(the query with checked arithmetic, the query with wrapping arithmetic or None if it has none)."""
    if tree.find(IntegralArithmetic) is None:
        return tree, None
    return _with_form(tree.copy(), "this"), _with_form(tree.copy(), "wrapped")


def _with_form(tree: exp.Expression, form: str) -> exp.Expression:
    for node in list(tree.find_all(IntegralArithmetic)):  # those in a dropped form go with it
        node.replace(node.args[form])
    return tree


def spark_type(text: str) -> exp.DataType:
    data_type = exp.DataType.build(text, dialect="spark")
    if data_type.this == T.DECIMAL and not data_type.expressions:
        return exp.DataType.build("decimal(10, 0)")
    return data_type


def is_type(data_type: Optional[exp.DataType], kinds) -> bool:
    return data_type is not None and data_type.this in kinds


@spark_node(exp.Cast, exp.TryCast)
def cast_node(node):
    """A CAST of the query (or one Spark's analyzer adds) with Spark's semantics."""
    if node.meta.get("spark_done"):
        return node
    source = node.meta.get(FROM_TYPE)
    target = node.meta.get(SPARK_TYPE) or node.to
    built = spark_cast(node.this, source, target, duck_target=node.to)
    built.meta[SPARK_TYPE] = target
    return built


def spark_cast(value: exp.Expression, source: Optional[exp.DataType], target: exp.DataType,
               duck_target: Optional[exp.DataType] = None) -> exp.Expression:
    """`CAST(value AS target)` as Spark computes it, `value` being of Spark type `source`."""
    duck_target = duck_target or target
    if source is None or source.this == T.UNKNOWN:
        return _try_cast(value, duck_target)
    if source == target or source.this == T.NULL:
        return _cast(value, duck_target) if source.this == T.NULL else value
    for test, build in _RULES:
        if test(source, target):
            built = build(value, source, target, duck_target)
            if built is not None:
                return built
    return _try_cast(value, duck_target)


def plain_cast(value: exp.Expression, to: exp.DataType) -> exp.Expression:
    """DuckDB's own CAST, which the CAST rewrite leaves alone (for casts between DuckDB types)."""
    return _cast(value, to)


def plain_try_cast(value: exp.Expression, to: exp.DataType) -> exp.Expression:
    """DuckDB's own TRY_CAST, which the CAST rewrite leaves alone."""
    return _try_cast(value, to)


def _try_cast(value, to):
    cast = exp.TryCast(this=value, to=to.copy())
    cast.meta["spark_done"] = True
    return cast


def _cast(value, to):
    cast = exp.Cast(this=value, to=to.copy())
    cast.meta["spark_done"] = True
    return cast


def _to_integral(value, source, target, to):
    bits = INTEGRAL_BITS[target.this]
    if source.this in TEXT:  # plain digits (DuckDB reads them as Spark does) skip the regex
        plain = _try_cast(value, to)
        same = exp.EQ(this=_cast(plain, exp.DataType.build("varchar")), expression=value.copy())
        return exp.Case(ifs=[exp.If(this=same, true=plain.copy())],
                        default=_try_cast(duck("spark_integral_text(_0)", value), to))
    if source.this in INTEGRAL_BITS:
        if INTEGRAL_BITS[source.this] <= bits:
            return _cast(value, to)
        return _cast(duck(f"spark_wrap(_0, {bits})", value), to)
    if source.this == T.DECIMAL:  # Decimal.toInt/toLong: the integral part, wrapped
        return _cast(duck(f"spark_wrap(trunc(_0), {bits})", value), to)
    if source.this in FRACTIONAL:  # Java's (int)/(long): NaN is 0, out of range saturates
        wide = 64 if bits == 64 else 32
        low, high = -(2 ** (wide - 1)), 2 ** (wide - 1) - 1
        saturated = duck(f"CASE WHEN isnan(_0) THEN 0 WHEN _0 >= {float(high)} THEN {high} "
                         f"WHEN _0 <= {float(low)} THEN {low} "
                         f"ELSE CAST(trunc(_0) AS {'BIGINT' if wide == 64 else 'INTEGER'}) END", value)
        return _cast(saturated if bits >= 32 else duck(f"spark_wrap(_0, {bits})", saturated), to)
    if source.this in TIMESTAMPS:  # whole seconds, rounded down
        seconds = duck("CAST(floor(epoch_us(_0) / 1000000) AS BIGINT)", value)
        return _cast(seconds if bits == 64 else duck(f"spark_wrap(_0, {bits})", seconds), to)
    if source.this == T.BOOLEAN:
        return _cast(value, to)
    return None


def _to_boolean(value, source, target, to):
    if source.this in TEXT:
        return duck("spark_boolean_text(_0)", value)
    if source.this in INTEGRAL_BITS or source.this in FRACTIONAL or source.this == T.DECIMAL:
        return duck("(_0 <> 0)", value)
    return None


def _to_text(value, source, target, to):
    if source.this in FRACTIONAL:
        return duck("spark_float_text(_0)", value)
    if source.this in TIMESTAMPS:
        return _cast(_cast(value, exp.DataType.build("timestamp")), to)
    if source.this in (T.BINARY, T.VARBINARY, T.BLOB):
        return duck("decode(_0)", value)
    if source.this in (T.ARRAY, T.MAP, T.STRUCT):
        return _nested_text(value, source, depth=0)
    return _cast(value, to)


def _nested_text(value: exp.Expression, source: exp.DataType, depth: int) -> exp.Expression:
    """Spark's text of an array (`[1, null]`), map (`{k -> 1}`) or struct (`{1, x}`)."""
    if source.this == T.ARRAY:
        item = f"_v{depth}"
        text = _element_text(exp.column(item), source.expressions[0], depth + 1)
        body = duck(f"'[' || array_to_string(list_transform(_0, lambda {item}: coalesce(_1, 'null')),"
                    f" ', ') || ']'", value, text)
        return body
    if source.this == T.MAP:
        entry = f"_e{depth}"
        key_type, value_type = source.expressions
        key = _element_text(exp.column("key", table=entry), key_type, depth + 1)
        item = _element_text(exp.column("value", table=entry), value_type, depth + 1)
        return duck(f"'{{' || array_to_string(list_transform(map_entries(_0), lambda {entry}: "
                    f"_1 || ' -> ' || coalesce(_2, 'null')), ', ') || '}}'", value, key, item)
    fields = []
    for field in source.expressions:  # ColumnDef(name, kind)
        name = field.name
        member = exp.func("struct_extract", value.copy(), exp.Literal.string(name))
        fields.append(exp.func("coalesce", _element_text(member, field.args.get("kind"), depth + 1),
                               exp.Literal.string("null")))
    joined = exp.Literal.string("")
    for index, field in enumerate(fields):
        joined = field if index == 0 else duck("_0 || ', ' || _1", joined, field)
    return duck("CASE WHEN _0 IS NULL THEN NULL ELSE '{' || _1 || '}' END", value, joined)


def _element_text(value, element_type, depth):
    if element_type is None:
        return _cast(value, exp.DataType.build("varchar"))
    if element_type.this in (T.ARRAY, T.MAP, T.STRUCT):
        return _nested_text(value, element_type, depth)
    return spark_cast(value, element_type, exp.DataType.build("string", dialect="spark"))


def _to_binary(value, source, target, to):
    if source.this in TEXT:
        return duck("encode(_0)", value)
    bits = INTEGRAL_BITS.get(source.this)
    if bits is None:
        return None
    if bits == 64:
        return duck("unhex(lpad(to_hex(_0), 16, '0'))", value)
    return duck(f"unhex(lpad(to_hex(CAST(_0 AS BIGINT) & {2 ** bits - 1}), {bits // 4}, '0'))", value)


def _to_fractional(value, source, target, to):
    if source.this in TIMESTAMPS:
        return _cast(duck("epoch_us(_0) / 1000000", value), to)
    if source.this in TEXT:
        return _try_cast(duck(f"trim(_0, {_TRIM})", value), to)
    return None


def _to_decimal(value, source, target, to):
    if source.this in TEXT:  # Spark's BigDecimal parser reads exponents DuckDB's does not
        trimmed = duck(f"trim(_0, {_TRIM})", value)
        return exp.func("coalesce", _try_cast(trimmed, to),
                        _try_cast(_try_cast(trimmed.copy(), exp.DataType.build("double")), to))
    return None


def _to_date(value, source, target, to):
    if source.this in TEXT:
        return duck("spark_text_date(_0)", value)
    return None


def _to_timestamp(value, source, target, to):
    if source.this in TEXT:
        date = duck("spark_text_date(_0)", value)
        return exp.func("coalesce", _try_cast(duck(f"trim(_0, {_TRIM})", value), to), _try_cast(date, to))
    if source.this in INTEGRAL_BITS or source.this in FRACTIONAL or source.this == T.DECIMAL:
        return _try_cast(duck("to_timestamp(CAST(_0 AS DOUBLE))", value), to)
    return None


_RULES = [
    (lambda s, t: t.this in INTEGRAL_BITS, _to_integral),
    (lambda s, t: t.this == T.BOOLEAN, _to_boolean),
    (lambda s, t: t.this in TEXT, _to_text),
    (lambda s, t: t.this in (T.BINARY, T.VARBINARY, T.BLOB), _to_binary),
    (lambda s, t: t.this in FRACTIONAL, _to_fractional),
    (lambda s, t: t.this == T.DECIMAL, _to_decimal),
    (lambda s, t: t.this == T.DATE, _to_date),
    (lambda s, t: t.this in TIMESTAMPS, _to_timestamp),
]
