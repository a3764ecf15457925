"""Spark 3.3's JSON schema inference and row conversion (`JsonInferSchema`, `JacksonParser`), on
Python values (docs/spec.md §3.1). This is the exact, per-line path; `json_fast` puts a pyarrow fast path
in front of it.

Types are small tuples: ("long",), ("double",), ("boolean",), ("string",), ("null",),
("decimal", precision, scale), ("array", element), ("struct", ((name, type), ...)) with struct
fields sorted by Java `String.compareTo` (UTF-16 code units).
"""
from __future__ import annotations

import decimal
import math
from typing import Optional

import pyarrow as pa

from ...lang.java_values import java_double

NULL, LONG, DOUBLE, BOOLEAN, STRING = ("null",), ("long",), ("double",), ("boolean",), ("string",)
EMPTY_STRUCT = ("struct", ())
_LONG_MIN, _LONG_MAX = -(1 << 63), (1 << 63) - 1
MAX_PRECISION = 38


def java_order(name: str) -> bytes:
    """Sort key equal to Java String.compareTo: UTF-16 code units, compared as unsigned numbers."""
    return name.encode("utf-16-be", "surrogatepass")


# -- inference ---------------------------------------------------------------------------------
def infer_type(value, primitives_as_string: bool = False) -> tuple:
    """The type Spark infers for one parsed JSON value (`JsonInferSchema.inferField`)."""
    kind = type(value)
    if value is None:
        return NULL
    if kind is str:
        return NULL if value == "" else STRING  # "" is treated like null until merged
    if kind is bool:
        return STRING if primitives_as_string else BOOLEAN
    if kind is int:
        if primitives_as_string:
            return STRING
        if _LONG_MIN <= value <= _LONG_MAX:
            return LONG
        precision = len(str(abs(value)))
        return ("decimal", precision, 0) if precision <= MAX_PRECISION else DOUBLE
    if kind is float:
        return STRING if primitives_as_string else DOUBLE
    if kind is dict:
        fields = {}
        for name, item in value.items():
            fields[name] = infer_type(item, primitives_as_string)
        return ("struct", tuple(sorted(fields.items(), key=lambda f: java_order(f[0]))))
    if kind is list:
        element = NULL
        for item in value:
            element = merge_types(element, infer_type(item, primitives_as_string))
        return ("array", element)
    raise TypeError(f"not a JSON value: {value!r}")


def _merge_decimals(a: tuple, b: tuple) -> tuple:
    scale = max(a[2], b[2])
    integral = max(a[1] - a[2], b[1] - b[2])
    return DOUBLE if integral + scale > MAX_PRECISION else ("decimal", integral + scale, scale)


def _same_type_ignoring_case(a: tuple, b: tuple) -> bool:
    """Spark's `DataType.sameType` with spark.sql.caseSensitive=false."""
    if a[0] != b[0]:
        return False
    if a[0] == "struct":
        fa, fb = a[1], b[1]
        return len(fa) == len(fb) and all(
            x[0].lower() == y[0].lower() and _same_type_ignoring_case(x[1], y[1]) for x, y in zip(fa, fb))
    if a[0] == "array":
        return _same_type_ignoring_case(a[1], b[1])
    return a == b


def merge_types(a: tuple, b: tuple) -> tuple:
    """`JsonInferSchema.compatibleType`: the widest type both values fit, else string."""
    if a == b:
        return a
    ka, kb = a[0], b[0]
    if ka == "null":
        return b
    if kb == "null":
        return a
    numeric = ("long", "double", "decimal")
    if ka in numeric and kb in numeric:
        if ka == "double" or kb == "double":
            return DOUBLE
        if ka == "long":
            a = ("decimal", 20, 0)
        if kb == "long":
            b = ("decimal", 20, 0)
        return _merge_decimals(a, b)
    if ka == "struct" and kb == "struct":
        if _same_type_ignoring_case(a, b):  # findTightestCommonType keeps the first one's names
            return a
        return ("struct", _merge_fields(a[1], b[1]))
    if ka == "array" and kb == "array":
        return ("array", merge_types(a[1], b[1]))
    return STRING


def _merge_fields(left: tuple, right: tuple) -> tuple:
    """Merge two sorted field lists (Spark walks both in order, as a merge sort does)."""
    merged, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        ki, kj = java_order(left[i][0]), java_order(right[j][0])
        if ki == kj:
            merged.append((left[i][0], merge_types(left[i][1], right[j][1])))
            i, j = i + 1, j + 1
        elif ki < kj:
            merged.append(left[i])
            i += 1
        else:
            merged.append(right[j])
            j += 1
    merged.extend(left[i:])
    merged.extend(right[j:])
    return tuple(merged)


class MalformedInference(Exception):
    """FAILFAST met a record it cannot fit into a struct."""


def with_corrupt_field(struct: tuple, corrupt_column: str, mode: str) -> tuple:
    if mode == "DROPMALFORMED":
        return struct
    if mode == "FAILFAST":
        raise MalformedInference("Malformed records are detected in schema inference. Parse Mode: FAILFAST.")
    if any(name == corrupt_column for name, _ in struct[1]):
        return struct
    fields = struct[1] + ((corrupt_column, STRING),)
    return ("struct", tuple(sorted(fields, key=lambda f: java_order(f[0]))))


def merge_root(acc: tuple, other: tuple, corrupt_column: str, mode: str) -> tuple:
    """`JsonInferSchema.compatibleRootType`: root arrays stand for their elements; a non-object
    root value turns into the corrupt-record column."""
    if other[0] == "array":
        return merge_root(acc, other[1], corrupt_column, mode)
    if acc[0] == "array":
        return merge_root(acc[1], other, corrupt_column, mode)
    if acc[0] == "struct" and other[0] == "null":
        return acc
    if acc[0] == "null" and other[0] == "struct":
        return other
    if acc[0] == "struct" and other[0] != "struct":
        return with_corrupt_field(acc, corrupt_column, mode)
    if other[0] == "struct" and acc[0] != "struct":
        return with_corrupt_field(other, corrupt_column, mode)
    return merge_types(acc, other)


def canonical(t: tuple, drop_all_null: bool = False) -> Optional[tuple]:
    """`canonicalizeType`: null -> string (or dropped with dropFieldIfAllNull), empty structs and
    ""-named fields disappear."""
    kind = t[0]
    if kind == "null":
        return None if drop_all_null else STRING
    if kind == "array":
        element = canonical(t[1], drop_all_null)
        return None if element is None else ("array", element)
    if kind == "struct":
        fields = []
        for name, field_type in t[1]:
            if name == "":
                continue
            kept = canonical(field_type, drop_all_null)
            if kept is not None:
                fields.append((name, kept))
        return ("struct", tuple(fields)) if fields else None
    return t


def to_arrow_type(t: tuple) -> pa.DataType:
    kind = t[0]
    if kind == "long":
        return pa.int64()
    if kind == "double":
        return pa.float64()
    if kind == "boolean":
        return pa.bool_()
    if kind in ("string", "null"):
        return pa.string()
    if kind == "decimal":
        return pa.decimal128(t[1], t[2])
    if kind == "array":
        return pa.list_(to_arrow_type(t[1]))
    return pa.struct([pa.field(name, to_arrow_type(ft)) for name, ft in t[1]])


# -- conversion of values to the inferred schema ------------------------------------------------
class BadValue(Exception):
    """A value that does not fit its column (Spark: a field conversion failure)."""


_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "+Infinity": math.inf, "-Infinity": -math.inf,
               "INF": math.inf, "+INF": math.inf, "-INF": -math.inf}


def convert(value, t: tuple):
    """`JacksonParser.makeConverter`: a parsed JSON value -> a Python value of Arrow type t."""
    if value is None:
        return None
    kind = t[0]
    vtype = type(value)
    if kind == "string":
        return value if vtype is str else render_json(value)
    if vtype is str and value == "":
        raise BadValue("empty string in a non-string field")
    if kind == "long":
        if vtype is int and _LONG_MIN <= value <= _LONG_MAX:
            return value
    elif kind == "double":
        if vtype is float or vtype is int:
            return float(value)
        if vtype is str and value in _NON_FINITE:
            return _NON_FINITE[value]
    elif kind == "boolean":
        if vtype is bool:
            return value
    elif kind == "decimal":
        if vtype is int or vtype is float:
            number = decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-t[2]))
            if len(number.as_tuple().digits) <= t[1]:
                return number
    elif kind == "array":
        if vtype is list:
            element = t[1]
            return [convert(item, element) for item in value]
    elif kind == "struct":
        if vtype is dict:
            return {name: convert(value.get(name), ft) for name, ft in t[1]}
    raise BadValue(f"cannot convert {value!r} to {kind}")


# -- rendering as Jackson does (values that land in string columns) -----------------------------
_ESCAPES = {i: f"\\u{i:04X}" for i in range(32)}
_ESCAPES.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r",
                 ord('"'): '\\"', ord("\\"): "\\\\"})


def json_string(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"'


def render_json(value) -> str:
    """Compact JSON text as Jackson's generator writes a copied structure."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        return json_string(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return java_double(value) if math.isfinite(value) else json_string(java_double(value))
    if kind is dict:
        return "{" + ",".join(json_string(k) + ":" + render_json(v) for k, v in value.items()) + "}"
    if kind is list:
        return "[" + ",".join(render_json(v) for v in value) + "]"
    return json_string(str(value))
