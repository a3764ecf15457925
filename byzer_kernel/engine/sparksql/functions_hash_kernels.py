"""Spark's two hash functions over byte strings, vectorised with numpy across a whole Arrow array:
Murmur3 x86_32 as Spark's `hash` computes it (4-byte little-endian words, then each leftover byte
mixed on its own as a signed int, Spark's variant of the tail) and XXH64 as `xxhash64` does.

Each row has its own seed: Spark hashes `hash(a, b)` as hash(b, seed = hash(a, seed = 42)).
Spark hashes an int as its 4 little-endian bytes and a long as its 8, so fixed-width values go
through the same functions as strings. Written from the published algorithms.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

_U32 = np.uint32
_U64 = np.uint64


def _gather(data: np.ndarray, positions: np.ndarray, width: int, dtype) -> np.ndarray:
    """The little-endian `width`-byte words starting at `positions`."""
    word = np.zeros(len(positions), dtype=dtype)
    for i in range(width):
        word |= data[positions + i].astype(dtype) << dtype(8 * i)
    return word


def _rotl32(x, r):
    return (x << _U32(r)) | (x >> _U32(32 - r))


def _rotl64(x, r):
    return (x << _U64(r)) | (x >> _U64(64 - r))


def _mix_k1(k1):
    return _rotl32(k1 * _U32(0xCC9E2D51), 15) * _U32(0x1B873593)


def _mix_h1(h1, k1):
    return _rotl32(h1 ^ k1, 13) * _U32(5) + _U32(0xE6546B64)


def murmur3(data: np.ndarray, offsets: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Spark's Murmur3_x86_32.hashUnsafeBytes of each row's bytes, as uint32."""
    with np.errstate(over="ignore"):
        lengths = offsets[1:] - offsets[:-1]
        starts = offsets[:-1]
        h1 = seeds.astype(_U32)
        words = lengths // 4
        for k in range(int(words.max(initial=0))):
            rows = np.nonzero(words > k)[0]
            h1[rows] = _mix_h1(h1[rows], _mix_k1(_gather(data, starts[rows] + 4 * k, 4, _U32)))
        for k in range(3):  # the tail, byte by byte, each a sign-extended int
            rows = np.nonzero(lengths % 4 > k)[0]
            byte = data[starts[rows] + 4 * words[rows] + k].view(np.int8).astype(np.int32).view(_U32)
            h1[rows] = _mix_h1(h1[rows], _mix_k1(byte))
        h1 ^= lengths.astype(_U32)
        h1 ^= h1 >> _U32(16)
        h1 *= _U32(0x85EBCA6B)
        h1 ^= h1 >> _U32(13)
        h1 *= _U32(0xC2B2AE35)
        h1 ^= h1 >> _U32(16)
        return h1


_P1, _P2, _P3, _P4, _P5 = (_U64(0x9E3779B185EBCA87), _U64(0xC2B2AE3D27D4EB4F), _U64(0x165667B19E3779F9),
                           _U64(0x85EBCA77C2B2AE63), _U64(0x27D4EB2F165667C5))


def _round(acc, lane):
    return _rotl64(acc + lane * _P2, 31) * _P1


def xxhash64(data: np.ndarray, offsets: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """XXH64 of each row's bytes, as uint64."""
    with np.errstate(over="ignore"):
        lengths = (offsets[1:] - offsets[:-1]).astype(np.int64)
        position = offsets[:-1].astype(np.int64).copy()
        seeds = seeds.astype(_U64)
        h = seeds + _P5
        stripes = lengths // 32
        long_rows = np.nonzero(stripes > 0)[0]
        if len(long_rows):
            s = seeds[long_rows]
            v = [s + _P1 + _P2, s + _P2, s.copy(), s - _P1]
            for k in range(int(stripes.max())):
                active = stripes[long_rows] > k
                rows = long_rows[active]
                for lane in range(4):
                    words = _gather(data, position[rows] + 32 * k + 8 * lane, 8, _U64)
                    v[lane][active] = _round(v[lane][active], words)
            acc = _rotl64(v[0], 1) + _rotl64(v[1], 7) + _rotl64(v[2], 12) + _rotl64(v[3], 18)
            for lane in range(4):
                acc = (acc ^ _round(_U64(0), v[lane])) * _P1 + _P4
            h[long_rows] = acc
            position += 32 * stripes
        h += lengths.astype(_U64)
        remaining = lengths - 32 * stripes
        while (remaining >= 8).any():
            rows = np.nonzero(remaining >= 8)[0]
            k1 = _round(_U64(0), _gather(data, position[rows], 8, _U64))
            h[rows] = _rotl64(h[rows] ^ k1, 27) * _P1 + _P4
            position[rows] += 8
            remaining[rows] -= 8
        rows = np.nonzero(remaining >= 4)[0]
        word = _gather(data, position[rows], 4, _U64)
        h[rows] = _rotl64(h[rows] ^ (word * _P1), 23) * _P2 + _P3
        position[rows] += 4
        remaining[rows] -= 4
        while (remaining > 0).any():
            rows = np.nonzero(remaining > 0)[0]
            byte = data[position[rows]].astype(_U64)
            h[rows] = _rotl64(h[rows] ^ (byte * _P5), 11) * _P1
            position[rows] += 1
            remaining[rows] -= 1
        h ^= h >> _U64(33)
        h *= _P2
        h ^= h >> _U64(29)
        h *= _P3
        h ^= h >> _U64(32)
        return h


# -- Arrow values to the kernels' bytes (the UDFs of functions_hash.py call hash_arrow) --------
_ALGORITHMS = {"murmur3": (murmur3, np.int32, pa.int32()), "xxhash64": (xxhash64, np.int64, pa.int64())}
_FIXED = {"int": np.int32, "long": np.int64, "float": np.float32, "double": np.float64}
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


def hash_arrow(algorithm: str, kind: str, values, seeds) -> pa.Array:
    """Spark's running hash of Arrow `values` (of Spark binary form `kind`) over per-row seeds."""
    kernel, numpy_type, arrow_type = _ALGORITHMS[algorithm]
    values, seeds = _whole(values), _whole(seeds)
    seeds_np = seeds.to_numpy(zero_copy_only=False).astype(numpy_type)
    if kind in _FIXED:
        data, offsets = _fixed_bytes(values, _FIXED[kind])
        data = np.concatenate([data, np.zeros(8, np.uint8)])
    elif kind == "bigdecimal":
        data, offsets = _big_decimal_bytes(values)
    else:
        data, offsets = _variable_bytes(values)
    hashed = kernel(data, offsets, seeds_np).view(numpy_type)
    if values.null_count:
        hashed = np.where(values.is_null().to_numpy(zero_copy_only=False), seeds_np, hashed)
    return pa.array(hashed, arrow_type)


