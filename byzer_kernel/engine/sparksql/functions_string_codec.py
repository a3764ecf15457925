"""Spark's conversions between strings and binaries on DuckDB: base64/unbase64, encode/decode with
a charset, to_binary/try_to_binary, and the other `decode` (Oracle's CASE shorthand)."""
from __future__ import annotations

import codecs

import pyarrow as pa
from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .registry import duck, macro, spark_function, udf

macro("CREATE MACRO spark_as_binary(a BLOB) AS a, (a) AS encode(CAST(a AS VARCHAR))")


@spark_function("base64", result="string")
def base64(data):
    return duck("to_base64(spark_as_binary(_0))", data)


# Spark 3.3 decodes base64 leniently (Java's MIME decoder): characters outside the alphabet are
# skipped and the padding may be left out.
macro("CREATE MACRO spark_unbase64_clean(a) AS regexp_replace(a, '[^A-Za-z0-9+/]', '', 'g')")
macro("CREATE MACRO spark_unbase64(a) AS from_base64(spark_unbase64_clean(a) || "
      "repeat('=', (4 - length(spark_unbase64_clean(a)) % 4) % 4))")


@spark_function("unbase64", inputs=["string"], result="binary")
def unbase64(text):
    return duck("spark_unbase64(_0)", text)


# ---- charsets -----------------------------------------------------------------------------------

def _java_charset(name: str):
    """Python's codec for a Java charset name, None when Java has no such charset."""
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def _is_utf8(charset) -> bool:
    return isinstance(charset, exp.Literal) and _java_charset(charset.name) == "utf-8"


def _checked_charset(function: str, charset):
    if isinstance(charset, exp.Literal) and _java_charset(charset.name) is None:
        raise ByzerRuntimeError(f"function `{function}`: unsupported charset '{charset.name}'")
    return charset


def _as_text(node):
    return exp.TryCast(this=node, to=exp.DataType.build("text"))


def _encode_text(text: str, charset: str):
    codec = _java_charset(charset)
    if codec is None:
        raise ValueError(f"unsupported charset '{charset}'")
    if codec == "utf-16":  # Java writes big-endian with a byte order mark
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(codec, errors="replace")  # Java writes '?' for unmappable characters


def _decode_bytes(data: bytes, charset: str):
    codec = _java_charset(charset)
    if codec is None:
        raise ValueError(f"unsupported charset '{charset}'")
    return data.decode(codec, errors="replace")  # Java reads malformed bytes as U+FFFD


def _rowwise(convert, result_type):
    """An Arrow UDF applying `convert(value, charset)` to each row (charsets other than UTF-8
    are rare; DuckDB has no codec for them)."""

    def run(values: pa.Array, charsets: pa.Array) -> pa.Array:
        return pa.array([None if v is None or c is None else convert(v, c)
                         for v, c in zip(values.to_pylist(), charsets.to_pylist())], result_type)

    return run


udf("spark_encode_charset", _rowwise(_encode_text, pa.binary()), ["VARCHAR", "VARCHAR"], "BLOB",
    type="arrow", null_handling="special")
udf("spark_decode_charset", _rowwise(_decode_bytes, pa.string()), ["BLOB", "VARCHAR"], "VARCHAR",
    type="arrow", null_handling="special")


@spark_function("encode", inputs=["string", None], result="binary")
def encode(text, charset):
    if _is_utf8(charset):
        return duck("encode(_0)", text)
    charset = _checked_charset("encode", charset)
    return duck("spark_encode_charset(_0, _1)", text, _as_text(charset))


def _decode_charset(data, charset):
    data = duck("spark_as_binary(_0)", data)
    if _is_utf8(charset):  # invalid UTF-8 (rare) goes the slow way, to get U+FFFD as Spark does
        return duck("coalesce(TRY(decode(_0)), spark_decode_charset(_0, 'utf-8'))", data)
    charset = _checked_charset("decode", charset)
    return duck("spark_decode_charset(_0, _1)", data, _as_text(charset))


@spark_function("decode")
def decode(value, *rest):
    """decode(binary, charset), or decode(expr, search, result, ..., [default]): the result of the
    first search equal to expr (NULL equals NULL)."""
    if len(rest) == 1:
        return _decode_charset(value, rest[0])
    if not rest:
        raise ByzerRuntimeError("function `decode` takes 2 or more arguments; 1 given")
    pairs, default = (rest, None) if len(rest) % 2 == 0 else (rest[:-1], rest[-1])
    case = exp.Case(default=default)
    for search, result in zip(pairs[::2], pairs[1::2]):
        case = case.when(exp.NullSafeEQ(this=value.copy(), expression=search), result)
    return case


# ---- to_binary ----------------------------------------------------------------------------------

_BINARY_FORMATS = {"hex", "utf-8", "utf8", "base64"}


def _to_binary(function: str, text, format_, failing: bool):
    if format_ is None:
        format_name = "hex"
    elif isinstance(format_, exp.Literal) and format_.is_string:
        format_name = format_.name.lower()
    else:
        raise ByzerRuntimeError(f"function `{function}`: the format must be a string literal "
                                "('hex', 'utf-8' or 'base64')")
    if format_name not in _BINARY_FORMATS:
        if not failing:
            return exp.cast(exp.Null(), exp.DataType.build("blob"))
        raise ByzerRuntimeError(f"function `{function}`: invalid format '{format_.name}'; it must "
                                "be 'hex', 'utf-8' or 'base64' (in any case)")
    if format_name == "hex":  # Spark's unhex: NULL for a non-hex digit, odd length padded with 0
        return duck("TRY(unhex(CASE WHEN length(_0) % 2 = 1 THEN '0' || _0 ELSE _0 END))", text)
    if format_name == "base64":
        return duck("from_base64(_0)" if failing else "TRY(from_base64(_0))", text)
    return duck("encode(_0)", text)


@spark_function("to_binary", inputs=["string", None], result="binary")
def to_binary(text, format_=None):
    return _to_binary("to_binary", text, format_, failing=True)


@spark_function("try_to_binary", inputs=["string", None], result="binary")
def try_to_binary(text, format_=None):
    return _to_binary("try_to_binary", text, format_, failing=False)
