"""Spark's array and map functions on DuckDB lists and maps (see registry.py for how a function is
declared). Lambdas are in functions_higher_order.py, generators (explode...) in
functions_generators.py.

Spark arrays are DuckDB lists and Spark maps DuckDB maps, so the results are Arrow lists and maps.
Where a Spark function takes either an array or a map (or a string), the translation can only
choose by the type coercion.py found for the argument, or what the query text shows
(`static_shape`)."""
from __future__ import annotations

from typing import Optional

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .casts import SPARK_TYPE, spark_cast
from .functions_higher_order import comparator_sort, is_lambda
from .registry import duck, macro, spark_function
from .result_types import is_text, kind, wider_all

SHAPE = "spark_shape"  # meta key: "array", "map", "date"... of a builder's result


def shaped(node: exp.Expression, shape: str) -> exp.Expression:
    node.meta[SHAPE] = shape
    return node


def array_of(template: str, *args: exp.Expression) -> exp.Expression:
    """duck(template, *args), known to be an array."""
    return shaped(duck(template, *args), "array")


def map_of(template: str, *args: exp.Expression) -> exp.Expression:
    """duck(template, *args), known to be a map."""
    return shaped(duck(template, *args), "map")


def static_shape(node: exp.Expression) -> Optional[str]:
    """"array", "map", "date", "timestamp", "string" when the expression shows it, else None."""
    while isinstance(node, exp.Paren):
        node = node.this
    if SHAPE in node.meta:
        return node.meta[SHAPE]
    known = node.meta.get(SPARK_TYPE)  # coercion.py's type of the expression (columns by schema)
    if known is not None:
        node = exp.Cast(this=exp.Null(), to=known)
    if isinstance(node, exp.Array):
        return "array"
    if isinstance(node, (exp.Cast, exp.TryCast)):
        target = node.to
        if target.is_type(exp.DataType.Type.ARRAY):
            return "array"
        if target.is_type(exp.DataType.Type.MAP):
            return "map"
        if target.is_type(exp.DataType.Type.DATE):
            return "date"
        if target.is_type(*exp.DataType.TEMPORAL_TYPES):
            return "timestamp"
        if target.is_type(*exp.DataType.TEXT_TYPES):
            return "string"
    if isinstance(node, exp.Literal) and node.is_string:
        return "string"
    return None


# --- constructors ----------------------------------------------------------------------------

def _as_common_type(values: tuple) -> list:
    """Spark's array(1, 'a') is an array of strings: where strings meet other types, those are cast
    to string as Spark casts (DuckDB would cast the strings to the other type)."""
    found = [value.meta.get(SPARK_TYPE) for value in values]
    if None in found:
        return list(values)
    common = wider_all(found)
    if common is None or not is_text(common):
        return list(values)
    return [value if is_text(t) or kind(t) == exp.DataType.Type.NULL else spark_cast(value, t, common)
            for value, t in zip(values, found)]


@spark_function("array")
def array(*elements):
    return shaped(exp.Array(expressions=_as_common_type(elements)), "array")


@spark_function("map")
def map_(*keys_and_values):
    if len(keys_and_values) % 2:
        raise ByzerRuntimeError("function `map` expects a positive even number of arguments, "
                                f"{len(keys_and_values)} given")
    keys, values = _as_common_type(keys_and_values[0::2]), _as_common_type(keys_and_values[1::2])
    return shaped(exp.Anonymous(this="map", expressions=[exp.Array(expressions=list(keys)),
                                                         exp.Array(expressions=list(values))]), "map")


@spark_function("array_repeat")
def array_repeat(element, count):
    return array_of("CASE WHEN _1 IS NULL THEN NULL ELSE list_transform(range(_1), lambda _: _0) END",
                    element, count)


@spark_function("sequence")
def sequence(start, stop, step=None):
    """Integers step by 1 (or -1 downwards) and keep the type of start/stop; dates step a day."""
    shape = static_shape(start) or static_shape(stop)
    if shape in ("date", "timestamp") or isinstance(step, exp.Interval):
        step = step if step is not None else duck("INTERVAL 1 DAY")
        series = duck("generate_series(_0, _1, _2)", start, stop, step)
        return array_of("CAST(_0 AS DATE[])", series) if shape == "date" else shaped(series, "array")
    if step is None:
        step = duck("CASE WHEN _0 <= _1 THEN 1 ELSE -1 END", start, stop)
    # start + step * index: Spark's element type (int stays int) rather than DuckDB's bigint
    return array_of("list_transform(generate_series(_0, _1, _2), "
                    "lambda x, i: _0 + _2 * CAST(i - 1 AS INT))", start, stop, step)


@spark_function("str_to_map")
def str_to_map(text, pair_delimiter=None, key_value_delimiter=None):
    """Both delimiters are regular expressions; a pair without one has a NULL value."""
    pair_delimiter = pair_delimiter or exp.Literal.string(",")
    key_value_delimiter = key_value_delimiter or exp.Literal.string(":")
    entry = duck("CASE WHEN regexp_matches(p, _0) "
                 "THEN regexp_extract(p, '(?s)^(.*?)(?:' || _0 || ')(.*)$', ['key', 'value']) "
                 "ELSE {'key': p, 'value': NULL} END", key_value_delimiter)
    return map_of("map_from_entries(list_transform(regexp_split_to_array(_0, _1), lambda p: _2))",
                  text, pair_delimiter, entry)


@spark_function("map_from_arrays")
def map_from_arrays(keys, values):
    return map_of("CASE WHEN _0 IS NULL OR _1 IS NULL THEN NULL ELSE map(_0, _1) END", keys, values)


@spark_function("map_from_entries")
def map_from_entries(entries):
    """A NULL entry makes the map NULL."""
    return map_of("CASE WHEN list_position(_0, NULL) IS NULL THEN map_from_entries(_0) END", entries)


@spark_function("map_concat")
def map_concat(*maps):
    if not maps:
        return map_of("map()")
    nulls = exp.or_(*[exp.Is(this=m.copy(), expression=exp.Null()) for m in maps])
    return shaped(exp.Case(ifs=[exp.If(this=nulls, true=exp.Null())],
                           default=exp.Anonymous(this="map_concat", expressions=list(maps))), "map")


# --- reading ---------------------------------------------------------------------------------

@spark_function("size", "cardinality")
def size(collection):
    """-1 for NULL (spark.sql.legacy.sizeOfNull, on by default in Spark 3.3)."""
    return duck("coalesce(CAST(cardinality(_0) AS INT), -1)", collection)


@spark_function("array_size")
def array_size(array_):
    return duck("CAST(len(_0) AS INT)", array_)


@spark_function("element_at")
def element_at(collection, key):
    """1-based, from the end when negative; NULL out of range (and for a missing map key); index 0
    fails, as in Spark."""
    element = exp.Bracket(this=collection, expressions=[key], offset=1)  # DuckDB's [] counts from 1 too
    if static_shape(collection) != "array":
        return element
    return duck("CASE WHEN _1 = 0 THEN error('SQL array indices start at 1') ELSE _0 END", element, key)


@spark_function("map_keys")
def map_keys(map_value):
    return array_of("map_keys(_0)", map_value)


@spark_function("map_values")
def map_values(map_value):
    return array_of("map_values(_0)", map_value)


@spark_function("map_entries")
def map_entries(map_value):
    return array_of("map_entries(_0)", map_value)


@spark_function("map_contains_key")
def map_contains_key(map_value, key):
    return duck("map_contains(_0, _1)", map_value, key)


# Spark's array_contains: NULL when the value is NULL, or when it is absent but NULL is present.
macro("""CREATE MACRO spark_array_contains(arr, v) AS CASE WHEN arr IS NULL OR v IS NULL THEN NULL
    WHEN list_contains(arr, v) THEN true WHEN list_position(arr, NULL) IS NOT NULL THEN NULL
    ELSE false END""")


@spark_function("array_contains")
def array_contains(array_, value):
    return duck("spark_array_contains(_0, _1)", array_, value)


@spark_function("array_position")
def array_position(array_, value):
    """1-based, 0 when absent."""
    return duck("CASE WHEN _0 IS NULL OR _1 IS NULL THEN NULL "
                "ELSE CAST(coalesce(list_position(_0, _1), 0) AS BIGINT) END", array_, value)


@spark_function("array_max")
def array_max(array_):
    return duck("list_max(_0)", array_)


@spark_function("array_min")
def array_min(array_):
    return duck("list_min(_0)", array_)


@spark_function("array_join")
def array_join(array_, delimiter, null_replacement=None):
    """NULL elements are skipped, or replaced when a replacement is given."""
    if null_replacement is None:
        return duck("array_to_string(_0, _1)", array_, delimiter)
    return duck("CASE WHEN _2 IS NULL THEN NULL ELSE array_to_string(list_transform(_0, "
                "lambda x: coalesce(CAST(x AS VARCHAR), _2)), _1) END",
                array_, delimiter, null_replacement)


@spark_function("arrays_zip")
def arrays_zip(*arrays):
    """Fields named after the arrays' columns, else by position ("0", "1"...); shorter arrays are
    padded with NULLs."""
    if not arrays:
        return array_of("[]")
    fields = [exp.PropertyEQ(this=exp.to_identifier(_zip_field(a, i), quoted=True),
                             expression=duck("_0[k + 1]", a)) for i, a in enumerate(arrays)]
    longest = exp.Greatest(this=duck("len(_0)", arrays[0]),
                           expressions=[duck("len(_0)", a) for a in arrays[1:]])
    nulls = exp.or_(*[exp.Is(this=a.copy(), expression=exp.Null()) for a in arrays])
    zipped = duck("list_transform(range(_0), lambda k: _1)", longest, exp.Struct(expressions=fields))
    return shaped(exp.Case(ifs=[exp.If(this=nulls, true=exp.Null())], default=zipped), "array")


def _zip_field(array_, index: int) -> str:
    return array_.name if isinstance(array_, exp.Column) else str(index)


# --- reshaping -------------------------------------------------------------------------------

# The distinct elements in the order of their first appearance (NULL included once).
macro("""CREATE MACRO spark_array_distinct(arr) AS
    list_filter(arr, lambda x, i: list_position(arr, x) = i)""")


@spark_function("array_distinct")
def array_distinct(array_):
    return array_of("spark_array_distinct(_0)", array_)


@spark_function("array_union")
def array_union(left, right):
    return array_of("CASE WHEN _0 IS NULL OR _1 IS NULL THEN NULL "
                    "ELSE spark_array_distinct(list_concat(_0, _1)) END", left, right)


@spark_function("array_intersect")
def array_intersect(left, right):
    return array_of("CASE WHEN _1 IS NULL THEN NULL ELSE spark_array_distinct("
                    "list_filter(_0, lambda x: list_position(_1, x) IS NOT NULL)) END", left, right)


@spark_function("array_except")
def array_except(left, right):
    return array_of("CASE WHEN _1 IS NULL THEN NULL ELSE spark_array_distinct("
                    "list_filter(_0, lambda x: list_position(_1, x) IS NULL)) END", left, right)


# True on a common element; else NULL when both are non-empty and either holds a NULL.
macro("""CREATE MACRO spark_arrays_overlap(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL
    WHEN list_has_any(a, b) THEN true
    WHEN len(a) > 0 AND len(b) > 0
        AND (list_position(a, NULL) IS NOT NULL OR list_position(b, NULL) IS NOT NULL) THEN NULL
    ELSE false END""")


@spark_function("arrays_overlap")
def arrays_overlap(left, right):
    return duck("spark_arrays_overlap(_0, _1)", left, right)


@spark_function("array_remove")
def array_remove(array_, value):
    """NULL elements stay; removing NULL gives NULL."""
    return array_of("CASE WHEN _1 IS NULL THEN NULL "
                    "ELSE list_filter(_0, lambda x: x IS NULL OR x <> _1) END", array_, value)


@spark_function("flatten")
def flatten(arrays):
    """NULL when any inner array is NULL."""
    return array_of("CASE WHEN list_position(_0, NULL) IS NULL THEN flatten(_0) END", arrays)


@spark_function("shuffle")
def shuffle(array_, seed=None):
    return array_of("list_transform(list_sort(list_transform(_0, "
                    "lambda x: {'key': random(), 'value': x})), lambda e: e.value)", array_)


@spark_function("reverse")
def reverse(value):
    """Of an array, or of a string (an argument whose type is not known counts as a string)."""
    if static_shape(value) == "array":
        return array_of("list_reverse(_0)", value)
    return duck("reverse(_0)", value)


@spark_function("sort_array")
def sort_array(array_, ascending=None):
    """Ascending puts NULLs first, descending last."""
    if ascending is None or isinstance(ascending, exp.Boolean):
        up = ascending is None or ascending.this
        order = "'ASC', 'NULLS FIRST'" if up else "'DESC', 'NULLS LAST'"
        return array_of(f"list_sort(_0, {order})", array_)
    return array_of("CASE WHEN _1 THEN list_sort(_0, 'ASC', 'NULLS FIRST') "
                    "ELSE list_sort(_0, 'DESC', 'NULLS LAST') END", array_, ascending)


@spark_function("array_sort")
def array_sort(array_, comparator=None):
    """Ascending with NULLs last, or by a comparator lambda."""
    if comparator is None:
        return array_of("list_sort(_0, 'ASC', 'NULLS LAST')", array_)
    if not is_lambda(comparator):
        raise ByzerRuntimeError("function `array_sort` expects a comparator lambda "
                                "`(left, right) -> ...`")
    return shaped(comparator_sort(array_, comparator), "array")


def _newer_than_spark_33(name: str) -> None:
    """`get` and `reduce` came in Spark 3.4: Spark 3.3 rejects them, and so do we."""

    @spark_function(name)
    def reject(*args):
        raise ByzerRuntimeError(f"undefined function `{name}`: "
                                "it is not a built-in function of Spark 3.3")


for _name in ("get", "reduce"):
    _newer_than_spark_33(_name)
