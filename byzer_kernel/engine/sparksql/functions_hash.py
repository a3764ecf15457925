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

import numpy as np
import pyarrow as pa

from sqlglot import exp

from .functions_hash_kernels import murmur3, xxhash64
from .registry import duck, macro, spark_function, udf
from .spark_types import T, expression_type, precision_scale

_ALGORITHMS = {"murmur3": (murmur3, "INTEGER", np.int32, pa.int32()),
               "xxhash64": (xxhash64, "BIGINT", np.int64, pa.int64())}
_FIXED = {"int": ("INTEGER", np.int32), "long": ("BIGINT", np.int64),
          "float": ("FLOAT", np.float32), "double": ("DOUBLE", np.float64)}
_CANONICAL_NAN = {np.float32: np.int32(0x7FC00000), np.float64: np.int64(0x7FF8000000000000)}


def _whole(values) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _fixed_bytes(values: pa.Array, numpy_type):
    """The little-endian bytes of fixed-width values, with -0.0 as 0.0 and one NaN (Java's)."""
    array = values.to_numpy(zero_copy_only=False)
    array = np.nan_to_num(array, nan=0) if values.null_count else array
    array = np.ascontiguousarray(array, dtype=numpy_type)
    if numpy_type in _CANONICAL_NAN:
        bits = np.where(array == 0, numpy_type(0), array).view(np.int32 if numpy_type == np.float32 else np.int64)
        bits = np.where(np.isnan(array), _CANONICAL_NAN[numpy_type], bits)
        array = bits
    width = np.dtype(numpy_type).itemsize
    return array.view(np.uint8), np.arange(len(values) + 1, dtype=np.int64) * width


def _variable_bytes(values: pa.Array):
    values = values.cast(pa.large_binary())
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int64)[values.offset:values.offset + len(values) + 1]
    data = values.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return np.concatenate([data, np.zeros(8, np.uint8)]), offsets  # padded: reads may overrun


def _big_decimal_bytes(values: pa.Array):
    """Java's BigInteger.toByteArray of unscaled values (given as text): big-endian two's complement."""
    encoded = [None if v is None else int(v).to_bytes((int(v).bit_length() + 8) // 8, "big", signed=True)
               for v in values.to_pylist()]
    return _variable_bytes(pa.array(encoded, pa.binary()))


def _hash_udf(algorithm: str, kind: str):
    kernel, _, numpy_type, arrow_type = _ALGORITHMS[algorithm]

    def run(values: pa.Array, seeds: pa.Array) -> pa.Array:
        values, seeds = _whole(values), _whole(seeds)
        seeds_np = seeds.to_numpy(zero_copy_only=False).astype(numpy_type)
        if kind in _FIXED:
            data, offsets = _fixed_bytes(values, _FIXED[kind][1])
            data = np.concatenate([data, np.zeros(8, np.uint8)])
        elif kind == "bigdecimal":
            data, offsets = _big_decimal_bytes(values)
        else:
            data, offsets = _variable_bytes(values)
        hashed = kernel(data, offsets, seeds_np).view(numpy_type)
        if values.null_count:
            hashed = np.where(values.is_null().to_numpy(zero_copy_only=False), seeds_np, hashed)
        return pa.array(hashed, arrow_type)
    return run


_CARRIER = dict({name: duck_type for name, (duck_type, _) in _FIXED.items()},
                bytes="BLOB", bigdecimal="VARCHAR")
for _algorithm, (_, _seed_type, _, _) in _ALGORITHMS.items():
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
