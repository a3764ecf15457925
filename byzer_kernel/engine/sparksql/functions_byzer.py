"""The SQL functions Byzer registers on Spark for its scripts (byzer-lang's
streaming.core.compositor.spark.udf.Functions), on DuckDB, where they make sense without MLlib.

MLlib vectors are plain arrays of doubles here: `vec_dense` and `vec_array` convert between the
two, and the `vec_*` functions take either. Where Byzer's Scala would throw on a string that is
not a number (`"x".toDouble`), these give NULL for that element, as Spark's own casts do.
Byzer's array indices are 0-based and `array_slice(a, from, to)` excludes `to` (-1: the end).
"""
from __future__ import annotations

from .registry import duck, macro, spark_function

_DOUBLES = "array<double>"


@spark_function("uuid", result="string")
def uuid():
    """Byzer's uuid() replaces Spark's: 32 hex digits, without dashes."""
    return duck("replace(CAST(uuid() AS VARCHAR), '-', '')")


@spark_function("vec_dense", "vec_array", "to_array_double", inputs=[_DOUBLES], result=_DOUBLES)
def vec_dense(values):
    return values


@spark_function("array_string_to_double", inputs=["array<string>"], result=_DOUBLES)
def array_string_to_double(values):
    return duck("list_transform(_0, lambda x: TRY_CAST(trim(x) AS DOUBLE))", values)


@spark_function("array_string_to_float", inputs=["array<string>"], result="array<float>")
def array_string_to_float(values):
    return duck("list_transform(_0, lambda x: TRY_CAST(trim(x) AS FLOAT))", values)


@spark_function("array_string_to_int", inputs=["array<string>"], result="array<int>")
def array_string_to_int(values):
    """Java's Integer.parseInt: digits only (no fraction, unlike DuckDB's cast, which rounds)."""
    return duck("list_transform(_0, lambda x: CASE WHEN regexp_full_match(x, '[+-]?[0-9]+') "
                "THEN TRY_CAST(x AS INTEGER) END)", values)


@spark_function("array_number_to_string", "array_int_to_string", result="array<string>")
def array_number_to_string(values):
    return duck("list_transform(_0, lambda x: CAST(x AS VARCHAR))", values)


@spark_function("array_slice", inputs=["array<string>", "int", "int"], result="array<string>")
def array_slice(values, start, end):
    """Scala's `slice(from, until)`: 0-based, `until` excluded, both clamped to the array."""
    return duck("spark_byzer_slice(_0, _1, CASE WHEN _2 = -1 THEN len(_0) ELSE _2 END)",
                values, start, end)


macro("""CREATE MACRO spark_byzer_slice(a, lo, hi) AS
    CASE WHEN greatest(lo, 0) >= least(hi, len(a)) THEN a[1:0]
         ELSE a[greatest(lo, 0) + 1:least(hi, len(a))] END""")


@spark_function("array_index", inputs=["array<string>", "string"], result="int")
def array_index(values, word):
    """0-based position of the word, -1 when absent."""
    return duck("coalesce(list_position(_0, _1), 0) - 1", values, word)


@spark_function("array_concat", inputs=["array<array<string>>"], result="array<string>")
def array_concat(arrays):
    return duck("flatten(_0)", arrays)


@spark_function("array_number_concat", inputs=["array<array<double>>"], result=_DOUBLES)
def array_number_concat(arrays):
    return duck("flatten(_0)", arrays)


@spark_function("mkstring", inputs=["string", "array<string>"], result="string")
def mk_string(separator, values):
    return duck("array_to_string(_1, _0)", separator, values)


@spark_function("vec_mk_string", inputs=["string", _DOUBLES], result="string")
def vec_mk_string(separator, values):
    return duck("array_to_string(_1, _0)", separator, values)


@spark_function("padding_int_array", inputs=["array<int>", "int", "int"], result="array<int>")
def padding_int_array(values, length, default):
    """Cut to `length`, or padded with `default` up to it."""
    return duck("CASE WHEN len(_0) >= _1 THEN _0[1:_1] "
                "ELSE list_concat(_0, list_transform(range(_1 - len(_0)), lambda i: _2)) END",
                values, length, default)


@spark_function("vec_argmax", inputs=[_DOUBLES], result="int")
def vec_argmax(values):
    """0-based index of the largest value (the first of equals); -1 for an empty vector."""
    return duck("list_position(_0, list_max(_0)) - 1", values)


@spark_function("vec_norm", inputs=[_DOUBLES, "double"], result="double")
def vec_norm(values, p):
    return duck("CASE WHEN isinf(_1) THEN list_max(list_transform(_0, lambda x: abs(x))) "
                "WHEN _1 = 1 THEN list_sum(list_transform(_0, lambda x: abs(x))) "
                "ELSE pow(list_sum(list_transform(_0, lambda x: pow(abs(x), _1))), 1 / _1) END",
                values, p)


@spark_function("vec_sqdist", inputs=[_DOUBLES], result="double")
def vec_sqdist(left, right):
    return duck("list_sum(list_transform(list_zip(_0, _1), lambda p: (p[1] - p[2]) * (p[1] - p[2])))",
                left, right)


@spark_function("vec_cosine", inputs=[_DOUBLES], result="double")
def vec_cosine(left, right):
    """Byzer's: 0 for empty or unequal lengths, else the cosine similarity."""
    return duck("CASE WHEN len(_0) = 0 OR len(_0) <> len(_1) THEN 0.0 "
                "ELSE list_cosine_similarity(_0, _1) END", left, right)


@spark_function("vec_mean", inputs=[_DOUBLES], result="double")
def vec_mean(values):
    return duck("list_avg(_0)", values)


@spark_function("vec_stddev", inputs=[_DOUBLES], result="double")
def vec_stddev(values):
    """Breeze's stddev: the sample standard deviation."""
    return duck("list_stddev_samp(_0)", values)
