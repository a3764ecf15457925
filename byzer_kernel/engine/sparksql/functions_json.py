"""Spark's JSON functions on DuckDB (see registry.py for how a function is declared).

from_json, get_json_object, json_tuple, json_array_length and json_object_keys are DuckDB
expressions over the JSON text (vectorised); schema_of_json takes a literal, so it is answered at
translation time with the project's own Spark JSON inference (formats/spark_json.py); to_json
renders Spark's JSON text in an Arrow UDF (functions_json_render.py).
"""
from __future__ import annotations

import re

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from ..formats.jackson_parser import JacksonFeatures, JsonSyntaxError, first_value
from ..formats.spark_json import canonical, infer_type
from .ddl_schema import duck_type, parse_ddl, quote_name, spark_ddl
from .functions_json_convert import convert, key_path
from .literals import literal_under_casts
from .registry import duck, spark_function


# -- arguments that Spark requires to be literals ---------------------------------------------------
def literal_text(arg: exp.Expression, function: str, what: str) -> str:
    literal = literal_under_casts(arg)
    if literal is not None and literal.is_string:
        return literal.this
    raise ByzerRuntimeError(f"function `{function}`: the {what} must be a string literal")


def literal_options(arg, function: str) -> dict:
    """Spark's `map('key', 'value', ...)` of options, keys lower-cased (Spark's options are
    case-insensitive). Whatever form the map call was rewritten to, its string literals come in
    key, value order, or as a keys array then a values array."""
    if arg is None:
        return {}
    keys, values = arg.args.get("keys"), arg.args.get("values")
    if isinstance(keys, exp.Expression) and isinstance(values, exp.Expression):
        return {_text(k).lower(): _text(v) for k, v in zip(keys.expressions, values.expressions)}
    texts = [_text(node) for node in arg.find_all(exp.Literal)]
    if len(texts) % 2:
        raise ByzerRuntimeError(f"function `{function}`: options must be a map of string literals")
    return {texts[i].lower(): texts[i + 1] for i in range(0, len(texts), 2)}


def _text(node) -> str:
    if not isinstance(node, exp.Literal):
        raise ByzerRuntimeError("options must be a map of string literals")
    return node.this


# -- from_json ---------------------------------------------------------------------------------------
@spark_function("from_json")
def from_json(text, schema, options=None):
    spark_type = parse_ddl(literal_text(schema, "from_json", "schema"))
    return duck(from_json_sql("_0", spark_type, literal_options(options, "from_json")), text)


def from_json_sql(text: str, t: tuple, options: dict) -> str:
    """DuckDB SQL for Spark's JsonToStructs over JSON text `text` (PERMISSIVE): a struct schema
    gives a struct whose unconvertible fields are NULL (all NULL when the text is no JSON object),
    an array or map schema gives NULL on any failure, and blank text gives NULL."""
    blank = f"{text} IS NULL OR trim({text}) = ''"
    if t[0] == "struct":
        nulls = "struct_pack(" + ", ".join(
            f"{quote_name(n)} := CAST(NULL AS {duck_type(ft)})" for n, ft in t[1]) + ")"
        fields = "struct_pack(" + ", ".join(
            f"{quote_name(n)} := {convert((text, key_path(n)), ft, options)}"
            for n, ft in t[1]) + ")"
        return (f"CASE WHEN {blank} THEN NULL WHEN json_valid({text}) AND json_type({text}) = 'OBJECT' "
                f"THEN {fields} ELSE {nulls} END")
    if t[0] == "array":
        value = convert(text, t, options)
        if t[1][0] == "struct":  # one object stands for an array of one struct
            value = (f"CASE WHEN json_type({text}) = 'OBJECT' THEN [{convert(text, t[1], options)}] "
                     f"ELSE {value} END")
        return f"CASE WHEN {blank} THEN NULL WHEN json_valid({text}) THEN {value} END"
    if t[0] == "map":
        return f"CASE WHEN {blank} THEN NULL WHEN json_valid({text}) THEN {convert(text, t, options)} END"
    raise ByzerRuntimeError(f"function `from_json`: the schema {spark_ddl(t).lower()} must be a "
                            "struct, an array or a map")


# -- schema_of_json ------------------------------------------------------------------------------------
@spark_function("schema_of_json", result="string")
def schema_of_json(text, options=None):
    """Spark requires a literal, so the answer is known when the query is translated."""
    json_text = literal_text(text, "schema_of_json", "JSON text")
    opts = literal_options(options, "schema_of_json")
    features = JacksonFeatures(
        allow_numeric_leading_zeros=opts.get("allownumericleadingzeros", "false").lower() == "true")
    try:
        value = first_value(json_text, features)
    except (JsonSyntaxError, LookupError) as error:
        raise ByzerRuntimeError(f"function `schema_of_json`: malformed JSON {json_text!r} ({error})") from None
    return exp.Literal.string(spark_ddl(_schema_of(value)))


def _schema_of(value) -> tuple:
    inferred = infer_type(value)
    if inferred[0] == "array" and inferred[1][0] == "struct":
        return ("array", canonical(inferred[1]) or ("struct", ()))
    if inferred[0] == "struct":
        return canonical(inferred) or ("struct", ())
    return canonical(inferred) or ("string",)


# -- get_json_object and json_tuple -----------------------------------------------------------------------
_STEP = re.compile(r"\.([^.\[]+)|\['([^']*)'\]|\[(\d+)\]|\[(\*)\]")


def duck_json_path(spark_path: str):
    """Spark's JSONPath subset ($, .name, ['name'], [n], [*]) as a DuckDB path, and whether it has
    a wildcard; None when Spark would not accept the path (the result is then NULL)."""
    if not spark_path.startswith("$"):
        return None
    pos, parts, wildcard = 1, ["$"], False
    while pos < len(spark_path):
        match = _STEP.match(spark_path, pos)
        if not match:
            return None
        name, quoted, index, star = match.groups()
        if name is not None or quoted is not None:
            key = name if name is not None else quoted
            if key == "*":
                return None
            parts.append("." + quote_name(key))
        else:
            parts.append(f"[{index}]" if index is not None else "[*]")
            wildcard = wildcard or star is not None
        pos = match.end()
    return "".join(parts), wildcard


def json_value_text(value: str) -> str:
    """DuckDB SQL: a JSON value as Spark returns it in a string. DuckDB's json_extract_string
    already gives strings unquoted, JSON null as NULL and objects and arrays as compact JSON."""
    return f"json_extract_string({value}, '$')"


@spark_function("get_json_object", result="string")
def get_json_object(text, path):
    if not (isinstance(path, exp.Literal) and path.is_string):
        return duck("CASE WHEN json_valid(_0) THEN json_extract_string(_0, _1) END", text, path)
    translated = duck_json_path(path.this)
    if translated is None:
        return exp.cast(exp.Null(), "VARCHAR")
    duck_path, wildcard = translated
    literal = "'" + duck_path.replace("'", "''") + "'"
    if not wildcard:
        return duck(f"CASE WHEN json_valid(_0) THEN json_extract_string(_0, {literal}) END", text)
    # Spark gives a single match unwrapped, several as a JSON array, none as NULL.
    found = f"json_extract(_0, {literal})"
    return duck(f"CASE WHEN NOT json_valid(_0) OR len({found}) = 0 THEN NULL "
                f"WHEN len({found}) = 1 THEN {json_value_text(f'{found}[1]')} "
                f"ELSE '[' || array_to_string({found}, ',') || ']' END", text)


def json_tuple_values(text: exp.Expression, fields: list) -> list:
    """Spark's JsonTuple as one DuckDB expression per field (the LATERAL VIEW form uses these too)."""
    values = []
    for field in fields:
        if isinstance(field, exp.Literal) and field.is_string:
            values.append(duck(f"CASE WHEN json_valid(_0) THEN json_extract_string(_0, {key_path(field.this)}) END",
                               text))
        else:
            values.append(duck("CASE WHEN json_valid(_0) THEN json_extract_string(_0, '$.' || _1) END",
                               text, field))
    return values


@spark_function("json_tuple")
def json_tuple(text, *fields):
    """As a projection Spark's generator gives the columns c0, c1...: a struct of them here, which
    the generator handling unpacks."""
    if not fields:
        raise ByzerRuntimeError("function `json_tuple` takes at least 2 arguments")
    values = json_tuple_values(text, list(fields))
    return exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier(f"c{i}"), expression=v)
                                   for i, v in enumerate(values)])


# -- json_array_length and json_object_keys ------------------------------------------------------------
@spark_function("json_array_length", result="int")
def json_array_length(text):
    return duck("CASE WHEN json_valid(_0) AND json_type(_0) = 'ARRAY' THEN json_array_length(_0) END", text)


@spark_function("json_object_keys")
def json_object_keys(text):
    return duck("CASE WHEN json_valid(_0) AND json_type(_0) = 'OBJECT' THEN json_keys(_0) END", text)
