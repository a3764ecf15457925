"""Spark's hash functions on DuckDB: `md5`, `sha`/`sha1`, `sha2` (224, 256, 384, 512 bits; 0 means
256), `crc32`, and `hash` (Murmur3 x86_32) and `xxhash64` (XXH64), both seeded with 42.

`hash`/`xxhash64` hash each argument's Spark binary form in turn, the running hash seeding the
next (a NULL leaves it unchanged): ints, dates and booleans as 4 bytes, longs, timestamps (micros)
and decimals of up to 18 digits (unscaled) as 8, floats and doubles by their bits (-0.0 as 0.0),
strings as UTF-8, arrays element by element. The kernels are in functions_hash_kernels.py.
"""
from __future__ import annotations

import hashlib
import zlib

import pyarrow as pa

from sqlglot import exp

from .registry import duck, macro, spark_function, udf
from .spark_types import T, expression_type, precision_scale

_SEED_TYPES = {"murmur3": "INTEGER", "xxhash64": "BIGINT"}
_FIXED = {"int": "INTEGER", "long": "BIGINT", "float": "FLOAT", "double": "DOUBLE"}


def _hash_udf(algorithm: str, kind: str):
    def run(values: pa.Array, seeds: pa.Array) -> pa.Array:
        from .functions_hash_kernels import hash_arrow  # numpy on the first hash, not at import

        return hash_arrow(algorithm, kind, values, seeds)
    return run


_CARRIER = dict(_FIXED, bytes="BLOB", bigdecimal="VARCHAR")
for _algorithm, _seed_type in _SEED_TYPES.items():
    for _kind, _duck_type in _CARRIER.items():
        udf(f"spark_{_algorithm}_{_kind}", _hash_udf(_algorithm, _kind), [_duck_type, _seed_type],
            _seed_type, type="arrow", null_handling="special", side_effects=False)
    # a column's type does not show in the query: DuckDB picks the overload by the value's type
    _element = {"INTEGER": "int", "BIGINT": "long", "DOUBLE": "double", "VARCHAR": "bytes"}
    _lists = ", ".join(f"(v {t}[], seed) AS list_reduce(v, lambda h, x: spark_{_algorithm}_{k}"
                       f"({'encode(x)' if t == 'VARCHAR' else 'x'}, h), seed)" for t, k in _element.items())
    macro(f"""CREATE MACRO spark_{_algorithm}_any(v INTEGER, seed) AS spark_{_algorithm}_int(v, seed),
        (v BIGINT, seed) AS spark_{_algorithm}_long(v, seed),
        (v DOUBLE, seed) AS spark_{_algorithm}_double(v, seed),
        (v FLOAT, seed) AS spark_{_algorithm}_float(v, seed),
        (v VARCHAR, seed) AS spark_{_algorithm}_bytes(encode(v), seed),
        (v BLOB, seed) AS spark_{_algorithm}_bytes(v, seed),
        (v BOOLEAN, seed) AS spark_{_algorithm}_int(CAST(v AS INTEGER), seed),
        (v DATE, seed) AS spark_{_algorithm}_int(CAST(v - DATE '1970-01-01' AS INTEGER), seed),
        (v TIMESTAMP, seed) AS spark_{_algorithm}_long(epoch_us(v), seed),
        (v TIMESTAMPTZ, seed) AS spark_{_algorithm}_long(epoch_us(v), seed), {_lists}""")


def _step(algorithm: str, value: exp.Expression, seed: exp.Expression) -> exp.Expression:
    """The running hash after `value`, by the value's Spark type where the query shows it."""
    if isinstance(value, exp.Null):
        return seed
    data_type = expression_type(value)
    kind, carrier = "any", "_0"
    if data_type is not None:
        kind, carrier = _carrier(data_type)
    return duck(f"spark_{algorithm}_{kind}({carrier}, _1)", value, seed)


def _carrier(data_type: exp.DataType):
    """(which UDF, the DuckDB expression giving it the value's Spark binary form)."""
    if data_type.this in (T.BOOLEAN, T.TINYINT, T.SMALLINT, T.INT):
        return "int", "CAST(_0 AS INTEGER)"
    if data_type.this == T.DATE:
        return "int", "CAST(_0 - DATE '1970-01-01' AS INTEGER)"
    if data_type.this == T.BIGINT:
        return "long", "_0"
    if data_type.this in (T.TIMESTAMP, T.TIMESTAMPTZ):
        return "long", "epoch_us(_0)"
    if data_type.this in (T.FLOAT, T.DOUBLE):
        return data_type.this.value.lower(), "_0"
    if data_type.this == T.DECIMAL:
        precision, scale = precision_scale(data_type)
        if precision <= 18:
            return "long", f"CAST(_0 * {10 ** scale} AS BIGINT)"
        return "bigdecimal", f"CAST(CAST(_0 * {10 ** scale} AS HUGEINT) AS VARCHAR)"
    if data_type.this in (T.TEXT, T.VARCHAR):
        return "bytes", "encode(_0)"
    return "any", "_0"


@spark_function("hash")
def spark_hash(first, *rest):
    running = exp.Literal.number(42)
    for value in (first, *rest):
        running = _step("murmur3", value, running)
    return exp.Cast(this=running, to=exp.DataType.build("INT"))


@spark_function("xxhash64")
def spark_xxhash64(first, *rest):
    running = exp.Cast(this=exp.Literal.number(42), to=exp.DataType.build("BIGINT"))
    for value in (first, *rest):
        running = _step("xxhash64", value, running)
    return exp.Cast(this=running, to=exp.DataType.build("BIGINT"))


@spark_function("md5", result="string")
def md5(value):
    return duck("md5(_0)", value)


@spark_function("sha", "sha1", result="string")
def sha1(value):
    return duck("sha1(_0)", value)


def _digest(values: pa.Array, bits: pa.Array) -> pa.Array:
    names = {224: "sha224", 256: "sha256", 0: "sha256", 384: "sha384", 512: "sha512"}
    return pa.array([None if v is None or names.get(b) is None else hashlib.new(names[b], v).hexdigest()
                     for v, b in zip(values.to_pylist(), bits.to_pylist())], pa.string())


def _crc32(values: pa.Array) -> pa.Array:
    return pa.array([None if v is None else zlib.crc32(v) for v in values.to_pylist()], pa.int64())


udf("spark_sha2_bytes", _digest, ["BLOB", "INTEGER"], "VARCHAR", type="arrow", side_effects=False)
udf("spark_crc32_bytes", _crc32, ["BLOB"], "BIGINT", type="arrow", side_effects=False)
macro("""CREATE MACRO spark_sha2(v VARCHAR, bits) AS spark_sha2_bytes(encode(v), bits),
    (v BLOB, bits) AS spark_sha2_bytes(v, bits)""")
macro("""CREATE MACRO spark_crc32(v VARCHAR) AS spark_crc32_bytes(encode(v)),
    (v BLOB) AS spark_crc32_bytes(v)""")


@spark_function("sha2", result="string")
def sha2(value, bits):
    """SHA-256 in DuckDB itself; the other lengths in Python's hashlib; NULL for any other."""
    if isinstance(bits, exp.Literal) and bits.is_int and int(bits.this) in (0, 256):
        return duck("sha256(_0)", value)
    if isinstance(bits, exp.Literal) and bits.is_int and int(bits.this) not in (224, 384, 512):
        return exp.Cast(this=exp.Null(), to=exp.DataType.build("TEXT"))
    return duck("spark_sha2(_0, CAST(_1 AS INTEGER))", value, bits)


@spark_function("crc32", result="bigint")
def crc32(value):
    return duck("spark_crc32(_0)", value)
