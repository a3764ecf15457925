"""DuckDB SQL that turns JSON text into a value of a Spark type the way Spark's JacksonParser does
(from_json, non-ANSI, PERMISSIVE): a value of the wrong JSON kind is NULL, not coerced (`1.5` is
no INT, `"1"` is no INT); a failure inside an array, map or nested struct makes that whole top-level
field NULL; for an array or map schema any failure makes the whole result NULL.

Everything is generated as DuckDB expressions over the JSON text (DuckDB's yyjson functions),
so from_json stays vectorised. `e` below is always DuckDB SQL text of a JSON value (or NULL when
the key is missing).
"""
from __future__ import annotations

from sqlglot import exp

from .datetime_patterns import parse_expression, parse_formats, tokenize
from .ddl_schema import duck_type, quote_name

_INTEGRAL = {"tinyint", "smallint", "int", "bigint"}
_JSON_NUMBER = "('BIGINT', 'UBIGINT', 'DOUBLE')"


# A JSON location `e` is either SQL text of a JSON value, or a (document, path) pair: reading a
# top-level field straight from the document with a path spares DuckDB parsing it twice.
def _kind(e) -> str:
    return f"json_type({e[0]}, {e[1]})" if isinstance(e, tuple) else f"json_type({e})"


def _text(e) -> str:
    return f"json_extract_string({e[0]}, {e[1]})" if isinstance(e, tuple) else f"json_extract_string({e}, '$')"


def _json(e) -> str:
    return f"json_extract({e[0]}, {e[1]})" if isinstance(e, tuple) else e


def _missing(e) -> str:
    return f"({_json(e)} IS NULL OR {_kind(e)} = 'NULL')"


def key_path(name: str) -> str:
    """A DuckDB JSON path to the top-level key `name`, as SQL text."""
    return "'$." + quote_name(name).replace("'", "''") + "'"


def convert(e, t: tuple, options: dict) -> str:
    """DuckDB SQL: the JSON value at e as Spark type t, NULL when Spark would fail to convert it."""
    kind = t[0]
    if kind in _INTEGRAL:
        return (f"CASE WHEN {_kind(e)} IN ('BIGINT', 'UBIGINT') "
                f"THEN TRY_CAST({_text(e)} AS {duck_type(t)}) END")
    if kind in ("double", "float"):
        return _floating(e, duck_type(t))
    if kind == "decimal":
        return f"CASE WHEN {_kind(e)} IN {_JSON_NUMBER} THEN TRY_CAST({_text(e)} AS {duck_type(t)}) END"
    if kind == "boolean":
        return f"CASE WHEN {_kind(e)} = 'BOOLEAN' THEN {_text(e)} = 'true' END"
    if kind == "string":  # strings unquoted, other values as their compact JSON text
        return _text(e)
    if kind in ("date", "timestamp", "timestamp_ntz"):
        return _datetime(e, kind, options)
    if kind == "binary":
        return f"CASE WHEN {_kind(e)} = 'VARCHAR' THEN TRY(from_base64({_text(e)})) END"
    if kind == "array":
        return (f"CASE WHEN {valid(e, t, options)} AND {_kind(e)} = 'ARRAY' THEN "
                f"list_transform(CAST(CAST({_json(e)} AS JSON) AS JSON[]), lambda v: {convert('v', t[1], options)}) END")
    if kind == "map":
        value = convert("kv.value", t[2], options)
        return (f"CASE WHEN {valid(e, t, options)} AND {_kind(e)} = 'OBJECT' THEN "
                f"map_from_entries(list_transform(map_entries(CAST(CAST({_json(e)} AS JSON) AS MAP(VARCHAR, JSON))), "
                f"lambda kv: struct_pack(k := TRY_CAST(kv.key AS {duck_type(t[1])}), "
                f"v := {value}))) END")
    if kind == "struct":
        return f"CASE WHEN {valid(e, t, options)} AND {_kind(e)} = 'OBJECT' THEN {_fields(e, t, options)} END"
    return "NULL"


def _fields(e, t: tuple, options: dict) -> str:
    parts = [f"{quote_name(name)} := {convert((_json(e), key_path(name)), ft, options)}" for name, ft in t[1]]
    return f"struct_pack({', '.join(parts)})" if parts else "NULL"


def valid(e, t: tuple, options: dict) -> str:
    """DuckDB SQL: whether JSON value e converts to t with no failure anywhere inside."""
    kind = t[0]
    if kind == "array":
        return (f"({_missing(e)} OR ({_kind(e)} = 'ARRAY' AND coalesce(list_bool_and("
                f"list_transform(CAST(CAST({_json(e)} AS JSON) AS JSON[]), lambda v: {valid('v', t[1], options)})), true)))")
    if kind == "map":
        return (f"({_missing(e)} OR ({_kind(e)} = 'OBJECT' AND coalesce(list_bool_and("
                f"list_transform(map_values(CAST(CAST({_json(e)} AS JSON) AS MAP(VARCHAR, JSON))), "
                f"lambda v: {valid('v', t[2], options)})), true)))")
    if kind == "struct":
        checks = [valid((_json(e), key_path(name)), ft, options) for name, ft in t[1]]
        inner = " AND ".join(checks) if checks else "true"
        return f"({_missing(e)} OR ({_kind(e)} = 'OBJECT' AND {inner}))"
    return f"({_missing(e)} OR ({convert(e, t, options)}) IS NOT NULL)"


def parse_text(s: str, t: tuple, options: dict) -> str:
    """DuckDB SQL: the text s (a CSV field) as Spark type t, NULL where it does not parse."""
    kind = t[0]
    if kind == "string":
        return s
    if kind == "boolean":
        return f"CASE lower({s}) WHEN 'true' THEN true WHEN 'false' THEN false END"
    if kind == "date":
        return _parse_with(s, options.get("dateformat"), "DATE")
    if kind in ("timestamp", "timestamp_ntz"):
        return _parse_with(s, options.get("timestampformat"), "TIMESTAMP")
    if kind in ("struct", "array", "map", "binary"):
        return "NULL"
    return f"TRY_CAST({s} AS {duck_type(t)})"


def _floating(e, duck: str) -> str:
    """Numbers, and the strings Jackson reads as non-finite doubles."""
    text = _text(e)
    number = f"TRY_CAST({text} AS DOUBLE)"
    if duck == "FLOAT":  # Java's double -> float: beyond the float range is infinity
        number = (f"CASE WHEN abs({number}) < 3.4028235677973366e38 THEN {number} "
                  f"ELSE sign({number}) * CAST('Infinity' AS DOUBLE) END")
    return (f"CASE WHEN {_kind(e)} IN {_JSON_NUMBER} THEN CAST({number} AS {duck}) "
            f"WHEN {_kind(e)} = 'VARCHAR' THEN CASE {text} WHEN 'NaN' THEN CAST('NaN' AS {duck}) "
            f"WHEN 'Infinity' THEN CAST('Infinity' AS {duck}) WHEN '+Infinity' THEN CAST('Infinity' AS {duck}) "
            f"WHEN '-Infinity' THEN CAST('-Infinity' AS {duck}) END END")


def _datetime(e, kind: str, options: dict) -> str:
    text = _text(e)
    if kind == "date":
        parsed = _parse_with(text, options.get("dateformat"), "DATE")
        return f"CASE WHEN {_kind(e)} = 'VARCHAR' THEN {parsed} END"
    parsed = _parse_with(text, options.get("timestampformat"), "TIMESTAMP")
    return (f"CASE WHEN {_kind(e)} = 'VARCHAR' THEN {parsed} "
            f"WHEN {_kind(e)} IN ('BIGINT', 'UBIGINT') THEN CAST(to_timestamp(TRY_CAST({text} AS BIGINT)) AS TIMESTAMP) END")


def _parse_with(text: str, pattern, duck: str) -> str:
    """A user pattern is strict (no fallback); without one Spark also takes its cast syntax."""
    if pattern is None:
        return f"TRY_CAST(TRY_CAST({text} AS TIMESTAMPTZ) AS {duck})" if duck == "TIMESTAMP" \
            else f"TRY_CAST({text} AS {duck})"
    formats = parse_formats(tokenize(pattern, "from_json"), "from_json")
    parsed = parse_expression(exp.column(_PLACEHOLDER), formats).sql(dialect="duckdb")
    return f"CAST({parsed.replace(_PLACEHOLDER, f'({text})')} AS {duck})"


_PLACEHOLDER = "spark_json_text_placeholder"
