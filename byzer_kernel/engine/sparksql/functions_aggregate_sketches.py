"""Spark's sketch-like aggregates whose exact answers depend on Spark's own algorithms:
histogram_numeric (Hive's NumericHistogram, ties broken by java.util.Random(31183)),
count_min_sketch (CountMinSketchImpl and its serialized form) and percentile with a frequency.

DuckDB collects each group's values into a list (`list(x)`); an Arrow UDF runs the algorithm
once per group, so the per-row work stays in DuckDB.
"""
from __future__ import annotations

import bisect
import math
import struct

import pyarrow as pa
from sqlglot import exp

from .registry import duck, spark_function, udf

# Whether the aggregated column `_0` is integral (typeof is folded to a constant by DuckDB).
_INTEGRAL = "typeof(any_value(_0)) IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT')"
_MASK48 = (1 << 48) - 1
_INT_MAX = (1 << 31) - 1


class JavaRandom:
    """java.util.Random: the 48-bit linear congruential generator, bit for bit."""

    def __init__(self, seed: int):
        self.seed = (seed ^ 0x5DEECE66D) & _MASK48

    def next_bits(self, bits: int) -> int:
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & _MASK48
        value = self.seed >> (48 - bits)  # Java's (int) cast: only 32 bits can come out negative
        return value - (1 << 32) if value >= 1 << 31 else value

    def next_double(self) -> float:
        return ((self.next_bits(26) << 27) + self.next_bits(27)) * 2.0 ** -53

    def next_int(self, bound: int) -> int:
        if bound & (bound - 1) == 0:
            return (bound * (self.next_bits(31) & _INT_MAX)) >> 31
        while True:
            bits = self.next_bits(31) & _INT_MAX
            value = bits % bound
            if bits - value + (bound - 1) < (1 << 31):
                return value


# -- histogram_numeric ----------------------------------------------------------------------------
def numeric_histogram(values: list, bins: int) -> list:
    """Hive's NumericHistogram as Spark 3.3 runs it: insert each value, merging the two closest
    bins whenever there are too many (the first closest pair; ties by the generator)."""
    random = JavaRandom(31183)
    xs, ys = [], []
    for value in values:
        at = bisect.bisect_left(xs, value)
        if at < len(xs) and xs[at] == value:
            ys[at] += 1.0
            continue
        xs.insert(at, value)
        ys.insert(at, 1.0)
        if len(xs) > bins:
            _merge_closest(xs, ys, random)
    return [{"x": x, "y": y} for x, y in zip(xs, ys)]


def _merge_closest(xs: list, ys: list, random: JavaRandom) -> None:
    smallest, where, ties = xs[1] - xs[0], 0, 1
    for i in range(1, len(xs) - 1):
        gap = xs[i + 1] - xs[i]
        if gap < smallest:
            smallest, where, ties = gap, i, 1
        elif gap == smallest:
            ties += 1
            if random.next_double() <= 1.0 / ties:
                where = i
    total = ys[where] + ys[where + 1]
    xs[where] = (xs[where] * ys[where] + xs[where + 1] * ys[where + 1]) / total
    ys[where] = total
    del xs[where + 1], ys[where + 1]


_BIN = pa.struct([("x", pa.float64()), ("y", pa.float64())])


def _histogram_batch(lists: pa.Array, bins: pa.Array) -> pa.Array:
    out = []
    for values, count in zip(lists.to_pylist(), bins.to_pylist()):
        out.append(None if not values else numeric_histogram(values, count))
    return pa.array(out, pa.list_(_BIN))


udf("spark_histogram_numeric", _histogram_batch, ["DOUBLE[]", "INTEGER"],
    "STRUCT(x DOUBLE, y DOUBLE)[]", type="arrow", null_handling="special")


@spark_function("histogram_numeric")
def histogram_numeric(value, bins):
    """Spark gives each bin's x in the input's type (integral types truncate the mean)."""
    histogram = "spark_histogram_numeric(list(CAST(_0 AS DOUBLE)) FILTER (WHERE _0 IS NOT NULL), _1)"
    as_input = f"list_resize([any_value(_0)], 2, CASE WHEN {_INTEGRAL} THEN trunc(b.x) ELSE b.x END)[2]"
    return duck(f"list_transform({histogram}, lambda b: struct_pack(x := {as_input}, y := b.y))",
                value, bins)


# -- count_min_sketch ---------------------------------------------------------------------------------
def count_min_sketch(items: list, eps: float, confidence: float, seed: int) -> bytes:
    """CountMinSketchImpl over integers (addLong) or strings (addBinary of their UTF-8 bytes),
    serialized as Spark writes it (version 1)."""
    width = math.ceil(2 / eps)
    depth = math.ceil(-math.log(1 - confidence) / math.log(2))
    random = JavaRandom(seed)
    hash_a = [random.next_int(_INT_MAX) for _ in range(depth)]
    table = [[0] * width for _ in range(depth)]
    for item in items:
        if isinstance(item, int):
            buckets = [_long_bucket(hash_a[row], item, width) for row in range(depth)]
        else:
            buckets = _binary_buckets(item.encode("utf-8"), depth, width)
        for row, bucket in enumerate(buckets):
            table[row][bucket] += 1
    out = struct.pack(">iqii", 1, len(items), depth, width)
    out += b"".join(struct.pack(">q", a) for a in hash_a)
    out += b"".join(struct.pack(">q", cell) for row in table for cell in row)
    return out


def _long_bucket(a: int, item: int, width: int) -> int:
    """CountMinSketchImpl.hash: Java long arithmetic, then `(int) hash % width`."""
    product = _signed64(a * item)
    product = _signed64(product + (product >> 32)) & _INT_MAX
    return product % width


def _binary_buckets(data: bytes, depth: int, width: int) -> list:
    first = murmur3_spark(data, 0)
    second = murmur3_spark(data, first)
    return [abs(_java_remainder(_signed32(first + i * second), width)) for i in range(depth)]


def _java_remainder(a: int, b: int) -> int:
    return int(math.fmod(a, b))


def _signed32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _rotl32(value: int, bits: int) -> int:
    value &= 0xFFFFFFFF
    return ((value << bits) | (value >> (32 - bits))) & 0xFFFFFFFF


def _mix_k1(k1: int) -> int:
    return (_rotl32(k1 * 0xCC9E2D51, 15) * 0x1B873593) & 0xFFFFFFFF


def _mix_h1(h1: int, k1: int) -> int:
    return (_rotl32(h1 ^ k1, 13) * 5 + 0xE6546B64) & 0xFFFFFFFF


def murmur3_spark(data: bytes, seed: int) -> int:
    """Spark's Murmur3_x86_32.hashUnsafeBytes: whole little-endian ints, then each remaining byte
    alone (sign-extended), unlike the standard tail."""
    h1 = seed & 0xFFFFFFFF
    aligned = len(data) - len(data) % 4
    for offset in range(0, aligned, 4):
        h1 = _mix_h1(h1, _mix_k1(int.from_bytes(data[offset:offset + 4], "little")))
    for byte in data[aligned:]:
        h1 = _mix_h1(h1, _mix_k1(byte - 256 if byte >= 128 else byte))
    h1 ^= len(data)
    h1 ^= h1 >> 16
    h1 = (h1 * 0x85EBCA6B) & 0xFFFFFFFF
    h1 ^= h1 >> 13
    h1 = (h1 * 0xC2B2AE35) & 0xFFFFFFFF
    h1 ^= h1 >> 16
    return _signed32(h1)


def _signed64(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def _sketch_batch(lists, integral, eps, confidence, seeds) -> pa.Array:
    out = []
    for items, whole, e, c, s in zip(lists.to_pylist(), integral.to_pylist(), eps.to_pylist(),
                                     confidence.to_pylist(), seeds.to_pylist()):
        items = [int(i) for i in items or []] if whole else list(items or [])
        out.append(count_min_sketch(items, e, c, s))
    return pa.array(out, pa.binary())


udf("spark_count_min_sketch", _sketch_batch, ["VARCHAR[]", "BOOLEAN", "DOUBLE", "DOUBLE", "INTEGER"],
    "BLOB", type="arrow", null_handling="special")


@spark_function("count_min_sketch")
def count_min_sketch_function(value, eps, confidence, seed):
    """The items go to the UDF as text, with whether they are integers (hashed as longs)."""
    return duck("spark_count_min_sketch(list_filter(coalesce(list(CAST(_0 AS VARCHAR)), []), "
                f"lambda v: v IS NOT NULL), coalesce({_INTEGRAL}, true), _1, _2, _3)",
                value, eps, confidence, seed)


# -- percentile with a frequency ------------------------------------------------------------------------
def weighted_percentile(values: list, counts: list, position: float):
    """Spark's Percentile over (value, frequency) pairs: linear interpolation at (total - 1) * p."""
    pairs = sorted((v, c) for v, c in zip(values, counts) if c and c > 0)
    total = sum(c for _, c in pairs)
    if total == 0:
        return None
    rank = (total - 1) * position
    lower, upper = math.floor(rank), math.ceil(rank)
    cumulative, below, above = 0, None, None
    for v, c in pairs:
        cumulative += c
        if below is None and cumulative > lower:
            below = v
        if cumulative > upper:
            above = v
            break
    above = pairs[-1][0] if above is None else above
    return below if lower == upper else below + (rank - lower) * (above - below)


def _weighted_batch(values, counts, positions) -> pa.Array:
    out = []
    for vs, cs, ps in zip(values.to_pylist(), counts.to_pylist(), positions.to_pylist()):
        out.append(None if not vs else [weighted_percentile(vs, cs, p) for p in ps])
    return pa.array(out, pa.list_(pa.float64()))


udf("spark_weighted_percentiles", _weighted_batch, ["DOUBLE[]", "BIGINT[]", "DOUBLE[]"], "DOUBLE[]",
    type="arrow", null_handling="special")


def weighted_percentile_sql(value, percentage, frequency, is_array: bool) -> exp.Expression:
    call = duck("spark_weighted_percentiles(list(CAST(_0 AS DOUBLE)) FILTER (WHERE _0 IS NOT NULL), "
                "list(CAST(_2 AS BIGINT)) FILTER (WHERE _0 IS NOT NULL), CAST(_1 AS DOUBLE[]))",
                value, percentage if is_array else exp.Array(expressions=[percentage]), frequency)
    return call if is_array else duck("(_0)[1]", call)
